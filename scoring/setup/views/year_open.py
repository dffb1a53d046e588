"""Opening a cluster's next emulation year."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.permissions import (
    get_cluster_for_user,
)
from scoring.errors import ScoringError
from scoring.setup.forms import YearOpenForm
from scoring.setup.services.opening import (
    members_carried_over,
    units_open_to_cluster,
    year_open,
)


def year_open_view(request, pk: int):
    cluster, can_write = get_cluster_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    last = cluster.years.order_by("-year").first()
    next_year = (last.year + 1) if last else 2026
    units = units_open_to_cluster(cluster=cluster)
    if request.method == "POST":
        form = YearOpenForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                opened = year_open(
                    cluster=cluster,
                    year=data["year"],
                    members=list(data["members"]),
                    head=data["head"],
                    deputies=list(data["deputies"]),
                    reporting_deadline=data["reporting_deadline"],
                    copy_scheme=data["copy_scheme"],
                    actor=request.user,
                )
            except ScoringError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(request, _("Đã mở năm thi đua %(year)s.") % {"year": opened.year})
                return redirect("year-detail", pk=opened.pk)
    else:
        carried = members_carried_over(cluster=cluster, year=next_year)
        head_default = None
        if last is not None:
            # The usual rotation: last year's first deputy becomes head.
            deputy = last.offices.filter(role="deputy").select_related("unit").first()
            head_default = deputy.unit if deputy and deputy.unit in carried else None
        form = YearOpenForm(
            units=units,
            initial={
                "year": next_year,
                "reporting_deadline": f"15/12/{next_year}",
                "members": carried,
                "head": head_default,
                "copy_scheme": True,
            },
        )
    return render(request, "scoring/year_open.html", {"cluster": cluster, "form": form})
