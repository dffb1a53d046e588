"""The emulation pledge: published by the secretariat, signed by every member; once all have
signed, the targets are binding (changes become recorded amendments)."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from clusters.models import EmulationYear, Unit
from scoring.documents.signing import pdf_upload_verify, upload_check_record
from scoring.errors import ScoringError, YearLocked
from scoring.guards import year_assert_open
from scoring.models import DocumentSignature, Pledge, PledgeSignature
from scoring.reporting.services.evidence import stored_upload

# What a scan may be, told by its first bytes rather than its name.
SCAN_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
SCAN_MAX_BYTES = 10 * 1024 * 1024


def scan_check(upload: UploadedFile) -> None:
    assert upload.size is not None  # a file received from a form has a size
    if upload.size > SCAN_MAX_BYTES:
        raise ScoringError(_("%(file)s: tệp quá lớn (tối đa 10 MB).") % {"file": upload.name})
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in SCAN_SIGNATURES):
        raise ScoringError(
            _("%(file)s: chỉ nhận bản scan PDF, JPEG hoặc PNG.") % {"file": upload.name}
        )


def pledge_publish(
    *, emulation_year: EmulationYear, title: str, text: str, actor: Actor = None
) -> Pledge:
    with transaction.atomic():
        year = EmulationYear.objects.select_for_update().get(pk=emulation_year.pk)
        if year.is_published:
            raise YearLocked(_("Năm này đã công bố kết quả."))
        pledge, _created = Pledge.objects.get_or_create(
            emulation_year=year, defaults={"title": title}
        )
        if pledge.locked_at is not None:
            raise ScoringError(
                _("Giao ước đã được ký đủ: không sửa nội dung, chỉ sửa đổi chỉ tiêu kèm lý do.")
            )
        before = {"title": pledge.title, "text": pledge.text} if not _created else None
        pledge.title, pledge.text = title, text
        pledge.published_at = pledge.published_at or timezone.now()
        pledge.save()
        audit_record(
            actor=actor,
            action="pledge.publish",
            obj=pledge,
            emulation_year_id=year.pk,
            summary=f"Công bố giao ước thi đua năm {year.year}",
            before=before,
            after={"title": title, "text": text},
        )
    return pledge


def pledge_sign(
    *,
    pledge: Pledge,
    unit: Unit,
    signed_by: str,
    title: str,
    signed_on: dt.date,
    scan: UploadedFile | None = None,
    actor: Actor = None,
) -> PledgeSignature:
    """Record a member's signature; the last one locks the targets."""
    if scan is not None:
        scan_check(scan)
    # A signed PDF of the pledge is checked as it arrives (before any row is locked); the result
    # is kept and shown next to the scan, whatever it says.
    signatures = pdf_upload_verify(scan) if scan is not None else None
    year = pledge.emulation_year
    storing = (
        stored_upload(scan, folder=f"pledges/{year.year}", name=f"{year.cluster.code}-{unit.code}")
        if scan is not None
        else nullcontext(None)
    )
    try:
        with storing as stored, transaction.atomic():
            year_assert_open(emulation_year_id=pledge.emulation_year_id, lock=True)
            locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
            members = set(locked.emulation_year.memberships.values_list("unit_id", flat=True))
            if unit.pk not in members:
                raise ScoringError(
                    _("%(unit)s không phải thành viên năm %(year)s.")
                    % {"unit": unit, "year": locked.emulation_year.year}
                )
            signature = PledgeSignature.objects.create(
                pledge=locked,
                unit=unit,
                signed_by=signed_by,
                title=title,
                signed_on=signed_on,
                scan=stored or "",
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            if signatures is not None:
                upload_check_record(
                    result=signatures,
                    emulation_year_id=locked.emulation_year_id,
                    purpose=DocumentSignature.Purpose.PLEDGE_SCAN,
                    pledge_signature=signature,
                    actor=actor,
                )
            audit_record(
                actor=actor,
                action="pledge.sign",
                obj=signature,
                emulation_year_id=locked.emulation_year_id,
                summary=f"{unit} ký giao ước: {signed_by} ({title}), {signed_on:%d/%m/%Y}",
                after={
                    "unit": unit.code,
                    "signed_by": signed_by,
                    "title": title,
                    "signed_on": signed_on.isoformat(),
                }
                | ({"scan_signature": signatures.status} if signatures is not None else {}),
            )
            signed = set(locked.signatures.values_list("unit_id", flat=True))
            if members <= signed and locked.locked_at is None:
                locked.locked_at = timezone.now()
                locked.save(update_fields=["locked_at"])
                audit_record(
                    actor=actor,
                    action="pledge.lock",
                    obj=locked,
                    emulation_year_id=locked.emulation_year_id,
                    summary="Tất cả thành viên đã ký: chỉ tiêu được khóa, mọi thay đổi là sửa đổi giao ước",
                )
                EmulationYear.objects.filter(
                    pk=locked.emulation_year_id, status=EmulationYear.Status.PLANNING
                ).update(status=EmulationYear.Status.PLEDGED)
    except IntegrityError:
        raise ScoringError(_("%(unit)s đã ký giao ước này.") % {"unit": unit}) from None
    return signature
