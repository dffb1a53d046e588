"""Points the secretariat sets by hand, with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.permissions import can_see_all_reports, get_year_for_user
from clusters.selectors import year_members
from scoring.errors import ScoringError
from scoring.reporting.forms import ManualPointsForm
from scoring.reporting.selectors import manual_points_entry, manual_points_of_year
from scoring.reporting.services.manual import manual_points_delete, manual_points_set
from scoring.schemes.selectors import criteria_in_order, scheme_id_in_force


def year_manual_points(request, pk: int):
    """Manual points and adjustments, each with its reason and the member's own proposal; the
    secretariat sets (the form) or deletes (a row's button) them."""
    year, can_write = get_year_for_user(request, pk)
    scheme_id = scheme_id_in_force(year)
    if not can_see_all_reports(request.user, year) or scheme_id is None:
        raise Http404
    units = year_members(emulation_year=year)
    criteria = criteria_in_order(scheme_id=scheme_id)
    rows = manual_points_of_year(emulation_year=year)
    form = ManualPointsForm(units=units, criteria=criteria)
    delete_error = None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        if request.POST.get("action") == "delete":
            delete_error = _delete(request, year)
            done = delete_error is None
        else:
            form = ManualPointsForm(request.POST, units=units, criteria=criteria)
            done = _set(request, year, form)
        if done:
            return redirect("year-manual", pk=year.pk)
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


def _set(request, year, form: ManualPointsForm) -> bool:
    """Set a member's points on a criterion; False with the error on the form."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        manual_points_set(
            emulation_year=year,
            unit=data["unit"],
            criterion_code=data["criterion"],
            points=data["points"],
            proposed=data["proposed"],
            reason=data["reason"],
            actor=request.user,
        )
    except ScoringError as error:
        form.add_error(error.field, str(error))
        return False
    messages.success(request, _("Đã lưu điểm chấm tay."))
    return True


def _delete(request, year) -> str | None:
    """Delete an entry (with a reason); the refusal's message, or None once deleted."""
    raw = request.POST.get("row", "")
    row = manual_points_entry(emulation_year=year, row_id=int(raw) if raw.isdigit() else None)
    if row is None:
        raise Http404
    try:
        manual_points_delete(row=row, reason=request.POST.get("reason", ""), actor=request.user)
    except ScoringError as error:
        return str(error)
    messages.success(request, _("Đã xóa điểm chấm tay."))
    return None
