"""A member's score sheet shows its trend over the cluster's years: reading which years the user
may see results of costs the same whatever their number (each year's cluster came with it)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.models import EmulationYear

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["leadership", "secretariat"])
def test_the_unit_sheet_needs_no_more_queries_for_more_years(client, scored, persona):
    client.force_login(getattr(scored, persona))
    url = reverse("year-unit-sheet", args=[scored.year.pk, scored.unit_a1.pk])
    queries(client, url)  # warm what is cached between requests (scope, scheme parts)
    few = queries(client, url)
    for year in range(2015, 2021):
        EmulationYear.objects.create(cluster=scored.cluster, year=year)
    assert queries(client, url) == few
