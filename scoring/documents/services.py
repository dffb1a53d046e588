"""Writes of the documents room: the year's document and conference details, a Word template
uploaded (checked against the demo's data first, then stored as the next version), and the
generation of documents (rendered first, stored in one transaction with their template version;
archived when the year is published).

A template or a document refused stores nothing: every check and every rendering happens before
the one transaction that writes."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from jinja2 import TemplateError

from clusters.audit import Actor, audit_record
from clusters.models import Cluster, EmulationYear
from emulation.uploads import format_bytes
from scoring.documents.kinds import KINDS
from scoring.documents.render import TemplateProblem, docx_check, render_documents
from scoring.documents.selectors import (
    DocumentRefused,
    Prepared,
    document_contexts,
    sample_context,
    template_content,
    template_in_force,
)
from scoring.errors import ScoringError
from scoring.models import ConferenceDetails, DocumentKind, DocumentTemplate, GeneratedDocument


class TemplateRefused(ScoringError):
    """An uploaded template that cannot be used: the file and the reason."""

    code = "template_refused"


def _problem_messages() -> dict[str, str]:
    return {
        "not_docx": _("không phải tệp Word (.docx)"),
        "unknown": _("thẻ không có trong dữ liệu của loại văn bản này: %(tags)s"),
        "syntax": _("thẻ viết sai: %(error)s"),
        "unsafe": _("thẻ không được phép: %(error)s"),
        "render": _("không tạo được văn bản từ mẫu: %(error)s"),
    }


# --- details -------------------------------------------------------------------------------------


def conference_details_save(
    *,
    emulation_year: EmulationYear,
    values: dict[str, Any],
    actor: Actor = None,
) -> ConferenceDetails:
    """The year's document and conference details, created or changed, with an audit row. They
    are a record of the conference, not an input of the scores: a published year's may still be
    completed (a conference often meets after the results are published)."""
    with transaction.atomic():
        details, created = ConferenceDetails.objects.select_for_update().get_or_create(
            emulation_year=emulation_year, defaults={**values, "updated_by": actor}
        )
        before = None if created else {k: str(getattr(details, k)) for k in values}
        if not created:
            for key, value in values.items():
                setattr(details, key, value)
            details.updated_by = actor if getattr(actor, "is_authenticated", False) else None
            details.save(update_fields=[*values, "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action="documents.details",
            obj=details,
            summary=f"Thông tin văn bản, hội nghị năm {emulation_year.year}",
            emulation_year_id=emulation_year.pk,
            before=before,
            after={k: str(v) for k, v in values.items()},
        )
    return details


# --- templates -----------------------------------------------------------------------------------


def template_upload(
    *,
    kind: str,
    cluster: Cluster | None,
    file_name: str,
    content: bytes,
    note: str = "",
    actor: Actor = None,
) -> DocumentTemplate:
    """Store an edited Word template of `kind` as the next version for `cluster` (None: for
    every cluster). Refused, naming the file and the reason, when it is not a .docx, is too large,
    uses a tag the kind's data does not have, or does not render with the demo's data."""
    limit = settings.DOCUMENT_TEMPLATE_MAX_BYTES
    if not file_name.lower().endswith(".docx"):
        raise TemplateRefused(
            _("%(name)s: chỉ nhận tệp Word .docx (Word 2007 trở lên).") % {"name": file_name},
            field="file",
            code="wrong_type",
        )
    if len(content) > limit:
        raise TemplateRefused(
            _("%(name)s: tệp quá lớn (tối đa %(limit)s).")
            % {"name": file_name, "limit": format_bytes(limit)},
            field="file",
            code="too_big",
        )
    try:
        docx_check(content, sample_context(kind), messages=_problem_messages())
    except TemplateProblem as problem:
        raise TemplateRefused(
            _("%(name)s: %(reason)s.") % {"name": file_name, "reason": str(problem).rstrip(".")},
            field="file",
            code="template_broken",
        ) from problem
    try:
        with transaction.atomic():
            rows = DocumentTemplate.objects.filter(kind=kind, cluster=cluster)
            latest = rows.aggregate(n=Max("version"))["n"] or 0
            template = DocumentTemplate.objects.create(
                kind=kind,
                cluster=cluster,
                version=latest + 1,
                file_name=file_name[:200],
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                note=note,
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            scope = cluster.name if cluster else "mọi cụm"
            audit_record(
                actor=actor,
                action="documents.template",
                obj=template,
                summary=(
                    f"Mẫu “{KINDS[kind].slug}” phiên bản {template.version} ({scope}): {file_name}"
                )[:500],
                after={"sha256": template.sha256, "size": len(content)},
            )
    except IntegrityError as error:  # two uploads of the same kind at once: one wins
        raise TemplateRefused(
            _("%(name)s: một phiên bản khác vừa được tải lên; hãy thử lại.") % {"name": file_name},
            field="file",
            code="version_taken",
        ) from error
    return template


# --- generation ----------------------------------------------------------------------------------


# The conference pack: what the year-end conference files (docs/documents.md).
PACK = (DocumentKind.MINUTES, DocumentKind.RESULTS, DocumentKind.SCORE_SHEET)


def documents_render(
    *, emulation_year: EmulationYear, prepared: list[Prepared]
) -> tuple[dict[str, DocumentTemplate | None], list[tuple[bytes, bytes]]]:
    """Word and PDF bytes of prepared documents, with the template version in force of each
    kind; an uploaded template that fails on this year's data is refused by name."""
    kinds = list(dict.fromkeys(p.kind for p in prepared))
    templates = {
        kind: template_in_force(kind=kind, cluster_id=emulation_year.cluster_id) for kind in kinds
    }
    contents = {kind: template_content(template=templates[kind], kind=kind) for kind in kinds}
    try:
        files = render_documents([(p.kind, contents[p.kind], p.context) for p in prepared])
    except (TemplateError, SyntaxError, ValueError, KeyError, AttributeError, TypeError) as error:
        # (Jinja's errors, and lxml's or Python's where docxtpl reworks a broken tag's XML.)
        uploaded = [t for t in templates.values() if t is not None]
        if not uploaded:
            raise  # the shipped templates failing is a bug, not the user's
        raise DocumentRefused(
            _("Mẫu %(name)s (phiên bản %(version)s) không dùng được với dữ liệu năm này: %(error)s")
            % {
                "name": ", ".join(t.file_name for t in uploaded),
                "version": ", ".join(str(t.version) for t in uploaded),
                "error": str(error)[:300],
            },
            code="template_failed",
        ) from error
    return templates, files


def documents_generate(
    *,
    emulation_year: EmulationYear,
    kind: str,
    unit_ids: list[int] | None = None,
    number: str = "",
    issued_on: dt.date | None = None,
    actor: Actor = None,
) -> list[GeneratedDocument]:
    """Generate the documents of `kind` ("pack": the minutes, the report of results and every
    member's score sheet) from the year's data and store them. A year still open keeps the
    latest of each (a new one replaces the drafts of the same kind and member); a published
    year's are archived, kept whatever comes later."""
    kinds = PACK if kind == "pack" else (kind,)
    prepared = [
        p
        for k in kinds
        for p in document_contexts(
            emulation_year=emulation_year,
            kind=k,
            unit_ids=unit_ids if k == DocumentKind.SCORE_SHEET else None,
            number=number if len(kinds) == 1 else "",
            issued_on=issued_on,
        )
    ]
    templates, files = documents_render(emulation_year=emulation_year, prepared=prepared)
    by = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        year = EmulationYear.objects.select_for_update().get(pk=emulation_year.pk)
        archived = year.is_published
        if not archived:
            for k in kinds:
                drafts = GeneratedDocument.objects.filter(
                    emulation_year=year, kind=k, archived=False
                )
                if k == DocumentKind.SCORE_SHEET:
                    drafts = drafts.filter(unit__in=[p.unit for p in prepared if p.kind == k])
                drafts.delete()
        documents = GeneratedDocument.objects.bulk_create(
            [
                GeneratedDocument(
                    emulation_year=year,
                    kind=p.kind,
                    unit=p.unit,
                    number=p.number,
                    issued_on=p.issued_on,
                    template=templates[p.kind],
                    run=p.run,
                    docx=word,
                    pdf=pdf,
                    docx_sha256=hashlib.sha256(word).hexdigest(),
                    pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                    archived=archived,
                    generated_by=by,
                )
                for p, (word, pdf) in zip(prepared, files, strict=True)
            ]
        )
        versions = ", ".join(
            f"{KINDS[k].slug} " + (f"v{t.version}" if t else "mẫu chuẩn")
            for k, t in templates.items()
        )
        audit_record(
            actor=actor,
            action="documents.generate",
            object_type="scoring.generateddocument",
            object_id=",".join(str(d.pk) for d in documents)[:60],
            summary=(
                f"Tạo {len(documents)} văn bản năm {year.year} ({versions})"
                + (", lưu trữ" if archived else "")
            )[:500],
            emulation_year_id=year.pk,
            after={"kinds": list(kinds), "count": len(documents), "archived": archived},
        )
    return documents
