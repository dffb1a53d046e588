"""The home page with the inbox does a fixed number of queries whatever the number of clusters,
years, members and tasks, for every persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.audit import audit_record
from clusters.models import Cluster, EmulationYear, Membership, RoleGrant, Unit
from scoring.inbox.selectors import inbox_for_user
from scoring.models import (
    Ballot,
    Objection,
    Pledge,
    PledgeSignature,
    Report,
    ReportComment,
)

pytestmark = pytest.mark.django_db


def build(tag: str, clusters: int, members: int) -> dict:
    """`clusters` clusters under one body, each with a published year and a year being
    reported (deadline passed) with every kind of task in it."""
    users = get_user_model().objects
    body = Unit.objects.create(code=f"{tag}-sup", name=f"Body {tag}", kind="supervising")
    reporter = users.create_user(username=f"{tag}-reporter", password="x")
    secretariat = users.create_user(username=f"{tag}-secretariat", password="x")
    leadership = users.create_user(username=f"{tag}-leadership", password="x")
    RoleGrant.objects.create(user=leadership, role="leadership", unit=body)
    for c in range(clusters):
        cluster = Cluster.objects.create(
            code=f"{tag}-c{c}", name=f"{tag} {c}", supervising_unit=body
        )
        RoleGrant.objects.create(user=secretariat, role="secretariat", cluster=cluster)
        done = EmulationYear.objects.create(cluster=cluster, year=2024, status="published")
        audit_record(
            actor=None,
            action="year.status",
            obj=done,
            emulation_year_id=done.pk,
            summary="published",
            after={"status": "published"},
        )
        year = EmulationYear.objects.create(
            cluster=cluster, year=2025, status="reporting", reporting_deadline=dt.date(2025, 1, 1)
        )
        units = [
            Unit.objects.create(code=f"{tag}-c{c}-u{m}", name=f"{tag} {c}/{m}", parent=body)
            for m in range(members)
        ]
        pledge = Pledge.objects.create(emulation_year=year, title="Giao ước")
        for m, unit in enumerate(units):
            Membership.objects.create(emulation_year=year, unit=unit)
            Membership.objects.create(emulation_year=done, unit=unit)
            if m < 2:
                RoleGrant.objects.create(user=reporter, role="reporter", unit=unit)
            status = ["returned", "draft", "submitted", "verified"][m % 4]
            report = Report.objects.create(emulation_year=year, unit=unit, status=status)
            if status == "returned":
                ReportComment.objects.create(report=report, text="Bổ sung")
            if m % 2:
                PledgeSignature.objects.create(
                    pledge=pledge, unit=unit, signed_by="X", signed_on=dt.date(2025, 1, 1)
                )
            Objection.objects.create(
                emulation_year=year,
                unit=unit,
                criterion_code="1.1",
                text="?",
                **(
                    {
                        "status": "rejected",
                        "answer": "Không",
                        "answered_at": dt.datetime.now(dt.UTC),
                    }
                    if m % 2
                    else {}
                ),
            )
        Ballot.objects.create(emulation_year=year, purpose="head")
    return {"reporter": reporter, "secretariat": secretariat, "leadership": leadership}


def count(client, user) -> int:
    client.force_login(user)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["reporter", "secretariat", "leadership"])
def test_the_inbox_needs_no_more_queries_for_more_clusters_years_and_members(client, persona):
    small, large = build("s", 1, 3), build("l", 4, 9)
    sizes = [len(inbox_for_user(user=w[persona])) for w in (small, large)]
    assert sizes[1] > sizes[0] > 0  # the larger world has more tasks to show
    assert count(client, small[persona]) == count(client, large[persona])


def test_the_inbox_lists_every_kind_of_task_of_the_built_world():
    world = build("k", 2, 4)
    kinds = {
        persona: sorted({i.kind for i in getattr(inbox_for_user(user=world[persona]), persona)})
        for persona in ("reporter", "secretariat", "leadership")
    }
    assert kinds == {
        "reporter": ["ballot_open", "objection_answered", "report_returned", "report_to_submit"],
        "secretariat": [
            "late_members",
            "objections_to_answer",
            "reports_to_verify",
            "signatures_missing",
        ],
        "leadership": ["results_published"],
    }
