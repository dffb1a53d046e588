"""Signed PDFs where the app already takes files (evidence, a paper report's scan, a member's
signed pledge) are verified as they arrive; the result is kept and shown next to the file."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear
from scoring.documents.signing import sign_pdf
from scoring.models import DocumentSignature, EvidenceFile, PledgeSignature, Report
from tests.documents.conftest import PASSWORD
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def open_year(world):
    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2099, 12, 15)
    )
    world.year.refresh_from_db()
    return world


@pytest.fixture
def signed(minutes, chair_p12):
    return sign_pdf(
        minutes,
        pkcs12_bytes=chair_p12,
        password=PASSWORD,
        signer_name="Nguyễn Văn An",
        signer_title="Chủ tịch",
        reason="Xác nhận số liệu",
        location="Hà Nội",
    )


def tampered(pdf: bytes) -> bytes:
    at = pdf.index(b"WeasyPrint")
    return pdf[:at] + b"w" + pdf[at + 1 :]


def report_url(world, unit=None):
    return reverse("report-detail", args=[world.year.pk, (unit or world.unit_a1).pk])


def attach(client, world, name, content):
    """The attach button posts the report form too, at the version the page was opened at."""
    client.force_login(world.reporter_a1)
    report = Report.objects.filter(emulation_year=world.year, unit=world.unit_a1).first()
    return client.post(
        report_url(world),
        {
            "action": "evidence",
            "version": report.version if report else 1,
            "note": "",
            "element": "new_coops",
            "e_new_coops": "12",
            "evidence": SimpleUploadedFile(name, content),
        },
    )


def evidence_item(page: str, name: str) -> str:
    """The list item of one evidence file on the report page."""
    found = re.search(r"<li><a [^>]*>" + re.escape(name) + r"</a>.*?</li>", page, re.S)
    assert found, name
    return found.group(0)


def test_a_signed_pdf_attached_as_evidence_shows_its_signer_time_and_status(
    client, open_year, signed, trusted
):
    assert attach(client, open_year, "xac-nhan.pdf", signed).status_code == 302

    check = DocumentSignature.objects.get()
    evidence = EvidenceFile.objects.get()
    assert (check.kind, check.purpose, check.evidence, check.status) == (
        "upload",
        "evidence",
        evidence,
        "valid",
    )
    assert check.signer_name == "Nguyễn Văn An" and check.signed_bytes is None
    assert check.created_by == open_year.reporter_a1
    entry = AuditEntry.objects.get(action="evidence.add")
    assert entry.after == {"evidence": "xac-nhan.pdf", "element": "new_coops", "signature": "valid"}
    iso = check.signatures[0]["signed_at"]
    for user in (open_year.reporter_a1, open_year.secretariat, open_year.leadership):
        client.force_login(user)
        item = evidence_item(client.get(report_url(open_year)).content.decode(), "xac-nhan.pdf")
        assert 'data-status="valid"' in item and "Chữ ký số hợp lệ" in item, user
        assert "Nguyễn Văn An" in item and f'datetime="{iso}"' in item
        assert "chuỗi chứng thư dẫn tới gốc tin cậy CA thử nghiệm" in item
    for user in (open_year.reporter_a2, open_year.outsider, open_year.other_secretariat):
        client.force_login(user)
        assert client.get(report_url(open_year)).status_code == 404, user


def test_a_tampered_signed_pdf_is_attached_and_shown_clearly_as_invalid(
    client, open_year, signed, trusted
):
    assert attach(client, open_year, "bi-sua.pdf", tampered(signed)).status_code == 302

    assert DocumentSignature.objects.get().status == "invalid"
    item = evidence_item(client.get(report_url(open_year)).content.decode(), "bi-sua.pdf")
    assert 'data-status="invalid"' in item and "text-bg-danger" in item
    assert "Chữ ký số không hợp lệ" in item
    assert "nội dung đã bị thay đổi sau khi ký" in item


def test_an_untrusted_signature_is_shown_as_such(client, open_year, signed, settings):
    settings.SIGNATURE_TRUST_ROOTS = []
    attach(client, open_year, "chua-xac-minh.pdf", signed)

    item = evidence_item(client.get(report_url(open_year)).content.decode(), "chua-xac-minh.pdf")
    assert 'data-status="untrusted"' in item and "Chữ ký số chưa xác minh được" in item
    assert "chưa cấu hình gốc tin cậy" in item


def test_an_unsigned_pdf_is_fine_and_says_it_is_unsigned(client, open_year, minutes):
    assert attach(client, open_year, "khong-ky.pdf", minutes).status_code == 302

    assert DocumentSignature.objects.get().status == "unsigned"
    item = evidence_item(client.get(report_url(open_year)).content.decode(), "khong-ky.pdf")
    assert 'data-status="unsigned"' in item and "Không có chữ ký số" in item


def test_an_image_gets_no_signature_check(client, open_year):
    assert attach(client, open_year, "anh.png", PNG).status_code == 302

    assert EvidenceFile.objects.exists() and not DocumentSignature.objects.exists()
    item = evidence_item(client.get(report_url(open_year)).content.decode(), "anh.png")
    assert "signature-check" not in item


def test_an_english_reader_sees_the_check_in_english(client, open_year, signed, trusted):
    attach(client, open_year, "xac-nhan.pdf", signed)
    client.cookies["django_language"] = "en"

    item = evidence_item(
        client.get(report_url(open_year), HTTP_ACCEPT_LANGUAGE="en").content.decode(),
        "xac-nhan.pdf",
    )

    assert "Valid digital signature" in item
    assert "the certificate chain ends at the trust root CA thử nghiệm" in item


def test_a_paper_reports_signed_scan_is_checked(client, open_year, signed, trusted):
    client.force_login(open_year.secretariat)
    response = client.post(
        report_url(open_year),
        {
            "action": "paper",
            "paper-version": 1,
            "paper-note": "",
            "paper-e_new_coops": "7",
            "paper-e_coop_members": "2.000",
            "paper-scan": SimpleUploadedFile("bao-cao-giay.pdf", signed),
        },
    )

    assert response.status_code == 302
    check = DocumentSignature.objects.get()
    assert (check.purpose, check.status) == ("paper_report", "valid")
    assert check.evidence == EvidenceFile.objects.get(paper_report=True)
    assert AuditEntry.objects.get(action="report.paper_entry").after["signature"] == "valid"


def test_a_members_signed_pledge_is_checked_and_shown_on_the_pledge_page(
    client, world, signed, trusted
):
    client.force_login(world.secretariat)
    url = reverse("year-pledge", args=[world.year.pk])
    client.post(url, {"action": "publish", "title": "Giao ước 2025", "text": "Cùng ký kết."})
    response = client.post(
        url,
        {
            "action": "sign",
            "unit": world.unit_a1.pk,
            "signed_by": "Nguyễn Văn An",
            "title": "Chủ tịch",
            "signed_on": "27/01/2025",
            "scan": SimpleUploadedFile("giao-uoc-a1.pdf", signed),
        },
    )

    assert response.status_code == 302
    check = DocumentSignature.objects.get()
    assert (check.purpose, check.status) == ("pledge_scan", "valid")
    assert check.pledge_signature == PledgeSignature.objects.get()
    assert AuditEntry.objects.get(action="pledge.sign").after["scan_signature"] == "valid"
    for user in (world.secretariat, world.reporter_a2, world.leadership):
        client.force_login(user)
        page = client.get(url).content.decode()
        row = re.search(r"<tr><td>Liên minh HTX A1</td>.*?</tr>", page, re.S)
        assert row and 'data-status="valid"' in row.group(0), user
        assert "Nguyễn Văn An" in row.group(0)
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


def test_a_published_year_takes_no_upload_and_records_no_check(client, open_year, signed):
    EmulationYear.objects.filter(pk=open_year.year.pk).update(status=EmulationYear.Status.PUBLISHED)

    attach(client, open_year, "muon.pdf", signed)

    assert not EvidenceFile.objects.exists()
    assert not DocumentSignature.objects.exists()


def test_the_report_page_reads_the_checks_with_the_files(
    client, open_year, signed, minutes, trusted
):
    def page_queries() -> tuple[int, str]:
        client.get(report_url(open_year))  # caches filled (the user's scope), as in use
        with CaptureQueriesContext(connection) as queries:
            page = client.get(report_url(open_year)).content.decode()
        return len(queries), page

    attach(client, open_year, "mot.pdf", signed)
    with_one, _page = page_queries()
    for index in range(3):
        assert attach(client, open_year, f"them-{index}.pdf", minutes).status_code == 302
    with_four, page = page_queries()

    assert with_four == with_one, (with_one, with_four)
    assert page.count("signature-check") == 4
