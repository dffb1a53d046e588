"""Evidence files attached to a report: type told by content, size limited, stored outside the
static root and served only through a permission-checked view, always as a download."""

from __future__ import annotations

import os
from contextlib import contextmanager

from django.conf import settings
from django.core.files.storage import default_storage
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


@contextmanager
def stored_upload(upload, *, folder: str, name: str):
    """Write an upload to storage before the transaction (no file I/O while rows are locked),
    under our own name (never the uploader's), and remove it again if the transaction fails."""
    extension = os.path.splitext(upload.name)[1].lower()
    stored = default_storage.save(f"{folder}/{name}{extension}", upload)
    try:
        yield stored
    except BaseException:
        default_storage.delete(stored)
        raise


def evidence_add(*, report: Report, upload, element_code: str = "", actor=None) -> EvidenceFile:
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ScoringError(
            f"{upload.name}: tệp quá lớn (tối đa {settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB)."
        )
    content_type = evidence_kind(upload)
    original = os.path.basename(upload.name)[:255]
    folder = f"evidence/{report.emulation_year.year}"
    with (
        stored_upload(upload, folder=folder, name=f"{report.unit.code}") as stored,
        transaction.atomic(),
    ):
        # The report's state under its row lock: it may have been submitted since the page loaded.
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status not in EDITABLE:
            raise ScoringError("Chỉ đính kèm minh chứng khi báo cáo đang soạn hoặc được trả lại.")
        evidence = EvidenceFile.objects.create(
            report=report,
            element_code=element_code,
            file=stored,
            original_name=original,
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="evidence.add",
            obj=report,
            emulation_year_id=report.emulation_year_id,
            summary=f"Đính kèm minh chứng “{original}” ({upload.size} byte)",
            after={"evidence": original, "element": element_code},
        )
    return evidence
