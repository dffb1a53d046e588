from __future__ import annotations

from django.shortcuts import render

from clusters.permissions import can_see_results, get_member_unit_for_user, get_year_for_user

from .models import Criterion, Score
from .selectors import year_current_run, year_standings


def year_detail(request, pk: int):
    year, can_write = get_year_for_user(request, pk)
    show_results = can_see_results(request.user, year)
    run = year_current_run(emulation_year=year) if show_results else None
    standings = year_standings(emulation_year=year) if run else []
    members = year.memberships.select_related("unit").order_by("unit__name")
    offices = year.offices.select_related("unit").order_by("-role")  # head, then deputies
    return render(
        request,
        "scoring/year_detail.html",
        {
            "year": year,
            "can_write": can_write,
            "show_results": show_results,
            "run": run,
            "standings": standings,
            "members": members,
            "offices": offices,
        },
    )


def year_unit_sheet(request, pk: int, unit_id: int):
    """A member's score sheet: every criterion's definition, figures, target, points and the
    explanation line behind them."""
    year, _can_write = get_year_for_user(request, pk)
    unit, _own = get_member_unit_for_user(request, year, unit_id)
    run = year_current_run(emulation_year=year)
    criteria = (
        list(
            Criterion.objects.filter(scheme=run.scheme).select_related("group").order_by("position")
        )
        if run
        else []
    )
    scores = {s.criterion_code: s for s in Score.objects.filter(run=run, unit=unit)} if run else {}
    rows = [(c, scores.get(c.code)) for c in criteria]
    standing = run.standings.filter(unit=unit).first() if run else None
    return render(
        request,
        "scoring/unit_sheet.html",
        {"year": year, "unit": unit, "run": run, "rows": rows, "standing": standing},
    )
