"""Start-up checks of the signature settings: a configuration that cannot work is an error
before the first user meets it (`manage.py check`, and every start of the server)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.core.checks import Error


def signature_settings_check(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for path in settings.SIGNATURE_TRUST_ROOTS:
        if not _holds_a_certificate(path):
            errors.append(
                Error(
                    f"SIGNATURE_TRUST_ROOTS: {path} is not a readable PEM or DER certificate.",
                    hint="List the trust roots' certificate files, comma-separated "
                    "(docs/operations.md, 'Digital signatures').",
                    id="scoring.E101",
                )
            )
    module = settings.SIGNATURE_PKCS11_MODULE
    if module:
        if importlib.util.find_spec("pkcs11") is None:
            errors.append(
                Error(
                    "SIGNATURE_PKCS11_MODULE is set but the python-pkcs11 package is not "
                    "installed.",
                    hint="pip install 'pyHanko[pkcs11]', or unset SIGNATURE_PKCS11_MODULE to "
                    "sign with PKCS#12 files only (docs/operations.md).",
                    id="scoring.E102",
                )
            )
        if not Path(module).is_file():
            errors.append(
                Error(
                    f"SIGNATURE_PKCS11_MODULE: {module} does not exist.",
                    hint="The path of the token's PKCS#11 library (a .so file).",
                    id="scoring.E103",
                )
            )
        if not settings.SIGNATURE_PKCS11_KEY_LABEL:
            errors.append(
                Error(
                    "SIGNATURE_PKCS11_MODULE is set without SIGNATURE_PKCS11_KEY_LABEL.",
                    hint="The label of the signing key on the token.",
                    id="scoring.E104",
                )
            )
    return errors


def _holds_a_certificate(path: str) -> bool:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return False
    try:
        return bool(x509.load_pem_x509_certificates(data))
    except ValueError:
        pass
    try:
        x509.load_der_x509_certificate(data)
    except ValueError:
        return False
    return True
