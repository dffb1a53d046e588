"""The awarding level's legal clocks on a dossier, in Vietnamese working days: set on receipt
(return 5, appraise 20) and on appraisal (forward 10), across Tết 2026 and 2/9; started again by
a resubmission; moved by a day off the administrator adds; an overdue dossier flagged in the
queue and on its page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from scoring.dossiers.selectors import QueueFilters, dossier_queue
from scoring.dossiers.services.council import calendar_day_remove, calendar_day_set
from scoring.dossiers.services.dossiers import (
    dossier_appraise,
    dossier_return,
    dossier_submit,
)
from scoring.models import Dossier
from tests.dossiers.factories import file_everything, new_dossier, published_with_proposal

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def ready(world):
    """A1's dossier, every document filed, not yet sent."""
    proposal = published_with_proposal(world)
    return file_everything(new_dossier(world, proposal=proposal, today=D(2026, 1, 5)), world)


def test_received_before_tet_2026_the_clocks_skip_the_holiday_week(world, ready):
    # Thursday 12/2/2026; Tết takes Monday 16 to Friday 20/2 (and the weekends around it).
    dossier = dossier_submit(dossier=ready, actor=world.secretariat, today=D(2026, 2, 12))
    # 5 working days: 13/2, then 23, 24, 25, 26/2.
    assert dossier.return_by == D(2026, 2, 26)
    # 20 working days: 13/2, 23/2 to 13/3 (14 days), 16 to 19/3.
    assert (dossier.appraise_by, dossier.due_on) == (D(2026, 3, 19), D(2026, 3, 19))


def test_forwarding_after_an_appraisal_before_2_9_skips_the_national_day(world, ready):
    dossier = dossier_submit(dossier=ready, actor=world.secretariat, today=D(2025, 8, 15))
    assert dossier.rule_set_code == "nd-152-2025"
    # 20 working days from Friday 15/8/2025, two of them lost to 1 and 2/9.
    assert dossier.appraise_by == D(2025, 9, 16)
    dossier = dossier_appraise(
        dossier=dossier, note="Đủ", actor=world.awarding, today=D(2025, 8, 29)
    )
    # 10 working days from Friday 29/8/2025: 1–2/9 off, 3, 4, 5, 8 … 12, 15, 16/9.
    assert (dossier.forward_by, dossier.due_on) == (D(2025, 9, 16), D(2025, 9, 16))


def test_a_dossier_received_on_30_6_2025_is_judged_by_nd_98_and_on_1_7_by_nd_152(world, ready):
    assert (
        dossier_submit(dossier=ready, actor=world.secretariat, today=D(2025, 6, 30)).rule_set_code
        == "nd-98-2023"
    )
    other = file_everything(new_dossier(world, unit=world.unit_a2, today=D(2026, 1, 5)), world)
    assert (
        dossier_submit(dossier=other, actor=world.secretariat, today=D(2025, 7, 1)).rule_set_code
        == "nd-152-2025"
    )


def test_a_resubmission_starts_the_clocks_again_and_keeps_the_law_of_the_first_receipt(
    world, ready
):
    dossier = dossier_submit(dossier=ready, actor=world.secretariat, today=D(2025, 6, 30))
    dossier = dossier_return(
        dossier=dossier, reason="Thiếu chữ ký", actor=world.awarding, today=D(2025, 7, 2)
    )
    dossier = dossier_submit(dossier=dossier, actor=world.secretariat, today=D(2025, 8, 29))
    assert (dossier.received_on, dossier.rule_set_code) == (D(2025, 6, 30), "nd-98-2023")
    assert dossier.last_received_on == D(2025, 8, 29)
    assert (dossier.return_by, dossier.appraise_by) == (D(2025, 9, 9), D(2025, 9, 30))


def test_a_day_off_added_moves_every_running_clock_and_removing_it_moves_them_back(world, ready):
    dossier = dossier_submit(dossier=ready, actor=world.secretariat, today=D(2026, 2, 12))
    assert dossier.appraise_by == D(2026, 3, 19)
    calendar_day_set(day=D(2026, 3, 2), working=False, note="Nghỉ bù của tỉnh")
    dossier.refresh_from_db()
    assert (dossier.appraise_by, dossier.due_on, dossier.return_by) == (
        D(2026, 3, 20), D(2026, 3, 20), D(2026, 2, 26),
    )  # fmt: skip
    calendar_day_remove(day=D(2026, 3, 2))
    dossier.refresh_from_db()
    assert dossier.appraise_by == D(2026, 3, 19)


def test_an_overdue_dossier_is_flagged_in_the_queue_and_on_its_page(client, world, ready):
    dossier = dossier_submit(dossier=ready, actor=world.secretariat, today=D(2026, 2, 12))

    def queue_on(day):
        return dossier_queue(user=world.awarding, filters=QueueFilters(), today=day).rows[0].clock

    on_time = queue_on(D(2026, 3, 10))
    assert (on_time.days_left, on_time.overdue) == (7, False)  # 11, 12, 13, 16, 17, 18, 19/3
    assert queue_on(D(2026, 3, 19)).days_left == 0 and not queue_on(D(2026, 3, 19)).overdue
    late = queue_on(D(2026, 3, 23))
    assert (late.days_left, late.overdue, late.days_late) == (-2, True, 2)  # 20 and 23/3
    overdue = dossier_queue(
        user=world.awarding, filters=QueueFilters(late=True), today=D(2026, 3, 23)
    )
    assert [row.dossier.pk for row in overdue.rows] == [dossier.pk]
    assert (
        dossier_queue(
            user=world.awarding, filters=QueueFilters(late=True), today=D(2026, 3, 19)
        ).rows
        == []
    )
    # The page counts against today: whatever today is, the clock's deadline is shown.
    client.force_login(world.awarding)
    page = client.get(reverse("dossier-detail", args=[dossier.pk])).content.decode()
    assert "Hạn thẩm định: 19/03/2026 (20 ngày làm việc)" in page
    assert "Hạn trả lại hồ sơ không hợp lệ: 26/02/2026 (5 ngày làm việc)" in page
    assert Dossier.objects.get(pk=dossier.pk).due_on == D(2026, 3, 19)
