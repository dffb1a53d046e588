"""Evidence files attached to a report: type told by content, size limited, stored outside the
static root and served only through a permission-checked view, always as a download."""

from __future__ import annotations

import os

from django.conf import settings
from django.db import transaction

from clusters.audit import audit_record

from ..errors import ScoringError
from ..models import EvidenceFile, Report
from .reports import EDITABLE

# First bytes → (content type, extensions it may carry).
KINDS = [
    (b"%PDF-", "application/pdf", {".pdf"}),
    (b"\xff\xd8\xff", "image/jpeg", {".jpg", ".jpeg"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {".png"}),
    (b"PK\x03\x04", "application/zip", {".xlsx", ".docx", ".zip"}),
]
OFFICE = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def evidence_kind(upload) -> str:
    """The content type of an upload, from its first bytes and its name; refuses anything else."""
    head = upload.read(8)
    upload.seek(0)
    extension = os.path.splitext(upload.name)[1].lower()
    for magic, content_type, extensions in KINDS:
        if head.startswith(magic) and extension in extensions:
            return OFFICE.get(extension, content_type)
    raise ScoringError(
        f"{upload.name}: chỉ nhận PDF, JPEG, PNG, XLSX, DOCX hoặc ZIP (kiểm tra theo nội dung tệp)."
    )


def evidence_add(*, report: Report, upload, element_code: str = "", actor=None) -> EvidenceFile:
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ScoringError(
            f"{upload.name}: tệp quá lớn (tối đa {settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB)."
        )
    content_type = evidence_kind(upload)
    original = os.path.basename(upload.name)[:255]
    with transaction.atomic():
        # The report's state under its row lock: it may have been submitted since the page loaded.
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("emulation_year", "unit")
            .get(pk=report.pk)
        )
        if report.status not in EDITABLE:
            raise ScoringError("Chỉ đính kèm minh chứng khi báo cáo đang soạn hoặc được trả lại.")
        evidence = EvidenceFile(
            report=report,
            element_code=element_code,
            original_name=original,
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        # The stored name is ours, not the uploader's: nothing they name can be executed or served.
        extension = os.path.splitext(original)[1].lower()
        evidence.file.save(
            f"{report.emulation_year.year}-{report.unit.code}{extension}", upload, save=False
        )
        evidence.save()
        audit_record(
            actor=actor,
            action="evidence.add",
            obj=report,
            emulation_year_id=report.emulation_year_id,
            summary=f"Đính kèm minh chứng “{original}” ({upload.size} byte)",
            after={"evidence": original, "element": element_code},
        )
    return evidence
