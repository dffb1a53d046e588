"""The package for the national e-dossier system ("Hệ thống quản lý hồ sơ khen thưởng điện tử"):
a ZIP with each dossier's files under its own folder — the uploads, and both the Word and the PDF
file of each generated document (the system takes both) —, a manifest in JSON and one in XML (the
record metadata of NĐ 30/2020/NĐ-CP, Phụ lục VI, as far as it could be confirmed:
docs/awards.md). Bounded: at most DOSSIER_PACKAGE_MAX_DOSSIERS dossiers and
DOSSIER_PACKAGE_MAX_BYTES of files a package (the generated files counted), checked from the
stored sizes before a byte is written."""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterable
from typing import IO

from django.conf import settings
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from scoring.awards.rule_sets import rule_sets
from scoring.documents.render import DOCX_TYPE
from scoring.dossiers.selectors import award_kind_of
from scoring.engine.awards import RuleSet, package
from scoring.errors import ScoringError
from scoring.models import Dossier, DossierDocument, GeneratedDocument

# The archive's own fields the app does not know (the retention period, who may use it): set by
# the office that files the record (TT 10/2022/TT-BNV's table); empty until it does.
LANGUAGE = "Tiếng Việt"


class PackageTooLarge(ScoringError):
    code = "package_too_large"


def _folder(dossier: Dossier) -> str:
    return f"{dossier.pk:05d}-{dossier.unit.code}-{dossier.award_code}"[:100]


# A generated document's file sizes (Word, PDF), by its id.
Sizes = dict[int, tuple[int, int]]


def _files(ordinal: int, d: DossierDocument, sizes: Sizes) -> tuple[package.PackedFile, ...]:
    """The document's files in the package: a generated one's Word and PDF files, an upload's
    one file."""
    stem = f"{ordinal:02d}-{d.item_code}"
    generated = d.generated_document
    if generated is not None:
        word, pdf = sizes[generated.pk]
        return (
            package.PackedFile(f"{stem}.docx", DOCX_TYPE, word, generated.docx_sha256),
            package.PackedFile(f"{stem}.pdf", "application/pdf", pdf, generated.pdf_sha256),
        )
    if not d.file:
        return ()  # a generated item filed as a print page, before the documents room
    extension = ".pdf" if d.content_type == "application/pdf" else ".docx"
    return (package.PackedFile(f"{stem}{extension}", d.content_type, d.size, d.sha256),)


def dossier_packed(
    dossier: Dossier,
    documents: list[DossierDocument],
    sizes: Sizes,
    sets: tuple[RuleSet, ...] | None = None,
) -> package.PackedDossier:
    """The manifest's view of a dossier and its documents, in the checklist's order (`sets`: the
    rule sets in force, read once for a batch)."""
    today = dossier.received_on or dossier.created_at.date()
    kind = award_kind_of(dossier, today, sets)
    order = {item.code: i for i, item in enumerate(kind.dossier if kind else ())}
    names = {item.code: item.name for item in (kind.dossier if kind else ())}
    documents = sorted(documents, key=lambda d: (order.get(d.item_code, 99), d.item_code))
    cluster = dossier.emulation_year.cluster.name
    year = dossier.emulation_year.year
    packed = []
    for ordinal, d in enumerate(documents, 1):
        name = names.get(d.item_code, d.item_code)
        packed.append(
            package.PackedDocument(
                ordinal=ordinal,
                item_code=d.item_code,
                type_name=name,
                subject=f"{name}: {dossier.award_name}, {dossier.unit.name}, năm {year}",
                organ_name=cluster,
                language=LANGUAGE,
                generated=d.generated,
                files=_files(ordinal, d, sizes),
                pages=d.pages,
                number=d.number,
                issued_on=d.issued_on,
                description=(
                    f"Tạo từ dữ liệu năm {year} của {cluster} (bản Word và PDF)"
                    if d.generated_document_id
                    else ""
                ),
                generated_document_id=d.generated_document_id,
            )
        )
    dates = [d.issued_on or d.uploaded_at.date() for d in documents]
    formed = dossier.received_on or dossier.created_at.date()
    return package.PackedDossier(
        id=dossier.pk,
        organ_id="",
        file_catalog=formed.year,
        file_notation=f"{dossier.pk:05d}/HSKT",
        title=f"Hồ sơ đề nghị {dossier.award_name} cho {dossier.unit.name} "
        f"(thành tích năm {dossier.emulation_year.year})"[:500],
        maintenance="",
        rights="",
        creator=(dossier.created_by.get_username() if dossier.created_by else "")[:30],
        language=LANGUAGE,
        start=min(dates) if dates else None,
        end=max(dates) if dates else None,
        description=f"{cluster} → {dossier.body.name}; {Dossier.State(dossier.state).label}",
        award_code=dossier.award_code,
        award_name=dossier.award_name,
        rule_set=dossier.rule_set_code,
        achievement_year=dossier.emulation_year.year,
        unit_code=dossier.unit.code,
        unit_name=dossier.unit.name,
        cluster=cluster,
        body=dossier.body.name,
        state=dossier.state,
        received_on=dossier.received_on,
        decision=(
            f"{dossier.decision.number}, {dossier.decision.decided_on:%d/%m/%Y}"
            if dossier.decision is not None
            else ""
        ),
        documents=tuple(packed),
    )


def _documents(chosen: list[Dossier]) -> tuple[dict[int, list[DossierDocument]], Sizes]:
    """The chosen dossiers' documents, each generated one with its record (its digests, not its
    bytes: those are read one file at a time as they are written), and the sizes of the generated
    documents' files."""
    rows = (
        DossierDocument.objects.filter(dossier__in=chosen)
        .select_related("generated_document")
        .defer("generated_document__docx", "generated_document__pdf")
        .order_by("pk")
    )
    documents: dict[int, list[DossierDocument]] = {}
    for document in rows:
        documents.setdefault(document.dossier_id, []).append(document)
    ids = {d.generated_document_id for docs in documents.values() for d in docs}
    sizes = {
        pk: (word, pdf)
        for pk, word, pdf in GeneratedDocument.objects.filter(pk__in=ids - {None})
        .annotate(word=Length("docx"), pdf_size=Length("pdf"))
        .values_list("pk", "word", "pdf_size")
    }
    return documents, sizes


def _write(archive: zipfile.ZipFile, name: str, document: DossierDocument) -> None:
    """One file of a document into the archive: an upload streamed from storage, a generated
    one's bytes read from the database."""
    if document.generated_document_id is not None:
        column = "docx" if name.endswith(".docx") else "pdf"
        content = (
            GeneratedDocument.objects.filter(pk=document.generated_document_id)
            .values_list(column, flat=True)
            .get()
        )
        archive.writestr(name, bytes(content))
        return
    with document.file.open("rb") as source, archive.open(name, "w") as target:
        while chunk := source.read(1024 * 1024):
            target.write(chunk)


def package_write(dossiers: Iterable[Dossier]) -> IO[bytes]:
    """The ZIP of `dossiers` (a temporary file, at its start): a folder per dossier with its
    files, manifest.json and manifest.xml, and an index.json at the root. Refused whole when it
    would pass the limits."""
    chosen = list(
        Dossier.objects.filter(pk__in=[d.pk for d in dossiers])
        .select_related("unit", "body", "emulation_year__cluster", "decision", "created_by")
        .order_by("pk")
    )
    limit_count = settings.DOSSIER_PACKAGE_MAX_DOSSIERS
    if not chosen:
        raise ScoringError(_("Không có hồ sơ nào để đóng gói."), code="package_empty")
    if len(chosen) > limit_count:
        raise PackageTooLarge(
            _("Một gói có tối đa %(n)s hồ sơ (đã chọn %(m)s): lọc bớt rồi tải lại.")
            % {"n": limit_count, "m": len(chosen)}
        )
    documents, sizes = _documents(chosen)
    sets = rule_sets()
    packed = {d.pk: dossier_packed(d, documents.get(d.pk, []), sizes, sets) for d in chosen}
    total = sum(f.size for p in packed.values() for doc in p.documents for f in doc.files)
    limit_bytes = settings.DOSSIER_PACKAGE_MAX_BYTES
    if total > limit_bytes:
        raise PackageTooLarge(
            _("Các tệp đã chọn quá lớn cho một gói (tối đa %(mb)s MB): lọc bớt rồi tải lại.")
            % {"mb": limit_bytes // (1024 * 1024)}
        )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 — returned open
    index = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for dossier in chosen:
            record = packed[dossier.pk]
            folder = _folder(dossier)
            archive.writestr(f"{folder}/manifest.json", package.manifest_json(record))
            archive.writestr(f"{folder}/manifest.xml", package.manifest_xml(record))
            by_item = {d.item_code: d for d in documents.get(dossier.pk, [])}
            for doc in record.documents:
                for f in doc.files:
                    _write(archive, f"{folder}/{f.name}", by_item[doc.item_code])
            index.append({"folder": folder, "id": dossier.pk, "title": record.title})
        archive.writestr(
            "index.json",
            json.dumps({"format": package.MANIFEST_FORMAT, "dossiers": index}, ensure_ascii=False),
        )
    out.seek(0)
    return out
