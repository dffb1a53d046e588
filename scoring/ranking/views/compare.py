"""A cluster's years compared."""

from __future__ import annotations

from django.shortcuts import render

from clusters.permissions import (
    get_cluster_for_user,
    refuse_unless_read,
    visible_years,
)


def cluster_compare(request, pk: int):
    """The ranking of several years side by side (years whose results the user may see)."""
    from clusters.permissions import can_see_results
    from scoring.models import Standing
    from scoring.ranking.selectors import year_has_scored_reports

    cluster, _can_write = get_cluster_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    # A year nobody has reported in yet (its members tie at 0) is no column either.
    years = [
        y
        for y in visible_years(request.user)
        .filter(cluster=cluster)
        .select_related("cluster")
        .filter(year_has_scored_reports())
        .order_by("year")
        if can_see_results(request.user, y)
    ]
    standings = list(
        Standing.objects.filter(run__emulation_year__in=years, run__is_current=True)
        .select_related("unit", "run")
        .order_by("unit__name")
    )
    # Years without results (a baseline year with figures only) would be an empty column.
    scored = {s.run.emulation_year_id for s in standings}
    years = [y for y in years if y.pk in scored]
    table: dict[int, dict] = {}
    for s in standings:
        row = table.setdefault(s.unit_id, {"unit": s.unit, "cells": {}})
        row["cells"][s.run.emulation_year_id] = s
    latest = {
        s.unit_id: s.rank for s in standings if years and s.run.emulation_year_id == years[-1].pk
    }
    rows = sorted(table.values(), key=lambda r: (latest.get(r["unit"].pk, 10**6), r["unit"].name))
    grid = [(r["unit"], [r["cells"].get(y.pk) for y in years]) for r in rows]
    return render(
        request, "clusters/compare.html", {"cluster": cluster, "years": years, "grid": grid}
    )
