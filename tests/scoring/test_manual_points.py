"""Manual points and adjustments entered by the secretariat, with reasons."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clusters.models import AuditEntry
from scoring.models import ManualPoints, Score
from scoring.ranking.services.recompute import year_recompute
from tests.scoring.factories import install_scheme, put_figures

pytestmark = pytest.mark.django_db


def post(client, world, **data):
    client.force_login(world.secretariat)
    return client.post(reverse("year-manual", args=[world.year.pk]), data)


def test_an_adjustment_replaces_the_computed_points_and_says_why(client, world):
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20})
    response = post(
        client,
        world,
        unit=world.unit_a1.pk,
        criterion="1.1",
        points="45",
        proposed="60",
        reason="3 HTX chưa đủ hồ sơ",
    )
    assert response.status_code == 302
    row = ManualPoints.objects.get()
    assert (row.points, row.proposed_points, row.entered_by) == (45, 60, world.secretariat)
    year_recompute(emulation_year_id=world.year.pk)
    line = Score.objects.get(run__is_current=True, unit=world.unit_a1, criterion_code="1.1")
    assert line.points == 45 and "3 HTX chưa đủ hồ sơ" in line.explanation
    assert AuditEntry.objects.filter(action="manual.set").exists()


def test_points_above_the_criterion_maximum_or_without_a_reason_are_refused_and_kept(client, world):
    install_scheme(world.year)
    response = post(client, world, unit=world.unit_a1.pk, criterion="1.1", points="61", reason="x")
    assert response.status_code == 200 and "Điểm phải từ 0 đến 60" in response.content.decode()
    assert 'value="61"' in response.content.decode()
    response = post(client, world, unit=world.unit_a1.pk, criterion="1.1", points="10", reason="")
    assert "reason" in response.context["form"].errors
    assert not ManualPoints.objects.exists()


def test_deleting_manual_points_needs_a_reason(client, world):
    install_scheme(world.year)
    post(client, world, unit=world.unit_a1.pk, criterion="1.1", points="10", reason="r")
    row = ManualPoints.objects.get()
    response = post(client, world, action="delete", row=row.pk, reason="")
    assert response.status_code == 200 and ManualPoints.objects.exists()
    post(client, world, action="delete", row=row.pk, reason="Nhập nhầm đơn vị")
    assert not ManualPoints.objects.exists()
    assert AuditEntry.objects.get(action="manual.delete").reason == "Nhập nhầm đơn vị"
