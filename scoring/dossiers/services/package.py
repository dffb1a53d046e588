"""The package for the national e-dossier system ("Hệ thống quản lý hồ sơ khen thưởng điện tử"):
a ZIP with each dossier's files under its own folder, a manifest in JSON and one in XML (the
record metadata of NĐ 30/2020/NĐ-CP, Phụ lục VI, as far as it could be confirmed:
docs/awards.md). Bounded: at most DOSSIER_PACKAGE_MAX_DOSSIERS dossiers and
DOSSIER_PACKAGE_MAX_BYTES of files a package, checked from the stored sizes before a byte is
written."""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from scoring.dossiers.selectors import award_kind_of
from scoring.engine.awards import package
from scoring.errors import ScoringError
from scoring.models import Dossier, DossierDocument

# The archive's own fields the app does not know (the retention period, who may use it): set by
# the office that files the record (TT 10/2022/TT-BNV's table); empty until it does.
LANGUAGE = "Tiếng Việt"


class PackageTooLarge(ScoringError):
    code = "package_too_large"


def _folder(dossier: Dossier) -> str:
    return f"{dossier.pk:05d}-{dossier.unit.code}-{dossier.award_code}"[:100]


def dossier_packed(
    dossier: Dossier, documents: list[DossierDocument], *, generated_url: str
) -> package.PackedDossier:
    """The manifest's view of a dossier and its documents, in the checklist's order."""
    today = dossier.received_on or dossier.created_at.date()
    kind = award_kind_of(dossier, today)
    order = {item.code: i for i, item in enumerate(kind.dossier if kind else ())}
    names = {item.code: item.name for item in (kind.dossier if kind else ())}
    documents = sorted(documents, key=lambda d: (order.get(d.item_code, 99), d.item_code))
    cluster = dossier.emulation_year.cluster.name
    packed = []
    for ordinal, d in enumerate(documents, 1):
        name = names.get(d.item_code, d.item_code)
        extension = ".pdf" if d.content_type == "application/pdf" else ".docx"
        packed.append(
            package.PackedDocument(
                ordinal=ordinal,
                item_code=d.item_code,
                type_name=name,
                subject=f"{name}: {dossier.award_name}, {dossier.unit.name}, "
                f"năm {dossier.emulation_year.year}",
                organ_name=cluster,
                language=LANGUAGE,
                generated=d.generated,
                file_name=None if d.generated else f"{ordinal:02d}-{d.item_code}{extension}",
                content_type=d.content_type,
                size=None if d.generated else d.size,
                sha256=d.sha256 or None,
                pages=d.pages,
                number=d.number,
                issued_on=d.issued_on,
                source_url=generated_url if d.generated else "",
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


def package_write(
    dossiers: Iterable[Dossier], *, generated_url: Callable[[Dossier], str]
) -> IO[bytes]:
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
    documents: dict[int, list[DossierDocument]] = {}
    for document in DossierDocument.objects.filter(dossier__in=chosen).order_by("pk"):
        documents.setdefault(document.dossier_id, []).append(document)
    total = sum(d.size for docs in documents.values() for d in docs if not d.generated)
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
            mine = documents.get(dossier.pk, [])
            packed = dossier_packed(dossier, mine, generated_url=generated_url(dossier))
            folder = _folder(dossier)
            archive.writestr(f"{folder}/manifest.json", package.manifest_json(packed))
            archive.writestr(f"{folder}/manifest.xml", package.manifest_xml(packed))
            by_item = {d.item_code: d for d in mine}
            for doc in packed.documents:
                stored = by_item[doc.item_code]
                if doc.file_name is None or not stored.file:
                    continue
                with (
                    stored.file.open("rb") as source,
                    archive.open(f"{folder}/{doc.file_name}", "w") as target,
                ):
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)
            index.append({"folder": folder, "id": dossier.pk, "title": packed.title})
        archive.writestr(
            "index.json",
            json.dumps({"format": package.MANIFEST_FORMAT, "dossiers": index}, ensure_ascii=False),
        )
    out.seek(0)
    return out
