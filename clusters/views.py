from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import render

from .models import EmulationYear, FlagHandover, YearOffice
from .permissions import (
    get_cluster_for_user,
    refuse_unless_read,
    user_scope,
    visible_clusters,
    visible_years,
)


def home(request):
    if refused := refuse_unless_read(request):
        return refused
    scope = user_scope(request.user)
    clusters = visible_clusters(request.user).select_related("supervising_unit").order_by("name")
    years = (
        visible_years(request.user)
        .select_related("cluster")
        .prefetch_related(
            Prefetch("offices", queryset=YearOffice.objects.select_related("unit").order_by("role"))
        )
        .order_by("cluster__name", "-year")
    )
    return render(
        request,
        "clusters/home.html",
        {"clusters": clusters, "years": years, "scope": scope},
    )


def cluster_detail(request, pk: int):
    cluster, can_write = get_cluster_for_user(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    years = (
        visible_years(request.user)
        .filter(cluster=cluster)
        .select_related("scheme")
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
            "handovers": handovers,
            "can_write": can_write,
            "statuses": EmulationYear.Status,
        },
    )
