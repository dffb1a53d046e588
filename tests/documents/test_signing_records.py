"""A signing in the app is kept (the signed file, the signer, the certificate, the check) and
audited; a refused one leaves nothing; the PKCS#12 file and its password are never stored."""

from __future__ import annotations

import base64
import logging

import pytest
from cryptography.hazmat.primitives import serialization
from django.apps import apps
from django.db import IntegrityError, transaction

from clusters.models import AuditEntry
from scoring.documents.signing import SigningRefused, document_sign, verify_pdf
from scoring.errors import ScoringError
from scoring.models import DocumentSignature
from tests.documents.conftest import PASSWORD
from tests.documents.pki import make_ca

pytestmark = pytest.mark.django_db


def sign(world, minutes, p12, **extra):
    arguments = {
        "emulation_year": world.year,
        "pdf_bytes": minutes,
        "file_name": "bien-ban-hoi-nghi-2025.pdf",
        "purpose": DocumentSignature.Purpose.MINUTES,
        "signer_name": "Nguyễn Văn An",
        "signer_title": "Chủ trì hội nghị",
        "reason": "Ký biên bản hội nghị",
        "location": "Hà Nội",
        "pkcs12_bytes": p12,
        "pkcs12_filename": "chu-tri.p12",
        "password": PASSWORD,
        "document_id": None,  # (a generated document: tests/documents/test_sign_generated.py)
        "actor": world.secretariat,
    }
    arguments.update(extra)
    return document_sign(**arguments)


def every_stored_value():
    """Every value of every row of every table of the project, as text and as bytes."""
    for model in apps.get_models():
        if model._meta.app_label not in {"clusters", "scoring", "auth", "axes", "sessions"}:
            continue
        for row in model.objects.all():
            for field in model._meta.concrete_fields:
                value = field.value_from_object(row)
                if isinstance(value, memoryview | bytes):
                    yield model, field, bytes(value)
                elif value is not None:
                    yield model, field, str(value)


def test_a_signing_keeps_the_signed_file_with_its_signer_and_audits_it(
    world, minutes, chair_p12, trusted
):
    record = sign(world, minutes, chair_p12)

    record.refresh_from_db()
    assert (record.kind, record.purpose, record.status) == ("signed", "minutes", "valid")
    assert record.document_id is None and record.created_by == world.secretariat
    assert (record.signer_name, record.signer_title) == ("Nguyễn Văn An", "Chủ trì hội nghị")
    assert "Nguyễn Văn An" in record.certificate_subject
    assert "CA thử nghiệm" in record.certificate_issuer and record.certificate_serial
    signed = bytes(record.signed_bytes)
    assert verify_pdf(signed, filename="x.pdf").status == "valid"
    assert record.size == len(signed) and len(record.sha256) == 64
    assert [r["code"] for r in record.reasons] == ["intact", "trusted"]
    assert record.signatures[0]["signer"] == "Nguyễn Văn An"
    entry = AuditEntry.objects.get(action="document.sign")
    assert entry.actor == world.secretariat and entry.emulation_year_id == world.year.pk
    assert entry.object_id == str(record.pk)
    assert entry.after["sha256"] == record.sha256 and entry.after["status"] == "valid"
    assert entry.after["signed_at"] == record.signatures[0]["signed_at"]
    assert entry.summary.startswith("Ký số “bien-ban-hoi-nghi-2025.pdf”: Nguyễn Văn An")


def test_the_pkcs12_file_and_its_password_are_stored_nowhere(
    world, minutes, chair, chair_p12, trusted, caplog
):
    caplog.set_level(logging.DEBUG)
    sign(world, minutes, chair_p12)
    with pytest.raises(SigningRefused):
        sign(world, minutes, chair_p12, password="một mật khẩu sai")

    forms = [PASSWORD, "một mật khẩu sai"]
    p12_forms = [chair_p12, base64.b64encode(chair_p12), chair_p12.hex().encode()]
    looked_at = 0
    for model, field, value in every_stored_value():
        looked_at += 1
        if isinstance(value, bytes):
            assert not any(p in value for p in p12_forms), (model, field)
            assert not any(p.encode() in value for p in forms), (model, field)
        else:
            assert not any(p in value for p in forms), (model, field)
            assert not any(p.decode() in value for p in p12_forms[1:]), (model, field)
    assert looked_at > 50  # the walk did see the rows (signature, audit entry, users…)
    assert not any(p in caplog.text for p in forms)
    # The private key is not in the signed file either (its certificate is, as it should be).
    # The signature container sits in the PDF as hexadecimal.
    signed = bytes(DocumentSignature.objects.get().signed_bytes).lower()
    private_value = chair.key.private_numbers().private_value.to_bytes(32, "big")
    assert private_value not in signed and private_value.hex().encode() not in signed
    assert chair.certificate.public_bytes(serialization.Encoding.DER).hex().encode() in signed


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"password": "sai"}, "pkcs12_password", "password"),
        ({"pkcs12_bytes": b"not a p12"}, "pkcs12_unreadable", "pkcs12"),
        ({"pdf_bytes": b"%PDF-1.7 broken"}, "pdf_unreadable", "pdf"),
        ({"purpose": "hacked"}, "bad_purpose", "purpose"),
    ],
    ids=["wrong-password", "not-pkcs12", "broken-pdf", "unknown-purpose"],
)
def test_a_refused_signing_stores_nothing(world, minutes, chair_p12, change, code, field):
    with pytest.raises(ScoringError) as refused:
        sign(world, minutes, chair_p12, **change)

    assert (refused.value.code, refused.value.field) == (code, field)
    assert not DocumentSignature.objects.exists()
    assert not AuditEntry.objects.exists()


def test_with_trust_roots_a_certificate_of_another_ca_is_refused_at_signing(
    world, minutes, trusted
):
    other = make_ca("CA lạ")

    with pytest.raises(SigningRefused) as refused:
        sign(world, minutes, other.pkcs12(other.leaf(), PASSWORD), pkcs12_filename="la.p12")

    assert refused.value.code == "certificate_untrusted"
    assert str(refused.value) == (
        "la.p12: chứng thư số không được tin cậy — chuỗi chứng thư không dẫn tới gốc tin cậy "
        "nào đã cấu hình."
    )
    assert not DocumentSignature.objects.exists() and not AuditEntry.objects.exists()


def test_without_trust_roots_the_signing_is_kept_as_untrusted(world, minutes, chair_p12, settings):
    settings.SIGNATURE_TRUST_ROOTS = []

    record = sign(world, minutes, chair_p12)

    assert record.status == "untrusted"
    assert [r["code"] for r in record.reasons] == ["no_trust_roots"]


def test_a_signing_of_a_published_years_minutes_is_allowed(world, minutes, chair_p12, trusted):
    """The conference is held on the published results: its minutes are signed afterwards."""
    world.year.status = "published"
    world.year.save(update_fields=["status"])

    assert sign(world, minutes, chair_p12).status == "valid"


def test_without_a_pkcs12_file_the_configured_token_is_used(world, minutes, settings):
    settings.SIGNATURE_PKCS11_MODULE = ""

    with pytest.raises(SigningRefused) as refused:
        sign(world, minutes, None)

    assert refused.value.code == "pkcs11_not_configured"
    assert not DocumentSignature.objects.exists()


def test_a_record_of_a_signing_needs_its_file(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentSignature.objects.create(
            emulation_year=world.year,
            kind="signed",
            purpose="minutes",
            file_name="x.pdf",
            sha256="0" * 64,
            size=1,
            status="valid",
        )
