"""The targets' template file and last year's targets copied forward."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clusters.permissions import can_see_all_reports, get_year_for_user, refuse_unless_read
from scoring.errors import ReasonRequired, ScoringError
from scoring.fields import display_number
from scoring.schemes.selectors import scheme_id_in_force
from scoring.setup.forms_copy import TargetsCopyForm
from scoring.setup.selectors import pledge_locked
from scoring.setup.services.targets import (
    CopyPlan,
    targets_copy_last_year,
    targets_copy_plan,
    targets_template,
)


def _targets_year(request, pk: int):
    """Who may see the targets grid sees its helpers: the secretariat (write), leadership
    (read); reporters do not see other members' targets (404), as on the grid itself."""
    year, can_write = get_year_for_user(request, pk)
    if not can_see_all_reports(request.user, year):
        raise Http404
    if scheme_id_in_force(year) is None:
        raise Http404
    return year, can_write


def year_targets_template(request, pk: int):
    """The xlsx grid of members × criteria prefilled with the year's targets, for the upload."""
    year, _can_write = _targets_year(request, pk)
    if refused := refuse_unless_read(request):
        return refused
    response = HttpResponse(
        targets_template(emulation_year=year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="chi-tieu-{year.cluster.code}-{year.year}.xlsx"'
    )
    return response


def year_targets_copy(request, pk: int):
    """GET: what copying last year's targets would fill, overwrite and leave out (and why);
    POST: copy them, into empty cells only unless overwriting is ticked."""
    year, can_write = _targets_year(request, pk)
    if not can_write:
        raise PermissionDenied
    form = TargetsCopyForm()
    if request.method == "POST":
        form = TargetsCopyForm(request.POST)
        if _copy(request, year, form):
            return redirect("year-targets", pk=year.pk)
    plan = targets_copy_plan(emulation_year=year)
    return render(
        request,
        "scoring/year_targets_copy.html",
        {
            "year": year,
            "form": form,
            "plan": plan,
            "to_fill": _shown(plan.to_fill),
            "to_overwrite": _shown(plan.to_overwrite),
            "several": _shown(plan.several),
            "pledge_locked": pledge_locked(emulation_year=year),
        },
    )


def _copy(request, year, form: TargetsCopyForm) -> bool:
    """Copy last year's targets; False with the error on the form (a missing reason on its
    field)."""
    if not form.is_valid():
        return False
    overwrite = form.cleaned_data["overwrite"]
    try:
        changed, done = targets_copy_last_year(
            emulation_year=year,
            overwrite=overwrite,
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except ScoringError as error:
        form.add_error("reason" if isinstance(error, ReasonRequired) else None, str(error))
        return False
    _say_copied(request, changed, done, overwrite=overwrite)
    return True


def _say_copied(request, changed: int, done: CopyPlan, *, overwrite: bool) -> None:
    """How many targets were copied, and which cells were left for the secretariat to check."""
    messages.success(
        request,
        ngettext(
            "Đã chép %(n)s chỉ tiêu của năm trước.",
            "Đã chép %(n)s chỉ tiêu của năm trước.",
            changed,
        )
        % {"n": changed},
    )
    kept = 0 if overwrite else len(done.to_overwrite)
    if done.several or kept:
        messages.warning(
            request,
            _(
                "Không chép: %(several)s ô có nhiều chỉ tiêu nguồn, %(kept)s ô giữ "
                "chỉ tiêu đang có. Hãy xem lại các ô này trên bảng."
            )
            % {"several": len(done.several), "kept": kept},
        )


def _shown(cells) -> list[dict]:
    """The plan's cells with their numbers as written in the active language (1.234,5)."""

    def shown(value):
        return "" if value is None else display_number(value, grouping=True)

    return [
        {
            "unit": c.unit,
            "criterion": c.criterion,
            "value": shown(c.value) if len(c.sources) == 1 else "",
            "current": shown(c.current),
            "sources": [(unit, shown(value)) for unit, value in c.sources],
        }
        for c in cells
    ]
