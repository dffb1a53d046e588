"""Legal clocks in Vietnamese working days (#17): across Tết and 2/9, with the Saturdays worked in
exchange and the extra days off an administrator configures."""

from __future__ import annotations

import datetime as dt

import pytest

from scoring.engine.awards import WorkCalendar

D = dt.date


def test_five_working_days_across_tet_2026():
    # Received Thursday 12/2/2026; Tết: 16–20/2 off (with the weekends around them, 14–22/2).
    calendar = WorkCalendar()
    assert [calendar.is_working_day(D(2026, 2, d)) for d in range(13, 24)] == [
        True,  # Fri 13
        False, False,  # the weekend
        False, False, False, False, False,  # Tết, Mon 16 to Fri 20
        False, False,  # the weekend
        True,  # Mon 23
    ]  # fmt: skip
    assert calendar.add(D(2026, 2, 12), 5) == D(2026, 2, 26)  # 13, 23, 24, 25, 26
    assert calendar.between(D(2026, 2, 12), D(2026, 2, 26)) == 5


def test_twenty_working_days_across_national_day_2025():
    calendar = WorkCalendar()
    assert not calendar.is_working_day(D(2025, 9, 1)) and not calendar.is_working_day(D(2025, 9, 2))
    assert calendar.add(D(2025, 8, 29), 5) == D(2025, 9, 9)  # Fri; 1–2/9 off
    # Received 15/8/2025: 20 working days, two of them lost to 2/9.
    assert calendar.add(D(2025, 8, 15), 20) == D(2025, 9, 16)


def test_a_saturday_worked_in_exchange_counts_and_the_day_off_does_not():
    calendar = WorkCalendar()
    assert calendar.is_working_day(D(2025, 4, 26))  # Saturday worked for Friday 2/5/2025
    assert not calendar.is_working_day(D(2025, 5, 2))


def test_extra_days_off_and_extra_working_days_configured_by_the_administrator():
    calendar = WorkCalendar(days_off=[D(2026, 3, 2)], working_days=[D(2026, 3, 7)])
    assert not calendar.is_working_day(D(2026, 3, 2)) and calendar.is_working_day(D(2026, 3, 7))
    assert calendar.add(D(2026, 2, 27), 2) == D(2026, 3, 4)  # Mon 2/3 off: Tue 3, Wed 4
    assert WorkCalendar().add(D(2026, 2, 27), 2) == D(2026, 3, 3)


def test_a_deadline_already_past_counts_negative_and_a_huge_clock_is_refused():
    calendar = WorkCalendar()
    assert calendar.between(D(2026, 3, 6), D(2026, 3, 2)) == -4
    with pytest.raises(ValueError, match="a clock of 100000 working days"):
        calendar.add(D(2026, 1, 1), 100_000)


def test_counting_between_two_days_agrees_with_walking_them_one_by_one():
    """`between` counts by arithmetic and corrects only the calendar's exceptions: the same
    answer as walking every day, across Tết, 2/9, year ends, weekends worked and days added."""
    import random

    def walked(calendar, start, end):
        if end < start:
            return -walked(calendar, end, start)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += calendar.is_working_day(day)
        return count

    rng = random.Random(17)
    calendars = [
        WorkCalendar(),
        WorkCalendar(days_off=[D(2026, 3, 2), D(2025, 12, 31)], working_days=[D(2026, 3, 7)]),
    ]
    for _ in range(400):
        start = D(2024, 6, 1) + dt.timedelta(days=rng.randrange(900))
        end = start + dt.timedelta(days=rng.randrange(-400, 400))
        for calendar in calendars:
            assert calendar.between(start, end) == walked(calendar, start, end), (start, end)
