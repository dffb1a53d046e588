"""Rule per_item through the app (#18): a scheme file with it imports, the year scores it, the
scheme page says what it gives, and a file or an edit that cannot count is refused with the
criterion and the key named."""

from __future__ import annotations

import dataclasses

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring import engine
from scoring.models import Criterion, Scheme, Score, Standing
from scoring.ranking.services.recompute import year_recompute
from tests.helpers import scheme_of
from tests.scoring.factories import SMALL_SCHEME, install_scheme, put_figures

pytestmark = pytest.mark.django_db

LATE = engine.DataElement(
    code="late_reports", name="Số lần chậm báo cáo", definition="", type="integer", min=0
)
PER_ITEM_SCHEME = dataclasses.replace(
    SMALL_SCHEME,
    data_elements=(*SMALL_SCHEME.data_elements, LATE),
    criteria=(
        *SMALL_SCHEME.criteria,
        engine.Criterion(
            code="T.1",
            group="Điểm trừ",
            name="Chậm báo cáo",
            definition="Trừ 2 điểm mỗi lần chậm báo cáo, tối đa 10 điểm",
            measure="late_reports",
            target=None,
            points=10,
            kind="deduction",
            rule="per_item",
            params={"each": 2},
            unit="lần chậm báo cáo",
        ),
    ),
)


def test_a_per_item_deduction_is_stored_scored_and_explained(world):
    install_scheme(world.year, PER_ITEM_SCHEME)
    stored = scheme_of(world.year).criteria.get(code="T.1")
    assert (stored.rule, stored.params) == (Criterion.Rule.PER_ITEM, {"each": 2})
    put_figures(world.year, {("a1", "new_coops"): 20, ("a1", "late_reports"): 3})
    year_recompute(emulation_year_id=world.year.pk)
    line = Score.objects.get(run__is_current=True, unit=world.unit_a1, criterion_code="T.1")
    assert (line.points, line.met) == (-6.0, False)
    assert line.explanation == "3 lần chậm báo cáo × 2 điểm = trừ 6 điểm (tối đa 10)"
    standing = Standing.objects.get(run__is_current=True, unit=world.unit_a1)
    assert (standing.deduction, standing.total) == (6.0, 54.0)


def test_the_scheme_page_says_how_many_points_each_occurrence_gives(client, world):
    install_scheme(world.year, PER_ITEM_SCHEME)
    client.force_login(world.reporter_a1)
    page = client.get(reverse("year-scheme", args=[world.year.pk])).content.decode()
    assert "Điểm cho mỗi lần, có mức tối đa" in page and "2 điểm mỗi lần" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("year-scheme", args=[world.year.pk])).content.decode()
    assert "Points per occurrence, capped" in page and "2 each" in page


def upload(client, world, text: str):
    client.force_login(world.secretariat)
    return client.post(
        reverse("year-scheme", args=[world.year.pk]),
        {"file": SimpleUploadedFile("khoi.yaml", text.encode(), content_type="application/x-yaml")},
    )


def test_a_file_with_a_per_item_that_cannot_count_is_refused_with_the_criterion_and_key(
    client, world
):
    text = engine.dump_scheme(PER_ITEM_SCHEME)
    assert "  each: 2\n" in text
    response = upload(client, world, text.replace("  each: 2\n", "  each: 0\n"))
    assert response.status_code == 200
    assert "khoi.yaml: criteria[2] (code &#x27;T.1&#x27;): each: must be greater than 0, not 0" in (
        response.content.decode()
    )
    response = upload(
        client, world, text.replace("measure: late_reports", "measure: late_reports / 2")
    )
    assert "(code &#x27;T.1&#x27;): measure: rule per_item counts occurrences" in (
        response.content.decode()
    )
    assert not Scheme.objects.exists()
    assert upload(client, world, text).status_code == 302


def test_a_criterion_edit_that_makes_a_per_item_measure_a_share_is_refused_on_the_measure(
    client, world
):
    install_scheme(world.year, PER_ITEM_SCHEME)
    client.force_login(world.secretariat)
    response = client.post(
        reverse("criterion-edit", args=[world.year.pk, "T.1"]),
        {
            "scheme": scheme_of(world.year).pk,
            "name": "Chậm báo cáo",
            "definition": "",
            "measure": "late_reports / coop_members",
            "target": "",
            "unit": "lần chậm báo cáo",
            "direction": "higher",
            "points": "10",
            "kind": "deduction",
            "rule": "per_item",
            "reason": "Tính theo tỷ lệ",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "measure" in errors and "rule per_item counts occurrences" in errors["measure"][0]
    assert scheme_of(world.year).version == 1


def test_the_targets_grid_leaves_out_a_criterion_that_reads_no_target(world):
    from scoring.setup.selectors import target_criteria

    install_scheme(world.year, PER_ITEM_SCHEME)
    assert [c.code for c in target_criteria(emulation_year=world.year)] == ["1.1", "2.1"]
