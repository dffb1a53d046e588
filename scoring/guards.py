"""The one guard for every write on an emulation year's data: a published year is frozen.

Services that write a year's inputs or results call `year_assert_open` (views, the admin and the
management commands reach the data only through those services or through this guard); the only
way back is `year_set_status` moving the year backwards, with a recorded reason."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clusters.models import EmulationYear
from scoring.errors import YearLocked


def year_assert_open(*, emulation_year_id: int, lock: bool = False) -> EmulationYear:
    """The year, read now from the database (never a copy loaded before the request's checks);
    raises YearLocked if it is published. With `lock` (inside a transaction) the year's row is
    held until commit, so that a publication cannot slip in between this check and the write."""
    rows = EmulationYear.objects.all()
    if lock:
        rows = rows.select_for_update(of=("self",))
    year = rows.get(pk=emulation_year_id)
    if year.status == EmulationYear.Status.PUBLISHED:
        raise YearLocked(
            _(
                "Kết quả năm %(year)s đã công bố: dữ liệu của năm không thể thay đổi. "
                "Hãy mở lại năm (kèm lý do) trước."
            )
            % {"year": year.year}
        )
    return year
