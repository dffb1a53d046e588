"""A dossier that waits on someone is in their work inbox ("Việc cần làm"): the awarding body's
staff see how many dossiers await them and the nearest legal deadline; the proposing cluster's
secretariat sees the dossiers returned to it — each in one statement, whatever their number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.dossiers.services.dossiers import dossier_create, dossier_return, dossier_submit
from scoring.inbox.selectors import inbox_for_user
from tests.dossiers.factories import file_everything, new_dossier, published_with_proposal
from tests.dossiers.test_path import TODAY

pytestmark = pytest.mark.django_db


def items(user, group, today=TODAY):
    return [
        (i.kind, i.count, i.days_left, i.cluster_name)
        for i in getattr(inbox_for_user(user=user, today=today), group)
    ]


def home_queries(client, user) -> int:
    client.force_login(user)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_awarding_staff_and_the_secretariat_find_what_waits_on_them(client, world):
    dossier = new_dossier(world, proposal=published_with_proposal(world), today=TODAY)
    file_everything(dossier, world, today=TODAY)
    assert items(world.awarding, "awarding") == []
    before = {u: home_queries(client, u) for u in (world.awarding, world.secretariat)}

    dossier = dossier_submit(dossier=dossier, actor=world.secretariat, today=TODAY)
    # Received on Monday 2/3/2026: 20 working days to appraise, to 30/3.
    assert items(world.awarding, "awarding") == [("dossiers_awaiting", 1, 28, "Cơ quan chỉ đạo A")]
    assert items(world.awarding, "awarding", today=dt.date(2026, 4, 1))[0][2] == -2  # overdue
    assert not items(world.other_secretariat, "awarding")
    client.force_login(world.awarding)
    page = client.get(reverse("home")).content.decode()
    assert "Hồ sơ đề nghị khen thưởng chờ xử lý" in page and "inbox-dossiers_awaiting" in page

    dossier_return(dossier=dossier, reason="Thiếu chữ ký", actor=world.awarding, today=TODAY)
    assert items(world.awarding, "awarding") == []
    assert ("dossiers_returned", 1, None, "Cụm A") in items(world.secretariat, "secretariat")
    assert not any(
        kind == "dossiers_returned"
        for kind, *_rest in items(world.other_secretariat, "secretariat")
    )
    client.force_login(world.secretariat)
    page = client.get(reverse("home")).content.decode()
    assert reverse("year-dossiers", args=[world.year.pk]) in page

    # A second dossier (A2's, sent): one more in the count, not one more statement.
    other = dossier_create(
        emulation_year=world.year, body=world.supervising, award_code="bang-khen-chuyen-de",
        unit=world.unit_a2, actor=world.secretariat, today=TODAY,
    )  # fmt: skip
    file_everything(other, world, today=TODAY)
    dossier_submit(dossier=other, actor=world.secretariat, today=TODAY)
    assert items(world.awarding, "awarding")[0][1] == 1
    after = {u: home_queries(client, u) for u in (world.awarding, world.secretariat)}
    assert after == before
