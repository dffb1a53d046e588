"""A cluster's page: its years, offices and flag handovers."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import render

from clusters.models import EmulationYear, FlagHandover, YearOffice
from clusters.permissions import (
    get_cluster_for_user,
    refuse_unless_read,
    visible_years,
)


def cluster_detail(request, pk: int):
    cluster, can_write = get_cluster_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    from scoring.ranking.selectors import year_has_scored_reports

    years = list(
        visible_years(request.user)
        .filter(cluster=cluster)
        .select_related("scheme")
        .annotate(has_data=year_has_scored_reports())
        .prefetch_related(
            Prefetch(
                "offices", queryset=YearOffice.objects.select_related("unit").order_by("role")
            ),
            "memberships__unit",
        )
        .order_by("-year")
    )
    handovers = FlagHandover.objects.filter(cluster=cluster).select_related(
        "from_unit", "to_unit", "emulation_year"
    )
    return render(
        request,
        "clusters/cluster_detail.html",
        {
            "cluster": cluster,
            "years": years,
            # Where the data is: the newest year with a submitted report, not an empty one
            # just opened.
            "latest_with_data": next((y for y in years if y.has_data), None),
            "handovers": handovers,
            "can_write": can_write,
            "statuses": EmulationYear.Status,
        },
    )
