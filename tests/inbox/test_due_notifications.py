"""Messages that fall due with the calendar, by e-mail: the deadline a week ahead for a member
that has not submitted, the late members the day after it, missing pledge signatures a week after
publication, a ballot everyone has voted in — each once, however often the sweep runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from clusters.models import EmulationYear
from scoring.conference.services.conference import ballot_open
from scoring.inbox.services import notifications_send, notify_due
from scoring.models import BallotVoter, Notification, Pledge, Report

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2025, 12, 15)


@pytest.fixture
def mailed(world):
    for name in ("secretariat", "reporter_a1", "reporter_a2", "other_secretariat"):
        user = getattr(world, name)
        user.email = f"{name}@example.vn"
        user.save(update_fields=["email"])
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status="reporting", reporting_deadline=DEADLINE
    )
    Report.objects.create(emulation_year=world.year, unit=world.unit_a2, status="submitted")
    return world


def sent(today) -> list[tuple[str, str]]:
    mail.outbox.clear()
    notify_due(today=today)
    notifications_send()
    return sorted((m.to[0], m.subject) for m in mail.outbox)


def test_a_week_before_the_deadline_only_the_member_that_has_not_submitted_hears_of_it(mailed):
    assert sent(DEADLINE - dt.timedelta(days=8)) == []
    assert sent(DEADLINE - dt.timedelta(days=7)) == [
        (
            "reporter_a1@example.vn",
            "[Thi đua] Báo cáo năm 2025 của Liên minh HTX A1: hạn nộp 15/12/2025",
        )
    ]
    assert "còn 7 ngày" in Notification.objects.get(kind="deadline_soon").body
    # Every later sweep: nothing more.
    assert sent(DEADLINE - dt.timedelta(days=6)) == []
    assert sent(DEADLINE) == []


def test_the_day_after_the_deadline_the_secretariat_hears_who_is_late_once(mailed):
    assert [m for m in sent(DEADLINE) if m[0] == "secretariat@example.vn"] == []
    assert sent(DEADLINE + dt.timedelta(days=1)) == [
        ("secretariat@example.vn", "[Thi đua] 1 đơn vị chưa nộp báo cáo năm 2025 (quá hạn)")
    ]
    assert "Chưa nộp: Liên minh HTX A1." in Notification.objects.get(kind="late_members").body
    assert sent(DEADLINE + dt.timedelta(days=2)) == []


def test_a_week_after_the_pledge_is_published_missing_signatures_are_mailed(mailed):
    published = timezone.make_aware(dt.datetime(2025, 2, 1, 9, 0))
    Pledge.objects.create(emulation_year=mailed.year, title="Giao ước", published_at=published)
    assert ("secretariat@example.vn", "[Thi đua] Giao ước năm 2025: 2 đơn vị chưa ký") not in sent(
        dt.date(2025, 2, 7)
    )
    assert ("secretariat@example.vn", "[Thi đua] Giao ước năm 2025: 2 đơn vị chưa ký") in sent(
        dt.date(2025, 2, 8)
    )
    assert not [m for m in sent(dt.date(2025, 2, 9)) if "chưa ký" in m[1]]


def test_when_every_member_has_voted_the_secretariat_is_told_the_ballot_can_close(mailed):
    ballot = ballot_open(emulation_year=mailed.year, purpose="head")
    BallotVoter.objects.create(ballot=ballot, unit=mailed.unit_a1)
    assert not [m for m in sent(dt.date(2025, 12, 1)) if "đã bỏ phiếu" in m[1]]
    BallotVoter.objects.create(ballot=ballot, unit=mailed.unit_a2)
    ready = [m for m in sent(dt.date(2025, 12, 1)) if "Mọi đơn vị đã bỏ phiếu" in m[1]]
    assert [m[0] for m in ready] == ["secretariat@example.vn"]
    assert not [m for m in sent(dt.date(2025, 12, 1)) if "Mọi đơn vị đã bỏ phiếu" in m[1]]


def test_nothing_is_mailed_for_a_published_year(mailed):
    EmulationYear.objects.filter(pk=mailed.year.pk).update(status="published")
    assert sent(DEADLINE + dt.timedelta(days=1)) == []
