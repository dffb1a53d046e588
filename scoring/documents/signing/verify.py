"""The verification of a PDF's signatures: offline, against the configured trust roots."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from emulation.uploads import format_bytes
from scoring.documents.signing.results import (
    INVALID,
    UNSIGNED,
    UNTRUSTED,
    VALID,
    Reason,
    SignatureCheck,
    VerificationResult,
    both_languages,
    day_vietnam,
    name_fields,
)

logger = logging.getLogger(__name__)

# More signatures than a year's document ever carries (chair, secretary, a few members); each one
# costs a hash of the file and a difference analysis, so a file cannot ask for thousands.
MAX_SIGNATURES = 20
# Certificates of Vietnamese CAs carry both; either is enough to sign a document.
KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)


def verify_pdf(pdf_bytes: bytes, *, filename: str) -> VerificationResult:
    """Every signature of `pdf_bytes` checked offline against settings.SIGNATURE_TRUST_ROOTS.
    A file too large, not a PDF or broken gives an "invalid" result saying so."""
    digest = hashlib.sha256(pdf_bytes).hexdigest()

    def refused(reason: Reason) -> VerificationResult:
        return VerificationResult(filename, digest, len(pdf_bytes), INVALID, (), (reason,))

    limit = settings.SIGNATURE_PDF_MAX_BYTES
    if len(pdf_bytes) > limit:
        # Refused before any parsing: a PDF's cost grows with its objects, not its name.
        return refused(
            both_languages(
                "too_large",
                gettext_lazy("tệp quá lớn để kiểm tra chữ ký (tối đa %(limit)s)"),
                limit=format_bytes(limit),
            )
        )
    if b"%PDF-" not in pdf_bytes[:1024]:
        return refused(both_languages("not_pdf", gettext_lazy("tệp không phải là PDF")))
    roots, root_problems = _trust_roots()
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = reader.embedded_signatures
        revisions = reader.xrefs.total_revisions
    except Exception as error:  # a hostile or broken file must end here, never in a 500
        logger.info("PDF not readable for a signature check: %s (%s)", filename, type(error))
        return refused(
            both_languages(
                "unreadable", gettext_lazy("không đọc được tệp PDF (tệp hỏng hoặc bị cắt cụt)")
            )
        )
    if not embedded:
        return VerificationResult(
            filename,
            digest,
            len(pdf_bytes),
            UNSIGNED,
            (),
            (both_languages("unsigned", gettext_lazy("tệp không có chữ ký số")),),
        )
    if len(embedded) > MAX_SIGNATURES:
        return refused(
            both_languages(
                "too_many_signatures",
                gettext_lazy("tệp có %(count)s chữ ký, quá số chữ ký được kiểm tra (%(limit)s)"),
                count=len(embedded),
                limit=MAX_SIGNATURES,
            )
        )
    checks = tuple(_check(sig, roots, root_problems, revisions) for sig in embedded)
    statuses = {c.status for c in checks}
    status = INVALID if INVALID in statuses else UNTRUSTED if UNTRUSTED in statuses else VALID
    reasons: list[Reason] = []
    for check in checks:
        for r in check.reasons:
            if len(checks) > 1:  # say whose signature each reason is about
                r = Reason(r.code, f"{check.signer_name}: {r.vi}", f"{check.signer_name}: {r.en}")
            reasons.append(r)
    return VerificationResult(filename, digest, len(pdf_bytes), status, checks, tuple(reasons))


def _trust_roots() -> tuple[list[asn1_x509.Certificate], list[Reason]]:
    """The configured trust roots, and a reason for each configured file that gave none."""
    roots: list[asn1_x509.Certificate] = []
    problems: list[Reason] = []
    for path in settings.SIGNATURE_TRUST_ROOTS:
        try:
            found = list(load_certs_from_pemder_data(Path(path).read_bytes()))
        except (OSError, ValueError, TypeError):
            found = []
        if not found:
            problems.append(
                both_languages(
                    "trust_root_unreadable",
                    gettext_lazy("không đọc được chứng thư gốc tin cậy %(path)s"),
                    path=path,
                )
            )
        roots.extend(found)
    return roots, problems


def _check(sig, roots, root_problems: list[Reason], revisions: int) -> SignatureCheck:
    cert = sig.signer_cert
    subject = name_fields(cert.subject) if cert is not None else {}
    name = subject.get("common_name", "")
    valid_from = cert.not_valid_before if cert is not None else None
    valid_until = cert.not_valid_after if cert is not None else None
    revision = sig.signed_revision + 1
    base = {
        "field_name": sig.field_name or "",
        "signer_name": name,
        "organisation": subject.get("organization_name", ""),
        "certificate_subject": cert.subject.human_friendly if cert is not None else "",
        "certificate_issuer": cert.issuer.human_friendly if cert is not None else "",
        "certificate_serial": format(cert.serial_number, "x") if cert is not None else "",
        "valid_from": valid_from,
        "valid_until": valid_until,
        "revision": revision,
        "revisions": revisions,
    }
    # Trust is judged now: without a trusted timestamp the time the signer gives is a claim.
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(sig, context, key_usage_settings=KEY_USAGE)
    except Exception as error:  # a signature dictionary or CMS that cannot be read
        logger.info("Signature not readable: %s", type(error))
        reason = both_languages("signature_unreadable", gettext_lazy("không đọc được chữ ký số"))
        return SignatureCheck(
            **base,
            signed_at=None,
            timestamped=False,
            intact=False,
            coverage="partial",
            trusted=False,
            expired_at_signing=False,
            status=INVALID,
            reasons=(reason,),
        )
    timestamp = getattr(status, "timestamp_validity", None)
    signed_at = timestamp.timestamp if timestamp is not None else status.signer_reported_dt
    intact = bool(status.intact and status.valid)
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        coverage = "file"
    elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        coverage = "revision"
    else:
        coverage = "partial"
    expired_at_signing = bool(
        signed_at and valid_from and valid_until and not (valid_from <= signed_at <= valid_until)
    )
    broken: list[Reason] = []
    doubtful: list[Reason] = []
    fine: list[Reason] = []
    if not intact:
        broken.append(
            both_languages(
                "tampered",
                gettext_lazy(
                    "nội dung đã bị thay đổi sau khi ký: các byte được ký không còn khớp chữ ký"
                ),
            )
        )
    elif coverage == "partial":
        broken.append(
            both_languages(
                "partial_coverage",
                gettext_lazy("chữ ký không phủ trọn một phiên bản của tệp"),
            )
        )
    elif coverage == "revision":
        level = status.modification_level
        benign = level in (ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
        if status.docmdp_ok is False or not benign:
            broken.append(
                both_languages(
                    "changed_after_signing",
                    gettext_lazy(
                        "tệp đã bị sửa sau khi ký (chữ ký phủ phiên bản %(revision)s/%(revisions)s; "
                        "phần thêm sau không chỉ là chữ ký khác)"
                    ),
                    revision=revision,
                    revisions=revisions,
                )
            )
        else:
            fine.append(
                both_languages(
                    "intact_revision",
                    gettext_lazy(
                        "nội dung còn nguyên vẹn: chữ ký phủ phiên bản %(revision)s/%(revisions)s, "
                        "phần thêm sau chỉ là chữ ký khác"
                    ),
                    revision=revision,
                    revisions=revisions,
                )
            )
    else:
        fine.append(
            both_languages(
                "intact", gettext_lazy("nội dung còn nguyên vẹn: chữ ký phủ toàn bộ tệp")
            )
        )
    if expired_at_signing:
        assert valid_from is not None and valid_until is not None
        broken.append(
            both_languages(
                "expired_at_signing",
                gettext_lazy(
                    "chứng thư số không có hiệu lực lúc ký (hiệu lực từ %(start)s đến %(end)s)"
                ),
                start=day_vietnam(valid_from),
                end=day_vietnam(valid_until),
            )
        )
    trusted = bool(status.trusted) and intact
    if not roots:
        doubtful.append(
            both_languages(
                "no_trust_roots",
                gettext_lazy("không xác minh được chuỗi chứng thư: chưa cấu hình gốc tin cậy"),
            )
        )
        doubtful.extend(root_problems)
    elif status.revoked:
        broken.append(both_languages("revoked", gettext_lazy("chứng thư số đã bị thu hồi")))
    elif intact and not trusted:
        doubtful.append(_untrusted_reason(status, valid_until))
    elif trusted:
        anchor = status.validation_path[0] if status.validation_path else None
        fine.append(
            both_languages(
                "trusted",
                gettext_lazy("chuỗi chứng thư dẫn tới gốc tin cậy %(root)s"),
                root=name_fields(anchor.subject).get("common_name", "") if anchor else "",
            )
        )
    result = INVALID if broken else UNTRUSTED if doubtful or not trusted else VALID
    return SignatureCheck(
        **base,
        signed_at=signed_at,
        timestamped=timestamp is not None,
        intact=intact,
        coverage=coverage,
        trusted=trusted,
        expired_at_signing=expired_at_signing,
        status=result,
        reasons=tuple(broken or doubtful or fine),
    )


def _untrusted_reason(status, valid_until: dt.datetime | None) -> Reason:
    """Why an intact signature's certificate is not confirmed."""
    now = timezone.now()
    if valid_until is not None and valid_until < now:
        return both_languages(
            "expired",
            gettext_lazy(
                "chứng thư số đã hết hạn ngày %(end)s (sau thời điểm ký); không có dấu thời gian "
                "đáng tin cậy để xác nhận chữ ký được tạo khi chứng thư còn hiệu lực"
            ),
            end=day_vietnam(valid_until),
        )
    indication = getattr(status.trust_problem_indic, "name", "")
    if indication == "NO_CERTIFICATE_CHAIN_FOUND":
        return both_languages(
            "untrusted_chain",
            gettext_lazy("chuỗi chứng thư không dẫn tới gốc tin cậy nào đã cấu hình"),
        )
    return both_languages(
        "untrusted",
        gettext_lazy("không xác minh được chứng thư số của người ký (%(indication)s)"),
        indication=indication or "?",
    )
