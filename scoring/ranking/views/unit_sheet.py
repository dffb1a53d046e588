"""One member's score sheet for a year, with its trend over the years."""

from __future__ import annotations

from django.shortcuts import render

from clusters.permissions import (
    can_see_results,
    get_member_unit_for_user,
    get_year_for_user,
    refuse_unless_read,
)
from scoring.formatting import page_language as _language
from scoring.models import Criterion, Score
from scoring.ranking.selectors import (
    scores_in_language,
    year_current_run,
)


def year_unit_sheet(request, pk: int, unit_id: int):
    """A member's score sheet: every criterion's definition, figures, target, points and the
    explanation line behind them."""
    year, _can_write = get_year_for_user(request, pk)
    unit, _own = get_member_unit_for_user(request, year, unit_id)
    if refused := refuse_unless_read(request):
        return refused
    run = year_current_run(emulation_year=year)
    criteria = (
        list(
            Criterion.objects.filter(scheme=run.scheme).select_related("group").order_by("position")
        )
        if run
        else []
    )
    scores = {s.criterion_code: s for s in Score.objects.filter(run=run, unit=unit)} if run else {}
    in_language = scores_in_language(scores.values(), run=run, language=_language())
    rows = [(c, scores.get(c.code)) for c in criteria]
    # Its own rank and total are results too: a reporter sees them once the year is published.
    standing = (
        run.standings.filter(unit=unit).first()
        if run and can_see_results(request.user, year)
        else None
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
            "trend": _unit_trend(request, year, unit),
        },
    )


def _unit_trend(request, year, unit):
    """The unit's rank and total over the cluster's years, and those of the units that merged
    into it (before their merger), for the years the user may see."""
    from clusters.permissions import visible_years
    from clusters.selectors import successions_all, unit_predecessor_codes
    from scoring.models import Standing

    lineage = {unit.code} | unit_predecessor_codes(unit_code=unit.code, links=successions_all())
    years = [
        y
        for y in visible_years(request.user).filter(cluster_id=year.cluster_id)
        if can_see_results(request.user, y)
    ]
    rows = (
        Standing.objects.filter(
            run__emulation_year__in=years, run__is_current=True, unit__code__in=lineage
        )
        .select_related("unit", "run__emulation_year")
        .order_by("run__emulation_year__year", "unit__code")
    )
    return [
        (s.run.emulation_year.year, s.unit, s.rank, s.total, s.unit_id != unit.pk) for s in rows
    ]
