"""The pledge: published, signed by every member, then the targets are binding."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear
from scoring.models import Pledge, PledgeSignature

pytestmark = pytest.mark.django_db


def publish(client, world):
    client.force_login(world.secretariat)
    return client.post(
        reverse("year-pledge", args=[world.year.pk]),
        {
            "action": "publish",
            "title": "Giao ước thi đua năm 2025",
            "text": "Các thành viên thống nhất ký kết.",
        },
    )


def sign(client, world, unit, **extra):
    data = {
        "action": "sign",
        "unit": unit.pk,
        "signed_by": "Nguyễn Văn A",
        "title": "Chủ tịch",
        "signed_on": "27/01/2025",
    }
    data.update(extra)
    return client.post(reverse("year-pledge", args=[world.year.pk]), data)


def test_when_every_member_has_signed_the_targets_are_locked(client, world):
    assert publish(client, world).status_code == 302
    pdf = SimpleUploadedFile("giao-uoc.pdf", b"%PDF-1.4\n...", content_type="application/pdf")
    assert sign(client, world, world.unit_a1, scan=pdf).status_code == 302
    assert Pledge.objects.get().locked_at is None
    assert sign(client, world, world.unit_a2).status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.locked_at is not None
    assert EmulationYear.objects.get(pk=world.year.pk).status == EmulationYear.Status.PLEDGED
    assert PledgeSignature.objects.get(unit=world.unit_a1).scan.name.endswith(".pdf")
    assert AuditEntry.objects.filter(action="pledge.lock").exists()
    page = client.get(reverse("year-pledge", args=[world.year.pk])).content.decode()
    assert 'id="pledge-locked"' in page and "Nguyễn Văn A" in page


def test_a_scan_that_is_not_a_pdf_or_image_is_refused_and_nothing_is_recorded(client, world):
    publish(client, world)
    fake = SimpleUploadedFile(
        "giao-uoc.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = sign(client, world, world.unit_a1, scan=fake)
    assert (
        response.status_code == 200
        and "chỉ nhận bản scan PDF, JPEG hoặc PNG" in response.content.decode()
    )
    assert not PledgeSignature.objects.exists()


def test_a_bad_date_is_named_on_its_field_and_the_rest_is_kept(client, world):
    publish(client, world)
    response = sign(client, world, world.unit_a1, signed_on="32/01/2025")
    assert "signed_on" in response.context["signature_form"].errors
    assert 'value="Nguyễn Văn A"' in response.content.decode()


def test_reporters_read_the_pledge_but_cannot_record_signatures(client, world):
    publish(client, world)
    client.force_login(world.reporter_a1)
    assert client.get(reverse("year-pledge", args=[world.year.pk])).status_code == 200
    assert sign(client, world, world.unit_a1).status_code == 403
    assert not PledgeSignature.objects.exists()
