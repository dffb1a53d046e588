"""A cluster's page: its years, offices and flag handovers."""

from __future__ import annotations

from django.shortcuts import render

from clusters.models import EmulationYear
from clusters.permissions import (
    get_cluster_for_user,
    refuse_unless_read,
    visible_years,
)
from scoring.ranking.selectors import cluster_handovers, cluster_years


def cluster_detail(request, pk: int):
    cluster, can_write = get_cluster_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    years = cluster_years(years=visible_years(request.user).filter(cluster=cluster))
    return render(
        request,
        "clusters/cluster_detail.html",
        {
            "cluster": cluster,
            "years": years,
            # Where the data is: the newest year with a submitted report, not an empty one
            # just opened.
            "latest_with_data": next((y for y in years if y.has_data), None),  # type: ignore[attr-defined]  # cluster_years annotates it
            "handovers": cluster_handovers(cluster=cluster),
            "can_write": can_write,
            "statuses": EmulationYear.Status,
        },
    )
