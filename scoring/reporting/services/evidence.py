"""Evidence files attached to a report: type told by content, size limited, stored outside the
static root and served only through a permission-checked view, always as a download."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from clusters.models import EmulationYear
from scoring.documents.signing import pdf_upload_verify, upload_check_record
from scoring.errors import ScoringError, YearLocked
from scoring.guards import year_assert_open
from scoring.models import DataElement, DocumentSignature, EvidenceFile, Report
from scoring.reporting.services.reports import EDITABLE, report_get_or_create, report_save
from scoring.schemes.selectors import scheme_id_in_force

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


def evidence_kind(upload: UploadedFile) -> str:
    """The content type of an upload, from its first bytes and its name; refuses anything else."""
    assert upload.name is not None  # a file received from a form has a name
    head = upload.read(8)
    upload.seek(0)
    extension = os.path.splitext(upload.name)[1].lower()
    for magic, content_type, extensions in KINDS:
        if head.startswith(magic) and extension in extensions:
            return OFFICE.get(extension, content_type)
    raise ScoringError(
        _("%(file)s: chỉ nhận PDF, JPEG, PNG, XLSX, DOCX hoặc ZIP (kiểm tra theo nội dung tệp).")
        % {"file": upload.name}
    )


def evidence_check(upload: UploadedFile) -> str:
    """The upload's content type, after its size and kind are checked."""
    assert upload.size is not None  # a file received from a form has a size
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ScoringError(
            _("%(file)s: tệp quá lớn (tối đa %(megabytes)s MB).")
            % {"file": upload.name, "megabytes": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
        )
    return evidence_kind(upload)


@contextmanager
def stored_upload(upload: UploadedFile, *, folder: str, name: str) -> Iterator[str]:
    """Write an upload to storage before the transaction (no file I/O while rows are locked),
    under our own name (never the uploader's), and remove it again if the transaction fails."""
    assert upload.name is not None  # a file received from a form has a name
    extension = os.path.splitext(upload.name)[1].lower()
    stored = default_storage.save(f"{folder}/{name}{extension}", upload)
    try:
        yield stored
    except BaseException:
        default_storage.delete(stored)
        raise


def evidence_add(
    *,
    report: Report,
    upload: UploadedFile,
    element_code: str = "",
    actor: Actor = None,
    paper_report: bool = False,
) -> EvidenceFile:
    content_type = evidence_check(upload)
    # A file received from a form has a name and a size (UploadedFile allows None for both).
    assert upload.name is not None and upload.size is not None
    original = os.path.basename(upload.name)[:255]
    # A PDF's digital signatures are checked as it arrives, before any row is locked; whatever
    # they say, the file is attached and the result shown next to it.
    signatures = pdf_upload_verify(upload) if content_type == "application/pdf" else None
    folder = f"evidence/{report.emulation_year.year}"
    with (
        stored_upload(upload, folder=folder, name=f"{report.unit.code}") as stored,
        transaction.atomic(),
    ):
        year_assert_open(emulation_year_id=report.emulation_year_id, lock=True)
        # The report's state under its row lock: it may have been submitted since the page loaded.
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status not in EDITABLE:
            raise ScoringError(
                _("Chỉ đính kèm minh chứng khi báo cáo đang soạn hoặc được trả lại.")
            )
        scheme_id = scheme_id_in_force(report.emulation_year)
        if element_code and (
            scheme_id is None
            or not DataElement.objects.filter(scheme_id=scheme_id, code=element_code).exists()
        ):
            raise ScoringError(_("Số liệu được chọn cho minh chứng không có trong thang điểm."))
        evidence = EvidenceFile.objects.create(
            report=report,
            element_code=element_code,
            file=stored,
            original_name=original,
            content_type=content_type,
            size=upload.size,
            paper_report=paper_report,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if signatures is not None:
            upload_check_record(
                result=signatures,
                emulation_year_id=report.emulation_year_id,
                purpose=DocumentSignature.Purpose.EVIDENCE,
                evidence=evidence,
                actor=actor,
            )
        audit_record(
            actor=actor,
            action="evidence.add",
            obj=report,
            emulation_year_id=report.emulation_year_id,
            summary=f"Đính kèm minh chứng “{original}” ({upload.size} byte)",
            after={"evidence": original, "element": element_code}
            | ({"signature": signatures.status} if signatures is not None else {}),
        )
    return evidence


def report_save_and_attach(
    *,
    emulation_year: EmulationYear,
    unit_id: int,
    report: Report | None,
    upload: UploadedFile | None = None,
    element_code: str = "",
    actor: Actor = None,
    **save: Any,
) -> tuple[Report, ScoringError | None]:
    """The reporter's save of its figures (`save`: report_save's arguments; a draft, or submit),
    then the evidence file chosen with them, if any. The figures are saved first and stay saved
    when the file is then refused: that refusal is returned (for the page to warn), not raised."""
    if report is None:
        if emulation_year.is_published:
            # (No empty draft is created in a published year only to be refused.)
            raise YearLocked(_("Kết quả năm này đã công bố: báo cáo không thể thay đổi."))
        report = report_get_or_create(emulation_year=emulation_year, unit_id=unit_id)
    report = report_save(report=report, actor=actor, **save)
    if upload is None:
        return report, None
    try:
        evidence_add(report=report, upload=upload, element_code=element_code, actor=actor)
    except ScoringError as error:
        return report, error
    return report, None


def evidence_delete(*, report: Report, evidence_id: int, actor: Actor = None) -> None:
    """The reporter removes an evidence file while the report is still being written (draft or
    returned); recorded in the report's history. A submitted report's files stay."""
    with transaction.atomic():
        year_assert_open(emulation_year_id=report.emulation_year_id, lock=True)
        locked = Report.objects.select_for_update().select_related("unit").get(pk=report.pk)
        if locked.status not in EDITABLE:
            raise ScoringError(
                _("Chỉ xoá được minh chứng khi báo cáo đang soạn hoặc được trả lại.")
            )
        evidence = locked.evidence.filter(pk=evidence_id, paper_report=False).first()
        if evidence is None:
            raise ScoringError(_("Không tìm thấy tệp minh chứng này trong báo cáo."))
        stored, original = evidence.file.name, evidence.original_name
        evidence.delete()
        audit_record(
            actor=actor,
            action="evidence.delete",
            obj=locked,
            emulation_year_id=locked.emulation_year_id,
            summary=f"Xoá minh chứng “{original}”",
            before={"evidence": original, "element": evidence.element_code},
        )
        # The file goes once the row is gone for good.
        transaction.on_commit(lambda: default_storage.delete(stored))


def report_enter_from_paper(
    *,
    report: Report,
    expected_version: int,
    values: dict,
    note: str,
    scan: UploadedFile,
    actor: Actor = None,
) -> Report:
    """The secretariat types in a member's figures from its signed paper report and submits them
    in its place, with the scan of the paper kept as the report's evidence; the report says so to
    everyone who opens it, and its history records who entered it. The deadline is not checked:
    the paper's date is on the scan."""
    content_type = evidence_check(scan)
    # A file received from a form has a name and a size (UploadedFile allows None for both).
    assert scan.name is not None and scan.size is not None
    original = os.path.basename(scan.name)[:255]
    signatures = pdf_upload_verify(scan) if content_type == "application/pdf" else None
    folder = f"evidence/{report.emulation_year.year}"
    with (
        stored_upload(scan, folder=folder, name=f"{report.unit.code}-paper") as stored,
        transaction.atomic(),
    ):
        report = report_save(
            report=report,
            expected_version=expected_version,
            values=values,
            note=note,
            submit=True,
            check_deadline=False,
            actor=actor,
        )
        evidence = EvidenceFile.objects.create(
            report=report,
            file=stored,
            original_name=original,
            content_type=content_type,
            size=scan.size,
            paper_report=True,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if signatures is not None:
            upload_check_record(
                result=signatures,
                emulation_year_id=report.emulation_year_id,
                purpose=DocumentSignature.Purpose.PAPER_REPORT,
                evidence=evidence,
                actor=actor,
            )
        Report.objects.filter(pk=report.pk).update(entered_from_paper=True)
        audit_record(
            actor=actor,
            action="report.paper_entry",
            obj=report,
            emulation_year_id=report.emulation_year_id,
            summary=f"Ban thư ký nhập thay báo cáo giấy của {report.unit} (bản scan “{original}”)",
            after={"paper_scan": original}
            | ({"signature": signatures.status} if signatures is not None else {}),
        )
    report.refresh_from_db()
    return report
