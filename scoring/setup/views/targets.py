"""A year's targets, typed in the grid or read from a file."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from clusters.permissions import can_see_all_reports, get_year_for_user
from emulation.uploads import refuse_on_field, upload_refusal
from scoring.errors import ScoringError
from scoring.schemes.selectors import scheme_id_in_force
from scoring.setup.forms import TargetsForm
from scoring.setup.selectors import member_targets, target_criteria, target_members
from scoring.setup.services.targets import targets_save


def year_targets(request, pk: int):
    """The member × criterion grid of targets; blank cells take the scheme's default."""
    year, can_write = get_year_for_user(request, pk)
    if not can_see_all_reports(request.user, year):
        raise Http404  # reporters: other members' targets are not theirs to see
    if scheme_id_in_force(year) is None:
        raise Http404
    units = target_members(emulation_year=year)
    criteria = target_criteria(emulation_year=year)
    initial = TargetsForm.initial_for(member_targets(emulation_year=year))
    form = TargetsForm(initial=initial, units=units, criteria=criteria)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        form = TargetsForm(request.POST, request.FILES, units=units, criteria=criteria)
        refused = upload_refusal(request)
        if refused is not None:
            refuse_on_field(form, "upload", refused)
        if _save(request, year, form):
            return redirect("year-targets", pk=year.pk)
    return render(
        request,
        "scoring/year_targets.html",
        {
            "year": year,
            "form": form,
            "criteria": criteria,
            "rows": form.rows(),
            "can_write": can_write,
        },
    )


def _save(request, year, form: TargetsForm) -> bool:
    """The cells changed in the grid and those of an uploaded file; False with the error shown."""
    if not form.is_valid():
        return False
    try:
        changed = targets_save(
            emulation_year=year,
            grid=form.grid(),
            upload=form.cleaned_data.get("upload"),
            units=form.units,
            criteria=form.criteria,
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except ScoringError as error:
        form.add_error(error.field, str(error))
        return False
    messages.success(
        request,
        ngettext("Đã lưu %(n)s chỉ tiêu thay đổi.", "Đã lưu %(n)s chỉ tiêu thay đổi.", changed)
        % {"n": changed},
    )
    return True
