"""A cluster's years compared."""

from __future__ import annotations

from django.shortcuts import render

from clusters.permissions import (
    can_see_results,
    get_cluster_for_user,
    refuse_unless_read,
    visible_years,
)
from scoring.ranking.selectors import years_compared, years_with_data


def cluster_compare(request, pk: int):
    """The ranking of several years side by side (years whose results the user may see)."""
    cluster, _can_write = get_cluster_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    # A year nobody has reported in yet (its members tie at 0) is no column either.
    years = [
        y
        for y in years_with_data(years=visible_years(request.user).filter(cluster=cluster))
        if can_see_results(request.user, y)
    ]
    years, grid = years_compared(years=years)
    return render(
        request, "clusters/compare.html", {"cluster": cluster, "years": years, "grid": grid}
    )
