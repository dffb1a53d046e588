"""The year's scoring scheme: importing a version, amending a criterion, the amendments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.permissions import (
    get_year_for_user,
)
from emulation.uploads import refuse_on_field, upload_refusal
from scoring import engine
from scoring.errors import ScoringError
from scoring.fields import display_number
from scoring.models import Criterion


def year_scheme(request, pk: int):
    """The scheme in force with every criterion's definition, its versions, an import of a new
    version (with a reason once one exists) and an export of the one in force."""
    from django.http import HttpResponse

    from scoring.models import Scheme
    from scoring.schemes.forms import SchemeImportForm
    from scoring.schemes.services import scheme_export, scheme_import

    year, can_write = get_year_for_user(request, pk)
    if request.GET.get("export") and year.scheme is not None:
        response = HttpResponse(
            scheme_export(scheme=year.scheme), content_type="application/x-yaml; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="scheme-{year.cluster.code}-{year.year}-v{year.scheme.version}.yaml"'
        )
        return response
    form = SchemeImportForm()
    warnings: list[str] = []
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        form = SchemeImportForm(request.POST, request.FILES)
        refused = upload_refusal(request)
        if refused is not None:
            refuse_on_field(form, "file", refused)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > 1024 * 1024:
                    raise ScoringError(
                        _("%(file)s: tệp thang điểm quá lớn (tối đa 1 MB).") % {"file": upload.name}
                    )
                _row, warnings = scheme_import(
                    emulation_year=year,
                    data=upload.read(),
                    filename=upload.name,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except (ScoringError, engine.SchemeError) as error:
                form.add_error(
                    "file" if isinstance(error, engine.SchemeError) else None, str(error)
                )
            else:
                messages.success(request, _("Đã nhập thang điểm phiên bản mới."))
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect("year-scheme", pk=year.pk)
    criteria = (
        Criterion.objects.filter(scheme_id=year.scheme_id)
        .select_related("group")
        .order_by("position")
        if year.scheme_id
        else []
    )
    versions = (
        Scheme.objects.filter(emulation_year=year).select_related("created_by").order_by("-version")
    )
    return render(
        request,
        "scoring/year_scheme.html",
        {
            "year": year,
            "criteria": criteria,
            "bands": list(year.scheme.bands.order_by("position"))
            if year.scheme is not None
            else [],
            "versions": versions,
            "form": form,
            "can_write": can_write,
        },
    )


def criterion_edit(request, pk: int, code: str):
    """The secretariat edits one criterion; the change is a new scheme version with its reason."""
    from scoring.schemes.forms import CriterionForm
    from scoring.schemes.services import scheme_amend_criterion

    year, can_write = get_year_for_user(request, pk)
    if not can_write:
        raise PermissionDenied if year.scheme_id else Http404
    criterion = (
        Criterion.objects.filter(scheme_id=year.scheme_id, code=code).first()
        if year.scheme_id is not None
        else None
    )
    if criterion is None:
        raise Http404
    initial = {
        f: getattr(criterion, f)
        for f in ("name", "definition", "measure", "unit", "direction", "kind", "rule", "knockout")
    }
    initial.update(
        target=None if criterion.target is None else display_number(criterion.target),
        points=display_number(criterion.points),
        scheme=year.scheme_id,
    )
    form = CriterionForm(initial=initial)
    if request.method == "POST":
        form = CriterionForm(request.POST)
        if form.is_valid():
            try:
                scheme_amend_criterion(
                    emulation_year=year,
                    code=code,
                    changes=form.changes(),
                    reason=form.cleaned_data["reason"],
                    expected_scheme_id=form.cleaned_data["scheme"],
                    actor=request.user,
                )
            except ScoringError as error:
                form.add_error("measure" if "measure" in str(error) else None, str(error))
            else:
                messages.success(request, _("Đã lưu tiêu chí trong phiên bản thang điểm mới."))
                return redirect("year-scheme", pk=year.pk)
    return render(
        request, "scoring/criterion_edit.html", {"year": year, "criterion": criterion, "form": form}
    )


def _amendments(year):
    """Changes after the pledge was signed — amended targets and scheme versions — with reasons,
    shown to every member."""
    from clusters.models import AuditEntry

    return list(
        AuditEntry.objects.filter(
            emulation_year=year, action__in=["targets.amend", "scheme.version"]
        )
        .exclude(reason="")
        .select_related("actor")
        .order_by("-at")
    )
