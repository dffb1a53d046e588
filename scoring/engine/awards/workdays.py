"""Legal clocks in Vietnamese working days: Monday to Friday, less the public holidays (Tết, 30/4,
1/5, 2/9, …, with the days off moved by the Government and the Saturdays worked in exchange, as
the `holidays` package knows them), less the extra days off the administrator configures (a
province's own, or a decision the package does not know yet), plus extra days worked.

A clock "within N working days from receipt" ends on the N-th working day after the day of
receipt (the day itself is not counted)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

import holidays

_ONE_DAY = dt.timedelta(days=1)
# A clock longer than this is a mistake in the data, not a real deadline.
MAX_DAYS = 3660


@functools.cache
def _public(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Vietnam's public holidays of a year, and its Saturdays or Sundays worked in exchange."""
    calendar = holidays.country_holidays("VN", years=[year])
    off = frozenset(d for d in calendar if d.year == year)
    worked = frozenset(d for d in calendar.weekend_workdays if d.year == year)
    return off, worked


class WorkCalendar:
    def __init__(
        self, *, days_off: Iterable[dt.date] = (), working_days: Iterable[dt.date] = ()
    ) -> None:
        self.days_off = frozenset(days_off)
        self.working_days = frozenset(working_days)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        off, worked = _public(day.year)
        if day in worked:
            return True
        return day.weekday() < 5 and day not in off

    def add(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start`."""
        if not 0 <= days <= MAX_DAYS:
            raise ValueError(f"a clock of {days} working days")
        day, left = start, days
        while left:
            day += _ONE_DAY
            if self.is_working_day(day):
                left -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative if `end` is before).

        Counted as Monday-to-Friday days by arithmetic, then corrected day by day only where the
        calendar says otherwise (public holidays, days worked in exchange, the administrator's
        days): a queue of 50 dossiers months overdue costs 50 × ~30 checks, not 50 × ~200
        (the awarding body's queue, docs/performance.md)."""
        if end < start:
            return -self.between(end, start)
        weeks, rest = divmod((end - start).days, 7)
        count = weeks * 5
        day = start + dt.timedelta(days=weeks * 7)
        for _ in range(rest):
            day += _ONE_DAY
            count += day.weekday() < 5
        for day in self._exceptions(start.year, end.year):
            if start < day <= end:
                count += self.is_working_day(day) - (day.weekday() < 5)
        return count

    def _exceptions(self, first: int, last: int) -> frozenset[dt.date]:
        """Every day of the years `first`…`last` that the plain Monday-to-Friday rule may get
        wrong: the public holidays, the days worked in exchange, the administrator's days."""
        found = set(self.days_off) | set(self.working_days)
        for year in range(first, last + 1):
            off, worked = _public(year)
            found |= off | worked
        return frozenset(found)
