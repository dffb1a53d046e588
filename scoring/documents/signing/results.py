"""What a signature check says: the reasons in both languages, each signature's facts, the
verdict on a file; and the refusal of a signing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from django.utils import translation
from django.utils.functional import Promise

from scoring.errors import ScoringError
from scoring.models import DocumentSignature

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class SigningRefused(ScoringError):
    """A signing the app will not do: a PKCS#12 file that cannot be used, a certificate out of
    force or not trusted, a document that cannot be signed. Nothing is stored."""

    code = "signing_refused"


@dataclass(frozen=True)
class Reason:
    """One reason in words, in both languages, and a code that does not change with them."""

    code: str
    vi: str
    en: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "vi": self.vi, "en": self.en}


def in_language(reason: Reason) -> str:
    """The reason in the request's language (English for English, else Vietnamese)."""
    return reason.en if (translation.get_language() or "").startswith("en") else reason.vi


def both_languages(code: str, text: Promise | str, **params: Any) -> Reason:
    """`text` (gettext_lazy) in Vietnamese and in English, whatever the request's language."""
    words = {}
    for language in ("vi", "en"):
        with translation.override(language):
            words[language] = str(text) % params if params else str(text)
    return Reason(code, words["vi"], words["en"])


@dataclass(frozen=True)
class SignatureCheck:
    """What one signature of a file says and whether it holds."""

    field_name: str
    signer_name: str  # the certificate's common name
    organisation: str
    certificate_subject: str
    certificate_issuer: str
    certificate_serial: str  # hexadecimal
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    signed_at: dt.datetime | None  # the signer's clock, or the timestamp's if there is one
    timestamped: bool
    intact: bool  # the signed bytes hash to what was signed, and the signature checks out
    coverage: str  # "file" | "revision" | "partial"
    revision: int  # which revision of the file it signed (1 = the first)
    revisions: int
    trusted: bool
    expired_at_signing: bool
    status: str
    reasons: tuple[Reason, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field_name,
            "signer": self.signer_name,
            "organisation": self.organisation,
            "subject": self.certificate_subject,
            "issuer": self.certificate_issuer,
            "serial": self.certificate_serial,
            "valid_from": iso_vietnam(self.valid_from),
            "valid_until": iso_vietnam(self.valid_until),
            "signed_at": iso_vietnam(self.signed_at),
            "timestamped": self.timestamped,
            "intact": self.intact,
            "coverage": self.coverage,
            "revision": self.revision,
            "revisions": self.revisions,
            "trusted": self.trusted,
            "expired_at_signing": self.expired_at_signing,
            "status": self.status,
            "reasons": [r.as_json() for r in self.reasons],
        }


@dataclass(frozen=True)
class VerificationResult:
    """A file's signatures and the verdict on the whole: valid (every signature intact, in
    force and trusted), invalid (a signature broken, a change after signing, a certificate out of
    force when used, or a file that cannot be read), untrusted (intact, but the signer cannot be
    confirmed), unsigned."""

    filename: str
    sha256: str
    size: int
    status: str
    signatures: tuple[SignatureCheck, ...] = ()
    reasons: tuple[Reason, ...] = ()

    @property
    def latest(self) -> SignatureCheck | None:
        return self.signatures[-1] if self.signatures else None

    def as_json(self) -> list[dict[str, Any]]:
        return [s.as_json() for s in self.signatures]

    def message(self) -> str:
        """One line for the user, in the request's language, naming the file."""
        words = "; ".join(in_language(r) for r in self.reasons)
        label = DocumentSignature.Status(self.status).label
        return f"{self.filename}: {label}" + (f" — {words}" if words else "")


VALID = DocumentSignature.Status.VALID.value
INVALID = DocumentSignature.Status.INVALID.value
UNTRUSTED = DocumentSignature.Status.UNTRUSTED.value
UNSIGNED = DocumentSignature.Status.UNSIGNED.value


def iso_vietnam(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds") if moment else None


def name_fields(name: asn1_x509.Name) -> dict[str, str]:
    fields_: dict[str, str] = {}
    for key, value in name.native.items():
        fields_[key] = ", ".join(value) if isinstance(value, list) else str(value)
    return fields_


def day_vietnam(moment: dt.datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y")
