"""Members' objections to their scores and the secretariat's answers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.models import Unit
from clusters.permissions import (
    get_year_for_user,
    user_scope,
)
from scoring.errors import ScoringError
from scoring.models import Criterion


def year_objections(request, pk: int):
    """Objections to criteria: members file them; the secretariat answers and may amend."""
    from scoring.models import Objection
    from scoring.reporting.services.objections import objection_answer, objection_file

    year, can_write = get_year_for_user(request, pk)
    scope = user_scope(request.user)
    leadership = year.cluster.supervising_unit_id in scope.leadership_units or scope.is_superuser
    own_units = list(
        Unit.objects.filter(memberships__emulation_year=year, pk__in=scope.reporter_units)
    )
    objections = (
        Objection.objects.filter(emulation_year=year).select_related("unit").order_by("-filed_at")
    )
    if not (can_write or leadership):
        objections = objections.filter(unit__in=own_units)
    criteria = (
        list(Criterion.objects.filter(scheme_id=year.scheme_id).order_by("position"))
        if year.scheme_id
        else []
    )
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "file" and own_units:
                unit = next(
                    (
                        u
                        for u in own_units
                        if str(u.pk) == request.POST.get("unit", str(own_units[0].pk))
                    ),
                    None,
                )
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
                return redirect("year-objections", pk=year.pk)
            if action == "answer" and can_write:
                raw = request.POST.get("objection", "")
                objection = (
                    Objection.objects.filter(emulation_year=year, pk=int(raw)).first()
                    if raw.isdigit()
                    else None
                )
                if objection is None:
                    raise Http404
                objection_answer(
                    objection=objection,
                    accept=request.POST.get("decision") == "accept",
                    answer=request.POST.get("answer", ""),
                    amend={
                        k: request.POST.get(k, "").strip()
                        for k in ("definition", "measure", "target")
                    },
                    actor=request.user,
                )
                messages.success(request, _("Đã trả lời kiến nghị."))
                return redirect("year-objections", pk=year.pk)
            raise PermissionDenied
        except ScoringError as problem:
            error = str(problem)
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
