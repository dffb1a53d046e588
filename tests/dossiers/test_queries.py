"""The award pages read in a fixed number of queries whatever the number of clusters, dossiers and
decisions: the awarding body's queue, a dossier, the council's meeting, the body's page and a
unit's award history — each measured on a small and a larger bench world (scoring/dev/
bench_awards.py, the world `manage.py bench_pages` times at 1,400 clusters)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from clusters.models import RoleGrant
from scoring.dev import bench_awards
from scoring.dossiers.services.council import council_result_record
from scoring.models import Dossier
from tests.dossiers.factories import council_of
from tests.test_dashboard_queries import _count

pytestmark = pytest.mark.django_db

SIZES = {"small": 3, "large": 24}


def _world(size: str) -> dict:
    built = bench_awards.build(clusters=SIZES[size], tag=size)
    users = get_user_model().objects
    officer = users.create_user(username=f"officer-{size}")
    RoleGrant.objects.create(user=officer, role=RoleGrant.Role.AWARDING, unit=built.body)
    leader = users.create_user(username=f"leader-{size}")
    RoleGrant.objects.create(user=leader, role=RoleGrant.Role.LEADERSHIP, unit=built.body)

    class W:  # the council_of factory reads `supervising`
        supervising = built.body

    council = council_of(W, year=bench_awards.YEAR, members=7)
    voted = Dossier.objects.filter(body=built.body, state__in=("submitted", "appraised"))
    for dossier in voted.select_related("emulation_year"):
        council_result_record(
            council=council, dossier=dossier, met_on=bench_awards.RECEIVED, present=7, yes=6, no=1
        )
    dossier = voted.filter(state="submitted").order_by("pk").first()
    return {
        "officer": officer,
        "leader": leader,
        "pages": {
            "queue": reverse("dossier-queue"),
            "queue, filtered": reverse("dossier-queue") + "?state=submitted&sort=cum",
            "dossier": reverse("dossier-detail", args=[dossier.pk]),
            "council": reverse("council-detail", args=[council.pk]),
            "body": reverse("awarding-body", args=[built.body.pk]),
        },
        "history": reverse("unit-awards", args=[built.history_unit.pk]),
    }


@pytest.mark.parametrize("cold", [True, False], ids=["cold", "warm"])
def test_the_award_pages_do_not_grow_with_the_clusters_and_the_decisions(client, cold):
    counts = {}
    for size in SIZES:
        world = _world(size)
        for name, url in world["pages"].items():
            counts[(name, size)] = _count(client, world["officer"], url, cold=cold)
        counts[("unit's history", size)] = _count(
            client, world["leader"], world["history"], cold=cold
        )
    grew = {
        name: (counts[(name, "small")], counts[(name, "large")])
        for name, size in counts
        if size == "small" and counts[(name, "small")] != counts[(name, "large")]
    }
    assert grew == {}
    # And the queue is a handful: the session, the user, the grants, the page and its choices.
    assert counts[("queue", "large")] <= 10, counts
