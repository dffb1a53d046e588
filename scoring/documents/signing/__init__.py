"""Digital signatures of PDF documents (issue 16, item 3).

Signing: PAdES (subfilter ETSI.CAdES.detached, SHA-256) with pyHanko, from a PKCS#12 file sent
for that one signing (read in memory, never written anywhere; its password neither stored nor
logged) or from a key on a PKCS#11 token the administrator configured. The visible stamp follows
NĐ 30/2020's rules for a digital signature (docs/security.md, "Digital signatures"): it sits in
the signature block (by default at the bottom right of the last page), in Times New Roman's
metric twin Liberation Serif, 10 pt, upright, blue, and gives the signer, the title and the time
of signing in ISO 8601 in Vietnam's time zone.

Verification: every signature of a PDF — who (the certificate's common name and organisation),
when (as the signer's clock said, or a timestamp), whether the signed bytes are intact and what
they cover, whether the certificate chain ends at a configured trust root
(settings.SIGNATURE_TRUST_ROOTS; nothing is fetched from the network) and was in force when the
document was signed — summed up as valid, invalid, untrusted or unsigned, with the reasons in
Vietnamese and English. Whatever the bytes are, the answer is a result, never an exception.
"""

from __future__ import annotations

import importlib
from typing import Any

from scoring.documents.signing.records import (
    document_sign,
    pdf_upload_verify,
    upload_check_record,
)
from scoring.documents.signing.results import (
    Reason,
    SignatureCheck,
    SigningRefused,
    VerificationResult,
)

# pyHanko and WeasyPrint are imported when a PDF is first signed or verified, not when Django
# starts: the forms that take signed uploads are reached from the admin's autodiscovery, and the
# two cost ~2.4 s of import in every process — `manage.py score` included (docs/performance.md).
_LAZY = {
    "sign_pdf": "scoring.documents.signing.sign",
    "signature_box": "scoring.documents.signing.sign",
    "stamp_pdf": "scoring.documents.signing.sign",
    "verify_pdf": "scoring.documents.signing.verify",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Reason",
    "SignatureCheck",
    "SigningRefused",
    "VerificationResult",
    "document_sign",
    "pdf_upload_verify",
    "sign_pdf",
    "signature_box",
    "stamp_pdf",
    "upload_check_record",
    "verify_pdf",
]
