"""Published means frozen, everywhere (issue 14, findings 7 and 8): every write on a published
year is refused by one guard, whoever asks — a page, a service, the admin or a command — and
reopening the year with a reason is the only way back."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear
from scoring.errors import YearLocked
from scoring.models import EvidenceFile, ManualPoints, Objection, Pledge, PledgeSignature, Report
from scoring.services.guards import year_assert_open
from scoring.services.lifecycle import year_set_status

from .scoring.factories import install_scheme, put_figures

pytestmark = pytest.mark.django_db


def publish(year) -> None:
    """Straight to published, as a year whose results were announced."""
    EmulationYear.objects.filter(pk=year.pk).update(status=EmulationYear.Status.PUBLISHED)
    year.refresh_from_db()


def test_the_guard_refuses_a_published_year_and_lets_an_open_one_through(world):
    assert year_assert_open(emulation_year_id=world.year.pk).pk == world.year.pk
    publish(world.year)
    with pytest.raises(YearLocked, match="Kết quả năm 2025 đã công bố"):
        year_assert_open(emulation_year_id=world.year.pk)
    year_set_status(
        emulation_year=world.year, status="reporting", reason="Sửa số liệu", actor=world.secretariat
    )
    assert year_assert_open(emulation_year_id=world.year.pk).status == "reporting"


# Finding 8: writes that passed in a published year, each played through its page.


def test_manual_points_of_a_published_year_cannot_be_deleted(client, world):
    install_scheme(world.year)
    row = ManualPoints.objects.create(
        emulation_year=world.year,
        unit=world.unit_a1,
        criterion_code="1.1",
        points=10,
        reason="Chấm tay",
    )
    publish(world.year)
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-manual", args=[world.year.pk]),
        {"action": "delete", "row": row.pk, "reason": "Xoá sau công bố"},
    )
    assert response.status_code == 200
    assert "Kết quả năm 2025 đã công bố" in response.content.decode()
    assert ManualPoints.objects.filter(pk=row.pk, points=10).exists()
    assert not AuditEntry.objects.filter(action="manual.delete").exists()


def test_an_objection_of_a_published_year_cannot_be_answered(client, world):
    install_scheme(world.year)
    objection = Objection.objects.create(
        emulation_year=world.year, unit=world.unit_a1, criterion_code="1.1", text="Mẫu số sai."
    )
    publish(world.year)
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-objections", args=[world.year.pk]),
        {
            "action": "answer",
            "objection": objection.pk,
            "decision": "reject",
            "answer": "Không chấp nhận.",
        },
    )
    assert response.status_code == 200
    assert "Kết quả năm 2025 đã công bố" in response.content.decode()
    objection.refresh_from_db()
    assert (objection.status, objection.answer) == ("open", "")
    assert not AuditEntry.objects.filter(action="objection.answer").exists()


def test_a_pledge_signature_cannot_be_recorded_in_a_published_year(client, world):
    pledge = Pledge.objects.create(emulation_year=world.year, title="Giao ước 2025")
    publish(world.year)
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-pledge", args=[world.year.pk]),
        {
            "action": "sign",
            "unit": world.unit_a1.pk,
            "signed_by": "Nguyễn Văn A",
            "title": "Chủ tịch",
            "signed_on": "27/01/2025",
        },
    )
    assert response.status_code == 200
    assert "Kết quả năm 2025 đã công bố" in response.content.decode()
    assert not PledgeSignature.objects.filter(pledge=pledge).exists()
    assert not AuditEntry.objects.filter(action="pledge.sign").exists()


def test_evidence_of_a_draft_report_cannot_be_added_or_removed_in_a_published_year(world):
    """A member that never submitted keeps a draft: its files are part of the frozen year too."""
    from scoring.services.evidence import evidence_add, evidence_delete

    install_scheme(world.year)
    report = Report.objects.create(emulation_year=world.year, unit=world.unit_a1)
    kept = evidence_add(report=report, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 a"))
    publish(world.year)
    with pytest.raises(YearLocked):
        evidence_add(report=report, upload=SimpleUploadedFile("b.pdf", b"%PDF-1.4 b"))
    with pytest.raises(YearLocked):
        evidence_delete(report=report, evidence_id=kept.pk)
    assert list(EvidenceFile.objects.values_list("original_name", flat=True)) == ["a.pdf"]


def test_a_stale_copy_of_the_year_does_not_get_past_the_guard(world):
    """A service handed a year loaded before the publication reads the status again."""
    from scoring.services.manual import manual_points_set

    install_scheme(world.year)
    stale = EmulationYear.objects.get(pk=world.year.pk)
    publish(world.year)
    with pytest.raises(YearLocked):
        manual_points_set(
            emulation_year=stale,
            unit=world.unit_a1,
            criterion_code="1.1",
            points=5,
            reason="Sau công bố",
        )
    assert not ManualPoints.objects.exists()


def test_reopening_with_a_reason_lets_the_writes_through_again(world):
    from scoring.services.manual import manual_points_delete

    install_scheme(world.year)
    row = ManualPoints.objects.create(
        emulation_year=world.year, unit=world.unit_a1, criterion_code="1.1", points=10, reason="r"
    )
    publish(world.year)
    with pytest.raises(YearLocked):
        manual_points_delete(row=row, reason="Xoá")
    year_set_status(emulation_year=world.year, status="scored", reason="Chấm lại tiêu chí 1.1")
    manual_points_delete(row=row, reason="Xoá")
    assert not ManualPoints.objects.exists()
    assert AuditEntry.objects.get(action="year.reopen").reason == "Chấm lại tiêu chí 1.1"


def test_the_import_commands_refuse_a_published_year(world, tmp_path):
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20})
    publish(world.year)
    figures = tmp_path / "figures.csv"
    figures.write_text("unit,year,element,value\na1,2025,new_coops,5\n", encoding="utf-8")
    with pytest.raises(CommandError, match="công bố"):
        call_command("import_figures", str(figures), cluster="cum-a", year=2025)
    from scoring.models import ReportValue

    assert ReportValue.objects.get(report__unit=world.unit_a1).value == 20
