"""The records of signatures: a signing in the app (the signed file kept, audited) and the
check of an uploaded PDF, kept next to its file."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from clusters.models import EmulationYear
from scoring.documents.signing.results import (
    INVALID,
    VALID,
    SigningRefused,
    VerificationResult,
    in_language,
    iso_vietnam,
)
from scoring.errors import ScoringError
from scoring.models import DocumentSignature, EvidenceFile, PledgeSignature


def document_sign(
    *,
    emulation_year: EmulationYear,
    pdf_bytes: bytes,
    file_name: str,
    purpose: str,
    signer_name: str,
    signer_title: str,
    reason: str = "",
    location: str = "",
    pkcs12_bytes: bytes | None = None,
    pkcs12_filename: str = "",
    password: str = "",
    page: int = -1,
    box: tuple[float, float, float, float] | None = None,
    document_id: int | None = None,
    actor: Actor = None,
) -> DocumentSignature:
    """Sign a year's PDF (with the PKCS#12 file sent, or the configured token if none is) and
    keep the signed file, with who signed, the certificate and the verification of the result,
    and an audit entry. With trust roots configured, a certificate that does not chain to them is
    refused. Not guarded by the published-year lock: the minutes of the conference, held on the
    published results, are signed after publication. Refusals store nothing."""
    if purpose not in DocumentSignature.Purpose.values:
        raise ScoringError(_("Loại văn bản không hợp lệ."), field="purpose", code="bad_purpose")
    # The signing and its check run before any row is touched (no slow work in a transaction).
    from scoring.documents.signing.sign import sign_pdf  # lazily: see the package
    from scoring.documents.signing.verify import verify_pdf

    signed = sign_pdf(
        pdf_bytes,
        pkcs12_bytes=pkcs12_bytes,
        password=password,
        pkcs12_filename=pkcs12_filename,
        signer_name=signer_name,
        signer_title=signer_title,
        reason=reason,
        location=location,
        page=page,
        box=box,
        filename=file_name,
    )
    result = verify_pdf(signed, filename=file_name)
    latest = result.latest
    if latest is None or result.status == INVALID or latest.status == INVALID:
        raise SigningRefused(result.message(), field="pdf", code="signed_file_invalid")
    if settings.SIGNATURE_TRUST_ROOTS and latest.status != VALID:
        raise SigningRefused(
            _("%(file)s: chứng thư số không được tin cậy — %(reason)s.")
            % {
                "file": pkcs12_filename or _("thiết bị ký số"),
                "reason": "; ".join(in_language(r) for r in latest.reasons),
            },
            field="pkcs12",
            code="certificate_untrusted",
        )
    with transaction.atomic():
        record = DocumentSignature.objects.create(
            emulation_year=emulation_year,
            kind=DocumentSignature.Kind.SIGNED,
            purpose=purpose,
            file_name=file_name[:255],
            sha256=result.sha256,
            size=result.size,
            signed_bytes=signed,
            document_id=document_id,
            signer_name=signer_name[:200],
            signer_title=signer_title[:200],
            certificate_subject=latest.certificate_subject[:500],
            certificate_issuer=latest.certificate_issuer[:500],
            certificate_serial=latest.certificate_serial[:100],
            signed_at=latest.signed_at,
            status=result.status,
            reasons=[r.as_json() for r in result.reasons],
            signatures=result.as_json(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="document.sign",
            obj=record,
            emulation_year_id=emulation_year.pk,
            summary=f"Ký số “{file_name}”: {signer_name} ({signer_title}), "
            f"{iso_vietnam(latest.signed_at)}",
            after={
                "file": file_name,
                "purpose": purpose,
                "sha256": result.sha256,
                "signer": signer_name,
                "title": signer_title,
                "certificate_subject": latest.certificate_subject,
                "certificate_serial": latest.certificate_serial,
                "signed_at": iso_vietnam(latest.signed_at),
                "status": result.status,
            },
        )
    return record


def pdf_upload_verify(upload: UploadedFile) -> VerificationResult | None:
    """The signatures of an uploaded PDF (None for a file that is not a PDF by its first bytes).
    The upload's size is already bounded by its page (emulation/uploads.py)."""
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        return None
    data = upload.read()
    upload.seek(0)
    from scoring.documents.signing.verify import verify_pdf  # lazily, as above

    return verify_pdf(data, filename=os.path.basename(upload.name or ""))


def upload_check_record(
    *,
    result: VerificationResult,
    emulation_year_id: int,
    purpose: str,
    evidence: EvidenceFile | None = None,
    pledge_signature: PledgeSignature | None = None,
    actor: Actor = None,
) -> DocumentSignature:
    """Keep an upload's verification next to its file (inside the upload's own transaction)."""
    latest = result.latest
    return DocumentSignature.objects.create(
        emulation_year_id=emulation_year_id,
        kind=DocumentSignature.Kind.UPLOAD,
        purpose=purpose,
        file_name=result.filename[:255],
        sha256=result.sha256,
        size=result.size,
        evidence=evidence,
        pledge_signature=pledge_signature,
        signer_name=(latest.signer_name if latest else "")[:200],
        certificate_subject=(latest.certificate_subject if latest else "")[:500],
        certificate_issuer=(latest.certificate_issuer if latest else "")[:500],
        certificate_serial=(latest.certificate_serial if latest else "")[:100],
        signed_at=latest.signed_at if latest else None,
        status=result.status,
        reasons=[r.as_json() for r in result.reasons],
        signatures=result.as_json(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
