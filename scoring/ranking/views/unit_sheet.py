"""One member's score sheet for a year, with its trend over the years."""

from __future__ import annotations

from django.shortcuts import render

from clusters.permissions import (
    can_see_results,
    get_member_unit_for_user,
    get_year_for_user,
    refuse_unless_read,
    visible_years,
)
from scoring.formatting import page_language as _language
from scoring.ranking.selectors import unit_sheet_rows, unit_standing, unit_trend, year_current_run


def year_unit_sheet(request, pk: int, unit_id: int):
    """A member's score sheet: every criterion's definition, figures, target, points and the
    explanation line behind them."""
    year, _can_write = get_year_for_user(request, pk)
    unit, _own = get_member_unit_for_user(request, year, unit_id)
    if refused := refuse_unless_read(request):
        return refused
    run = year_current_run(emulation_year=year)
    rows, in_language = unit_sheet_rows(run=run, unit=unit, language=_language())
    # Its own rank and total are results too: a reporter sees them once the year is published.
    standing = (
        unit_standing(run=run, unit=unit) if run and can_see_results(request.user, year) else None
    )
    return render(
        request,
        "scoring/unit_sheet.html",
        {
            "year": year,
            "unit": unit,
            "run": run,
            "rows": rows,
            "standing": standing,
            "lines_in_vietnamese": not in_language,
            "trend": unit_trend(unit=unit, years=_trend_years(request.user, year)),
        },
    )


def _trend_years(user, year):
    """The cluster's years whose results the user may see."""
    return [
        y
        # With its cluster: can_see_results reads the cluster's supervising unit.
        for y in visible_years(user).filter(cluster_id=year.cluster_id).select_related("cluster")
        if can_see_results(user, y)
    ]
