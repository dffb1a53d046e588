"""Signing with a key on a PKCS#11 token (settings.SIGNATURE_PKCS11_*), against SoftHSM.

Runs only where python-pkcs11 (not a dependency of the app: docs/dependencies.md) and SoftHSM
2 (`softhsm2`, with `pkcs11-tool` from `opensc`) are installed; skipped otherwise, CI included.
Run by hand: apt-get install softhsm2 opensc; pip install --target /tmp/p11 python-pkcs11;
PYTHONPATH=/tmp/p11 TESTING=1 .venv/bin/python -m pytest tests/documents/test_signing_pkcs11.py"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from scoring.documents.signing import SigningRefused, sign_pdf, verify_pdf

pytest.importorskip("pkcs11", reason="python-pkcs11 is not installed")
MODULE = "/usr/lib/softhsm/libsofthsm2.so"
if not (shutil.which("softhsm2-util") and shutil.which("pkcs11-tool")):
    pytest.skip("SoftHSM 2 and pkcs11-tool are not installed", allow_module_level=True)


@pytest.fixture
def token(ca, tmp_path, monkeypatch, settings):
    """A SoftHSM token in the test's folder holding an RSA key, its certificate and the CA's."""
    (tmp_path / "tokens").mkdir()
    config = tmp_path / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(config))
    leaf = ca.leaf("Nguyễn Văn An", use_rsa=True)
    (tmp_path / "key.pem").write_bytes(leaf.key_pem)
    (tmp_path / "leaf.der").write_bytes(leaf.der)
    (tmp_path / "ca.der").write_bytes(ca.intermediate.der)

    def run(*command):
        subprocess.run(command, check=True, capture_output=True, cwd=tmp_path)

    run(
        "softhsm2-util",
        "--init-token",
        "--free",
        "--label",
        "thidua",
        "--pin",
        "1234",
        "--so-pin",
        "5678",
    )
    run(
        "softhsm2-util",
        "--import",
        "key.pem",
        "--token",
        "thidua",
        "--label",
        "chu-tri",
        "--id",
        "01",
        "--pin",
        "1234",
    )
    for name, label, ident in (("leaf.der", "chu-tri", "01"), ("ca.der", "trung-gian", "02")):
        run(
            "pkcs11-tool",
            "--module",
            MODULE,
            "--token-label",
            "thidua",
            "--login",
            "--pin",
            "1234",
            "--write-object",
            name,
            "--type",
            "cert",
            "--label",
            label,
            "--id",
            ident,
        )
    settings.SIGNATURE_PKCS11_MODULE = MODULE
    settings.SIGNATURE_PKCS11_TOKEN_LABEL = "thidua"
    settings.SIGNATURE_PKCS11_KEY_LABEL = "chu-tri"
    settings.SIGNATURE_PKCS11_CERT_LABEL = ""
    settings.SIGNATURE_PKCS11_PIN = "1234"
    return settings


def sign(minutes):
    return sign_pdf(
        minutes,
        pkcs12_bytes=None,
        signer_name="Nguyễn Văn An",
        signer_title="Chủ trì hội nghị",
        reason="Ký biên bản",
        location="Hà Nội",
        filename="bien-ban.pdf",
    )


def test_the_minutes_signed_on_the_token_verify_as_valid(minutes, token, trusted):
    result = verify_pdf(sign(minutes), filename="bien-ban.pdf")

    assert result.status == "valid", result.reasons
    assert result.latest.signer_name == "Nguyễn Văn An"


def test_a_wrong_pin_is_a_clear_error_that_does_not_show_the_pin(minutes, token):
    token.SIGNATURE_PKCS11_PIN = "9999"

    with pytest.raises(SigningRefused) as refused:
        sign(minutes)

    assert refused.value.code == "pkcs11_failed"
    assert str(refused.value) == "Không mở được thiết bị ký số: PinIncorrect."
