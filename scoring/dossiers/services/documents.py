"""Writes of a dossier's documents: a file uploaded for an item of the checklist (a PDF or a Word
file, told by its content), the document the documents room generates from the year's data for a
generated item (the year's archived copy, or one generated now), and a document removed — while
the dossier is in draft or returned, under its row lock, each with an audit row."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from clusters.audit import Actor
from clusters.models import EmulationYear
from scoring.documents.selectors import year_archived_document
from scoring.documents.services import documents_generate
from scoring.dossiers.selectors import award_kind_of
from scoring.dossiers.services.common import (
    DossierStepRefused,
    acting_user,
    checked_text,
    dossier_audit,
    dossier_locked,
    today_or,
)
from scoring.engine import awards as rules
from scoring.engine.awards import dossier as path
from scoring.errors import ScoringError
from scoring.models import DocumentKind, Dossier, DossierDocument, GeneratedDocument
from scoring.reporting.services.evidence import stored_upload

# What a dossier's document may be, told by its first bytes and its name.
FILE_TYPES = {
    ".pdf": (b"%PDF-", "application/pdf"),
    ".docx": (
        b"PK\x03\x04",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


def document_check(upload: UploadedFile) -> str:
    """The upload's content type: a PDF or a Word (DOCX) file, told by its content, within the
    evidence limit."""
    assert upload.name is not None and upload.size is not None  # a file from a form has both
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ScoringError(
            _("%(file)s: tệp quá lớn (tối đa %(megabytes)s MB).")
            % {"file": upload.name, "megabytes": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    extension = os.path.splitext(upload.name)[1].lower()
    head = upload.read(8)
    upload.seek(0)
    magic, content_type = FILE_TYPES.get(extension, (b"", ""))
    if not magic or not head.startswith(magic):
        raise ScoringError(
            _("%(file)s: chỉ nhận tệp PDF hoặc Word (.docx), kiểm tra theo nội dung tệp.")
            % {"file": upload.name},
            field="file",
        )
    return content_type


def _pdf_pages(data: bytes) -> int | None:
    """A PDF's page count (None for one the reader cannot count: still a document)."""
    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(data), strict=False).pages)
    except Exception:
        return None


def _digest_and_pages(upload: UploadedFile, content_type: str) -> tuple[str, int | None]:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    pages = None
    if content_type == "application/pdf":
        pages = _pdf_pages(upload.read())
        upload.seek(0)
    return digest.hexdigest(), pages


def _item(dossier: Dossier, item_code: str, today: dt.date) -> rules.DossierItem:
    kind = award_kind_of(dossier, today)
    for item in kind.dossier if kind is not None else ():
        if item.code == item_code:
            return item
    raise ScoringError(_("Hồ sơ của hình thức này không có mục đó."), field="item_code")


def _editable(dossier: Dossier) -> None:
    if dossier.state not in path.EDITABLE:
        raise DossierStepRefused(
            _("Chỉ thay đổi tài liệu khi hồ sơ đang chuẩn bị hoặc bị trả lại."),
            code="documents_closed",
        )


def _replace(dossier: Dossier, item_code: str) -> None:
    """Remove the item's earlier document (its file once the transaction commits)."""
    old = DossierDocument.objects.filter(dossier=dossier, item_code=item_code).first()
    if old is not None:
        if old.file:
            name = old.file.name
            transaction.on_commit(lambda: default_storage.delete(name))
        old.delete()


def _locked_for(dossier: Dossier, item_code: str) -> Dossier:
    """The dossier's row locked, checked editable, with the item's earlier document removed: ready
    for the item's new one."""
    locked = dossier_locked(dossier)
    _editable(locked)
    _replace(locked, item_code)
    return locked


def dossier_document_add(
    *,
    dossier: Dossier,
    item_code: str,
    upload: UploadedFile,
    number: str = "",
    issued_on: dt.date | None = None,
    actor: Actor = None,
    today: dt.date | None = None,
) -> DossierDocument:
    """A file for an item of the checklist (replacing the item's earlier one)."""
    today = today_or(today)
    item = _item(dossier, item_code, today)
    content_type = document_check(upload)
    assert upload.name is not None and upload.size is not None
    digest, pages = _digest_and_pages(upload, content_type)
    original = os.path.basename(upload.name)[:255]
    folder = f"dossiers/{dossier.emulation_year.year}"
    with (
        stored_upload(upload, folder=folder, name=f"{dossier.pk}-{item.code}") as stored,
        transaction.atomic(),
    ):
        locked = _locked_for(dossier, item.code)
        document = DossierDocument.objects.create(
            dossier=locked,
            item_code=item.code,
            file=stored,
            original_name=original,
            content_type=content_type,
            size=upload.size,
            sha256=digest,
            pages=pages,
            number=checked_text(number, "number")[:60],
            issued_on=issued_on,
            uploaded_by=acting_user(actor),
        )
        dossier_audit(
            locked,
            "document",
            actor,
            f"Đính kèm “{item.name}”: {original} ({upload.size} byte)",
            after={"item": item.code, "file": original, "sha256": digest},
        )
    return document


def _generated_source(
    dossier: Dossier, item: rules.DossierItem, actor: Actor, today: dt.date
) -> tuple[GeneratedDocument, bool]:
    """The documents room's document an item is filed as, and whether it existed: the year's
    newest archived one of the item's kind (for a score sheet, the dossier's unit's), else one
    generated now — archived, the year being published. The rendering happens here, outside
    any transaction; a template failing on the year's data is the room's refusal (DocumentRefused:
    nothing stored)."""
    year = EmulationYear.objects.select_related("cluster").get(pk=dossier.emulation_year_id)
    if not year.is_published:
        # A draft still changes, and the documents room replaces its drafts: a dossier files
        # only what the published year archived.
        raise DossierStepRefused(
            _(
                "Kết quả năm %(year)s chưa công bố: tài liệu tạo từ dữ liệu chỉ dùng bản lưu trữ "
                "của năm đã công bố."
            )
            % {"year": year.year},
            code="year_not_published",
        )
    if item.document == DocumentKind.PROPOSAL and dossier.proposal_id is None:
        raise ScoringError(
            _(
                "Tờ trình của năm chỉ nêu các đề nghị của hội nghị tổng kết, mà hồ sơ này không "
                "lập từ đề nghị của hội nghị: hãy tải tờ trình lên."
            ),
            field="item_code",
        )
    unit_id = dossier.unit_id if item.document == DocumentKind.SCORE_SHEET else None
    found = year_archived_document(emulation_year=year, kind=item.document, unit_id=unit_id)
    if found is not None:
        return found, True
    made = documents_generate(
        emulation_year=year,
        kind=item.document,
        unit_ids=[unit_id] if unit_id else None,
        issued_on=today,
        actor=actor,
    )
    if len(made) != 1 or not made[0].archived:  # the year reopened meanwhile: a draft
        raise DossierStepRefused(
            _("Năm %(year)s vừa được mở lại: chưa có bản lưu trữ để dùng.") % {"year": year.year},
            code="year_not_published",
        )
    return made[0], False


def dossier_document_generated(
    *, dossier: Dossier, item_code: str, actor: Actor = None, today: dt.date | None = None
) -> DossierDocument:
    """The item filled by the document the documents room generates from the year's data (the
    minutes with the vote results, the cluster's letter): the year's archived copy, or one
    generated now (`_generated_source`). The item points at it and carries its number, date,
    the PDF's digest, size and page count; the package takes its Word and PDF files."""
    today = today_or(today)
    item = _item(dossier, item_code, today)
    if item.source != "generated":
        raise ScoringError(_("Mục này phải tải tệp lên."), field="item_code")
    # Before rendering anything (read now: a step may have been taken since); again under the lock.
    _editable(Dossier.objects.only("state").get(pk=dossier.pk))
    source, reused = _generated_source(dossier, item, actor, today)
    pdf = bytes(source.pdf)
    pages = _pdf_pages(pdf)
    with transaction.atomic():
        locked = _locked_for(dossier, item.code)
        document = DossierDocument.objects.create(
            dossier=locked,
            item_code=item.code,
            generated=True,
            generated_document=source,
            content_type="application/pdf",
            size=len(pdf),
            sha256=source.pdf_sha256,
            pages=pages,
            number=source.number,
            issued_on=source.issued_on,
            uploaded_by=acting_user(actor),
        )
        dossier_audit(
            locked,
            "document_generated",
            actor,
            f"Dùng “{item.name}” tạo từ dữ liệu của năm: {source.number}, "
            f"{source.issued_on:%d/%m/%Y}" + (" (bản lưu trữ có sẵn)" if reused else ""),
            after={
                "item": item.code,
                "generated": True,
                "document": source.pk,
                "kind": source.kind,
                "pdf_sha256": source.pdf_sha256,
                "reused": reused,
            },
        )
    return document


def dossier_document_remove(*, dossier: Dossier, document_id: int, actor: Actor = None) -> None:
    with transaction.atomic():
        locked = dossier_locked(dossier)
        _editable(locked)
        document = DossierDocument.objects.filter(dossier=locked, pk=document_id).first()
        if document is None:
            raise ScoringError(_("Không có tài liệu này trong hồ sơ."))
        if document.file:
            name = document.file.name
            transaction.on_commit(lambda: default_storage.delete(name))
        document.delete()
        dossier_audit(
            locked,
            "document_remove",
            actor,
            f"Bỏ tài liệu mục {document.item_code}",
            before={"item": document.item_code, "file": document.original_name},
        )
