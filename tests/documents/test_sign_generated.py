"""A generated document signed on the documents page (#16 item 3): the signer's PKCS#12 and its
password used once, the signed PDF kept beside the document and verified, downloadable by those
who may read the document; a wrong password names the field and stores nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.documents.services import documents_generate
from scoring.documents.signing import verify_pdf
from scoring.models import DocumentSignature
from tests.documents.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def post_sign(client, year, document, p12: bytes, password: str = PASSWORD):
    return client.post(
        reverse("document-sign", args=[year.pk, document.pk]),
        {
            "pkcs12": SimpleUploadedFile("chu-tri.p12", p12, content_type="application/x-pkcs12"),
            "password": password,
            "signer_name": "Nguyễn Văn An",
            "signer_title": "Chủ trì hội nghị",
            "reason": "Ký biên bản",
            "location": "Cần Thơ",
        },
    )


def test_the_secretariat_signs_the_minutes_and_everyone_who_reads_them_gets_the_signed_pdf(
    client, documents_world, chair_p12, trusted
):
    w = documents_world
    minutes = documents_generate(emulation_year=w.year, kind="minutes", actor=w.secretariat)[0]
    client.force_login(w.secretariat)
    assert client.get(reverse("document-sign", args=[w.year.pk, minutes.pk])).status_code == 200
    assert post_sign(client, w.year, minutes, chair_p12).status_code == 302
    signing = DocumentSignature.objects.get(document=minutes)
    assert (signing.kind, signing.purpose, signing.status) == ("signed", "minutes", "valid")
    page = client.get(reverse("year-documents", args=[w.year.pk])).content.decode()
    assert "Bản đã ký" in page and "Nguyễn Văn An" in page
    response = client.get(reverse("document-signed-download", args=[w.year.pk, signing.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert verify_pdf(response.content, filename="x.pdf").status == "valid"
    # The password is in no stored value (the signing tests check every table; here the row).
    assert PASSWORD not in str(signing.__dict__)


def test_a_wrong_password_is_named_and_nothing_is_stored(client, documents_world, chair_p12):
    w = documents_world
    minutes = documents_generate(emulation_year=w.year, kind="minutes", actor=w.secretariat)[0]
    client.force_login(w.secretariat)
    response = post_sign(client, w.year, minutes, chair_p12, password="sai mật khẩu")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "chu-tri.p12" in " ".join(errors.get("password", []) + errors.get("pkcs12", []))
    assert 'value="sai' not in response.content.decode()  # the password is not shown again
    assert not DocumentSignature.objects.exists()


def test_signing_is_the_secretariats_and_another_years_document_is_404(
    client, documents_world, chair_p12
):
    w = documents_world
    minutes = documents_generate(emulation_year=w.year, kind="minutes", actor=w.secretariat)[0]
    client.force_login(w.leadership)
    assert post_sign(client, w.year, minutes, chair_p12).status_code == 403
    client.force_login(w.other_secretariat)
    assert post_sign(client, w.year, minutes, chair_p12).status_code == 404
    assert (
        client.get(reverse("document-sign", args=[w.other_year.pk, minutes.pk])).status_code == 404
    )
    assert not DocumentSignature.objects.exists()
