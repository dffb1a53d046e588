"""Points the secretariat sets by hand, with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.models import Unit
from clusters.permissions import (
    can_see_all_reports,
    get_year_for_user,
)
from scoring.errors import ScoringError
from scoring.models import Criterion


def year_manual_points(request, pk: int):
    """Manual points and adjustments, each with its reason and the member's own proposal."""
    from scoring.models import ManualPoints
    from scoring.reporting.forms import ManualPointsForm
    from scoring.reporting.services.manual import manual_points_delete, manual_points_set

    year, can_write = get_year_for_user(request, pk)
    if not can_see_all_reports(request.user, year):
        raise Http404
    if year.scheme_id is None:
        raise Http404
    units = Unit.objects.filter(memberships__emulation_year=year).order_by("name")
    criteria = list(Criterion.objects.filter(scheme_id=year.scheme_id).order_by("position"))
    rows = (
        ManualPoints.objects.filter(emulation_year=year)
        .select_related("unit", "entered_by")
        .order_by("unit__name", "criterion_code")
    )
    form = ManualPointsForm(units=units, criteria=criteria)
    delete_error = None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "delete":
                raw = request.POST.get("row", "")
                row = rows.filter(pk=int(raw)).first() if raw.isdigit() else None
                if row is None:
                    raise Http404
                manual_points_delete(
                    row=row, reason=request.POST.get("reason", ""), actor=request.user
                )
                messages.success(request, _("Đã xóa điểm chấm tay."))
                return redirect("year-manual", pk=year.pk)
            form = ManualPointsForm(request.POST, units=units, criteria=criteria)
            if form.is_valid():
                data = form.cleaned_data
                manual_points_set(
                    emulation_year=year,
                    unit=data["unit"],
                    criterion_code=data["criterion"],
                    points=data["points"],
                    proposed=data["proposed"],
                    reason=data["reason"],
                    actor=request.user,
                )
                messages.success(request, _("Đã lưu điểm chấm tay."))
                return redirect("year-manual", pk=year.pk)
        except ScoringError as error:
            if request.POST.get("action") == "delete":
                delete_error = str(error)
            else:
                form.add_error(error.field, str(error))
    return render(
        request,
        "scoring/year_manual.html",
        {
            "year": year,
            "rows": rows,
            "form": form,
            "can_write": can_write,
            "delete_error": delete_error,
        },
    )
