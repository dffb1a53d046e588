"""Evidence files: type by content, size limited, downloaded only by those who may open the report."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.models import EvidenceFile, Report
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db


def attach(client, world, user, name, content, element="new_coops"):
    """The attach button belongs to the report form: it posts the figures on the page too (here
    none), at the version the page was opened at."""
    client.force_login(user)
    report = Report.objects.filter(emulation_year=world.year, unit=world.unit_a1).first()
    return client.post(
        reverse("report-detail", args=[world.year.pk, world.unit_a1.pk]),
        {
            "action": "evidence",
            "version": report.version if report else 1,
            "note": "",
            "element": element,
            "evidence": SimpleUploadedFile(name, content),
        },
    )


def test_a_pdf_is_attached_and_only_the_right_people_can_download_it(client, world):
    install_scheme(world.year)
    assert (
        attach(client, world, world.reporter_a1, "quyet-dinh.pdf", b"%PDF-1.7\nhello").status_code
        == 302
    )
    evidence = EvidenceFile.objects.get()
    assert evidence.content_type == "application/pdf" and evidence.original_name == "quyet-dinh.pdf"
    assert evidence.file.name.startswith("evidence/") and "quyet-dinh" not in evidence.file.name
    url = reverse("evidence-download", args=[world.year.pk, world.unit_a1.pk, evidence.pk])
    for user, code in [
        (world.reporter_a1, 200),
        (world.secretariat, 200),
        (world.leadership, 200),
        (world.reporter_a2, 404),
        (world.outsider, 404),
        (world.other_secretariat, 404),
    ]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == code, user
        if code == 200:
            assert response["Content-Disposition"].startswith("attachment")
            assert b"".join(response.streaming_content) == b"%PDF-1.7\nhello"
    client.force_login(world.secretariat)
    other_unit = reverse("evidence-download", args=[world.year.pk, world.unit_a2.pk, evidence.pk])
    assert client.get(other_unit).status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("script.pdf", b"<script>alert(1)</script>"),
        ("anh.png", b"%PDF-1.4 not a png"),
        ("run.exe", b"MZ\x90\x00"),
    ],
)
def test_a_file_whose_content_is_not_an_allowed_type_is_refused(client, world, name, content):
    install_scheme(world.year)
    response = attach(client, world, world.reporter_a1, name, content)
    assert response.status_code == 200 and "kiểm tra theo nội dung tệp" in response.content.decode()
    assert not EvidenceFile.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, world, settings):
    install_scheme(world.year)
    settings.EVIDENCE_MAX_BYTES = 1024
    response = attach(client, world, world.reporter_a1, "lon.pdf", b"%PDF-" + b"x" * 2000)
    assert "tệp quá lớn" in response.content.decode()
    assert not EvidenceFile.objects.exists()


def test_other_members_and_leadership_cannot_attach(client, world):
    install_scheme(world.year)
    assert attach(client, world, world.reporter_a2, "a.pdf", b"%PDF-1").status_code == 404
    assert attach(client, world, world.leadership, "a.pdf", b"%PDF-1").status_code == 403
    assert not EvidenceFile.objects.exists()


def test_a_refused_attachment_leaves_no_file_behind(world, settings):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from scoring.errors import ScoringError
    from scoring.models import Report
    from scoring.reporting.services.evidence import evidence_add

    install_scheme(world.year)
    report = Report.objects.create(
        emulation_year=world.year, unit=world.unit_a1, status="submitted"
    )
    with pytest.raises(ScoringError):
        evidence_add(report=report, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4"))
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
