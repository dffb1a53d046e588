"""Opening a cluster's next emulation year."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.permissions import get_cluster_for_user
from scoring.errors import ScoringError
from scoring.setup.forms import YearOpenForm
from scoring.setup.selectors import cluster_last_year, year_first_deputy
from scoring.setup.services.opening import (
    members_carried_over,
    units_open_to_cluster,
    year_open,
)


def year_open_view(request, pk: int):
    """The secretariat opens the cluster's next year: its members (last year's carried over,
    mergers applied), head and deputies, deadline, and whether the scheme is copied."""
    cluster, can_write = get_cluster_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    last = cluster_last_year(cluster=cluster)
    units = units_open_to_cluster(cluster=cluster)
    if request.method != "POST":
        form = YearOpenForm(units=units, initial=_proposed(cluster, last))
        return render(request, "scoring/year_open.html", {"cluster": cluster, "form": form})
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
    return render(request, "scoring/year_open.html", {"cluster": cluster, "form": form})


def _proposed(cluster, last) -> dict:
    """The form's proposal: the year after the last, its members carried over, and — the usual
    rotation — last year's first deputy as head, if still a member."""
    next_year = (last.year + 1) if last else 2026
    carried = members_carried_over(cluster=cluster, year=next_year)
    deputy = year_first_deputy(emulation_year=last) if last is not None else None
    return {
        "year": next_year,
        "reporting_deadline": f"15/12/{next_year}",
        "members": carried,
        "head": deputy if deputy in carried else None,
        "copy_scheme": True,
    }
