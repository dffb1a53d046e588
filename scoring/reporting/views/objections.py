"""Members' objections to their scores and the secretariat's answers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.permissions import can_see_all_reports, get_year_for_user, own_member_units
from scoring.errors import ScoringError
from scoring.reporting.selectors import objection_of_year, objections_of_year
from scoring.reporting.services.objections import objection_answer, objection_file
from scoring.schemes.selectors import criteria_in_order, scheme_id_in_force


def year_objections(request, pk: int):
    """Objections to criteria: members file them (their reporters see their own units' only);
    the secretariat answers and may amend; leadership reads them all."""
    year, can_write = get_year_for_user(request, pk)
    own_units = own_member_units(request.user, year)
    objections = objections_of_year(
        emulation_year=year,
        units=None if can_see_all_reports(request.user, year) else own_units,
    )
    criteria = criteria_in_order(scheme_id=scheme_id_in_force(year))
    error = None
    if request.method == "POST":
        try:
            _act(request, year, can_write, own_units)
        except ScoringError as problem:
            error = str(problem)
        else:
            return redirect("year-objections", pk=year.pk)
    return render(
        request,
        "scoring/year_objections.html",
        {
            "year": year,
            "objections": objections,
            "criteria": criteria,
            "can_write": can_write,
            "own_units": own_units,
            "error": error,
            "posted": request.POST if error else {},
        },
    )


def _act(request, year, can_write: bool, own_units: list) -> None:
    """The posted action: a member's reporter files, the secretariat answers; anything else 403."""
    action = request.POST.get("action")
    if action == "file" and own_units:
        _file(request, year, own_units)
    elif action == "answer" and can_write:
        _answer(request, year)
    else:
        raise PermissionDenied


def _file(request, year, own_units: list) -> None:
    """For the unit chosen among the user's own (the first unless one is posted)."""
    chosen = request.POST.get("unit", str(own_units[0].pk))
    unit = next((u for u in own_units if str(u.pk) == chosen), None)
    if unit is None or not request.POST.get("text", "").strip():
        raise ScoringError(_("Hãy chọn tiêu chí và ghi nội dung kiến nghị."))
    objection_file(
        emulation_year=year,
        unit=unit,
        criterion_code=request.POST.get("criterion", ""),
        text=request.POST["text"],
        actor=request.user,
    )
    messages.success(request, _("Đã gửi kiến nghị."))


def _answer(request, year) -> None:
    """Accepting may amend the criterion's definition, formula or target (a new scheme version)."""
    raw = request.POST.get("objection", "")
    objection = objection_of_year(
        emulation_year=year, objection_id=int(raw) if raw.isdigit() else None
    )
    if objection is None:
        raise Http404
    objection_answer(
        objection=objection,
        accept=request.POST.get("decision") == "accept",
        answer=request.POST.get("answer", ""),
        amend={k: request.POST.get(k, "").strip() for k in ("definition", "measure", "target")},
        actor=request.user,
    )
    messages.success(request, _("Đã trả lời kiến nghị."))
