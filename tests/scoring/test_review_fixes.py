"""Published results are frozen; reporters see results only once published; bad ids and huge
numbers are clear errors, never a 500; concurrent edits of a scheme or the targets lose nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clusters.models import EmulationYear
from scoring.models import MemberTarget, Report, Scheme, Standing
from scoring.ranking.services.dirty import year_mark_dirty
from scoring.ranking.services.recompute import year_recompute
from tests.helpers import scheme_of
from tests.scoring.factories import install_scheme, put_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    EmulationYear.objects.filter(pk=world.year.pk).update(status="published")
    return world


def totals(year):
    return {
        s.unit.code: s.total
        for s in Standing.objects.filter(run__emulation_year=year, run__is_current=True)
    }


def test_a_published_year_cannot_be_changed_through_a_report_or_marked_dirty(client, published):
    w = published
    before = totals(w.year)
    report = Report.objects.get(unit=w.unit_a1)
    client.force_login(w.secretariat)
    response = client.post(
        reverse("report-detail", args=[w.year.pk, w.unit_a1.pk]),
        {"action": "return", "version": report.version, "general": "x"},
    )
    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).status == report.status
    version = EmulationYear.objects.get(pk=w.year.pk).input_version
    year_mark_dirty(emulation_year_id=w.year.pk)
    assert EmulationYear.objects.get(pk=w.year.pk).input_version == version
    assert year_recompute(emulation_year_id=w.year.pk, force=True).status == "published"
    assert totals(w.year) == before


def test_a_reporter_does_not_see_its_own_rank_before_publication(client, world):
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20})
    year_recompute(emulation_year_id=world.year.pk)
    client.force_login(world.reporter_a1)
    page = client.get(
        reverse("year-unit-sheet", args=[world.year.pk, world.unit_a1.pk])
    ).content.decode()
    assert "Tổng điểm <strong>" not in page


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("year-objections", {"action": "answer", "objection": "abc", "answer": "x"}),
        ("year-manual", {"action": "delete", "row": "abc", "reason": "x"}),
    ],
)
def test_a_non_numeric_id_in_a_post_is_a_404_not_a_500(client, world, path, data):
    install_scheme(world.year)
    client.force_login(world.secretariat)
    assert client.post(reverse(path, args=[world.year.pk]), data).status_code == 404


def test_a_figure_too_large_to_store_is_refused_on_its_field(client, world):
    install_scheme(world.year)
    client.force_login(world.reporter_a1)
    response = client.post(
        reverse("report-detail", args=[world.year.pk, world.unit_a1.pk]),
        {"version": 1, "action": "save", "note": "", "e_new_coops": "9" * 30},
    )
    assert response.status_code == 200 and "e_new_coops" in response.context["form"].errors
    assert not Report.objects.exists()


def test_a_scheme_with_numbers_too_large_to_store_is_refused(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = (
        "format: emulation-scheme/1\nname: x\nscale: 100\n"
        "data_elements: [{code: a, name: a, type: integer}]\n"
        "criteria:\n  - {code: '1', group: g, name: n, measure: a, target: 1.0e+30, points: 10}\n"
    )
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-scheme", args=[world.year.pk]),
        {"file": SimpleUploadedFile("big.yaml", text.encode()), "reason": ""},
    )
    assert response.status_code == 200 and "quá lớn" in response.content.decode()
    assert not Scheme.objects.exists()


def test_two_criterion_edits_from_the_same_version_the_second_is_refused(client, world):
    install_scheme(world.year)
    scheme = scheme_of(world.year)
    base = {
        "name": "n",
        "definition": "d",
        "measure": "new_coops",
        "target": "20",
        "unit": "",
        "direction": "higher",
        "points": "60",
        "kind": "regular",
        "rule": "proportional",
        "reason": "r",
        "scheme": scheme.pk,
    }
    client.force_login(world.secretariat)
    assert (
        client.post(
            reverse("criterion-edit", args=[world.year.pk, "1.1"]), {**base, "target": "25"}
        ).status_code
        == 302
    )
    second = client.post(
        reverse("criterion-edit", args=[world.year.pk, "2.1"]),
        {
            **base,
            "measure": "(coop_members - prev(coop_members)) / prev(coop_members) * 100",
            "target": "9",
            "points": "40",
            "rule": "threshold",
            "unit": "%",
        },
    )
    assert second.status_code == 200 and "phiên bản" in second.content.decode()
    current = scheme_of(world.year)
    assert current.version == 2 and current.criteria.get(code="1.1").target == 25


def test_the_targets_grid_applies_only_the_cells_that_changed(client, world):
    install_scheme(world.year)
    MemberTarget.objects.create(
        emulation_year=world.year, unit=world.unit_a1, criterion_code="1.1", target=111
    )
    client.force_login(world.secretariat)
    # This form was opened before 111 was set: its a1 cell is still blank (initial ""), unchanged.
    response = client.post(
        reverse("year-targets", args=[world.year.pk]),
        {
            f"t_{world.unit_a1.pk}_1.1": "",
            f"initial-t_{world.unit_a1.pk}_1.1": "",
            f"t_{world.unit_a2.pk}_1.1": "15",
            "reason": "",
        },
    )
    assert response.status_code == 302
    assert MemberTarget.objects.get(unit=world.unit_a1).target == 111
    assert MemberTarget.objects.get(unit=world.unit_a2).target == 15
