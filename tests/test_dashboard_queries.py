"""The SQL queries of every dashboard page do not grow with the number of members, criteria,
clusters or years: each page is measured on a small and a larger world, cold (nothing cached) and
warm, for the readers who see it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.models import EmulationYear, RoleGrant, Unit
from scoring.dev import bench
from scoring.engine.bench import synthetic_block
from scoring.ranking.services.recompute import years_recompute

pytestmark = pytest.mark.django_db

SIZES = {
    # clusters, members, criteria
    "small": (1, 3, 2),
    "large": (3, 9, 7),
}


def _world(size: str):
    """Clusters under one supervising body, each with a scored year and the year before it
    (both scored), and a leadership and a secretariat user."""
    from django.contrib.auth import get_user_model

    clusters, members, criteria = SIZES[size]
    bench.build(clusters=clusters, members=members, criteria=criteria, tag=size)
    years = EmulationYear.objects.filter(cluster__code__startswith=f"{bench.PREFIX}{size}")
    # The year before gets the same scheme, so that "change since last year" and the trends
    # have two scored years to show.
    scheme = synthetic_block(members, criteria, seed=7)[0]
    bench._bulk_schemes(list(years.filter(year=bench.PRIOR)), scheme)
    years_recompute(emulation_year_ids=list(years.values_list("pk", flat=True)))
    supervising = Unit.objects.get(code=f"{bench.PREFIX}sup")
    users = get_user_model().objects
    leadership = users.create_user(username=f"lead-{size}", password="x")
    RoleGrant.objects.create(user=leadership, role=RoleGrant.Role.LEADERSHIP, unit=supervising)
    year = years.filter(year=bench.YEAR).order_by("pk").first()
    secretariat = users.create_user(username=f"sec-{size}", password="x")
    RoleGrant.objects.create(
        user=secretariat, role=RoleGrant.Role.SECRETARIAT, cluster_id=year.cluster_id
    )
    unit_id = year.memberships.order_by("unit__code").values_list("unit_id", flat=True).first()
    return {"leadership": leadership, "secretariat": secretariat, "year": year, "unit": unit_id}


def _pages(world) -> dict[str, str]:
    year, unit = world["year"], world["unit"]
    return {
        "ranking": reverse("year-detail", args=[year.pk]),
        "unit sheet": reverse("year-unit-sheet", args=[year.pk, unit]),
        "overview": reverse("overview") + f"?nam={bench.YEAR}",
        "years compared": reverse("cluster-compare", args=[year.cluster_id]),
        "cluster": reverse("cluster-detail", args=[year.cluster_id]),
        "conference pack": reverse("conference-pack", args=[year.pk]),
        "conference": reverse("year-conference", args=[year.pk]),
        "ranking json": reverse("ranking-json", args=[year.pk]),
        "ranking csv": reverse("ranking-csv", args=[year.pk]),
        "ranking xlsx": reverse("ranking-xlsx", args=[year.pk]),
    }


def _count(client, user, url, *, cold: bool) -> int:
    client.force_login(user)
    if cold:
        cache.clear()
    else:
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("persona", ["leadership", "secretariat"])
@pytest.mark.parametrize("cold", [True, False], ids=["cold", "warm"])
def test_no_dashboard_page_needs_more_queries_for_a_larger_world(client, persona, cold):
    small, large = _world("small"), _world("large")
    assert (
        large["year"].memberships.count() == 9 and small["year"].memberships.count() == 3
    )  # the worlds do differ
    counts = {}
    for name, url in _pages(small).items():
        counts[name] = [_count(client, small[persona], url, cold=cold)]
    for name, url in _pages(large).items():
        counts[name].append(_count(client, large[persona], url, cold=cold))
    grew = {name: pair for name, pair in counts.items() if pair[1] != pair[0]}
    assert not grew, f"queries (small, large) that grew: {grew}"


def test_a_warm_ranking_page_is_served_in_a_handful_of_queries(client):
    world = _world("small")
    url = reverse("year-detail", args=[world["year"].pk])
    assert _count(client, world["leadership"], url, cold=False) <= 7
