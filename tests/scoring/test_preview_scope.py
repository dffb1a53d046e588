"""Finding 5 (the preview) of issue #14: before publication the report preview never shows a
number derived from other members' figures — a relative-to-leader criterion (or a points formula
reading the best, worst or mean result) says its points come after publication."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.urls import reverse

from clusters.models import EmulationYear
from scoring import engine
from scoring.reporting.selectors import report_preview
from tests.scoring.factories import SMALL_SCHEME, install_scheme, put_figures

pytestmark = pytest.mark.django_db

WAITING = "phụ thuộc kết quả các đơn vị khác — có sau khi công bố"

RELATIVE = dataclasses.replace(
    SMALL_SCHEME,
    criteria=(
        *SMALL_SCHEME.criteria,
        engine.Criterion(
            code="3.1",
            group="Nội dung 3",
            name="So với đơn vị dẫn đầu",
            definition="Số HTX thành lập mới so với đơn vị dẫn đầu",
            measure="new_coops",
            target=None,
            points=10,
            rule="relative",
        ),
        engine.Criterion(
            code="3.2",
            group="Nội dung 3",
            name="So với trung bình",
            definition="Số HTX thành lập mới so với trung bình cụm",
            measure="new_coops",
            target=None,
            points=10,
            rule="formula",
            params={"points_formula": "max_points * actual / mean_actual"},
        ),
    ),
)


@pytest.fixture
def leader_reported(world):
    install_scheme(world.year, RELATIVE)
    put_figures(world.year, {("a2", "new_coops"): 6768})  # the leader's figure, submitted
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2099, 12, 15)
    )
    world.year.refresh_from_db()
    return world


def test_the_preview_of_a_relative_criterion_waits_for_publication(leader_reported):
    w = leader_reported
    lines, standing = report_preview(
        emulation_year=w.year, unit_code="a1", values={"new_coops": 100}
    )
    by_code = {line.criterion: line for line in lines}
    assert by_code["3.1"].explanation == WAITING and by_code["3.2"].explanation == WAITING
    assert by_code["3.1"].points is None and by_code["3.2"].points is None
    # The member's own criteria still show their points: 100 of 20 new cooperatives: 60.
    assert by_code["1.1"].points == 60.0 and "60/60" in by_code["1.1"].explanation
    # A total would include points derived from the leader's figure: none is given.
    assert standing is None


def test_the_preview_page_never_shows_the_leaders_figure_or_points_from_it(client, leader_reported):
    w = leader_reported
    client.force_login(w.reporter_a1)
    response = client.post(
        reverse("report-detail", args=[w.year.pk, w.unit_a1.pk]),
        {"version": 1, "action": "preview", "note": "", "e_new_coops": "100"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="preview"' in body
    assert WAITING in body
    assert "6.768" not in body and "6768" not in body
    # 10 × 100 / 6768 = 0,15 and 10 × 100 / 3434 = 0,29: neither is shown.
    assert "0,15" not in body and "0,29" not in body
    assert "60/60 điểm" in body


def test_without_a_relative_criterion_the_preview_keeps_its_total(world):
    install_scheme(world.year)
    world.year.refresh_from_db()
    lines, standing = report_preview(
        emulation_year=world.year, unit_code="a1", values={"new_coops": 20}
    )
    assert all(line.explanation != WAITING for line in lines)
    assert standing is not None and standing.total == 60.0
