"""The year's scoring scheme: importing a version, exporting the one in force, amending a
criterion."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.permissions import get_year_for_user
from emulation.uploads import refuse_on_field, upload_refusal
from scoring.errors import ScoringError
from scoring.schemes.forms import CriterionForm, SchemeImportForm
from scoring.schemes.selectors import (
    scheme_criterion,
    scheme_id_in_force,
    scheme_in_force,
    scheme_page,
)
from scoring.schemes.services import scheme_amend_criterion, scheme_export, scheme_import_upload


def year_scheme(request, pk: int):
    """The scheme in force with every criterion's definition, its versions, an import of a new
    version (with a reason once one exists) and an export of the one in force."""
    year, can_write = get_year_for_user(request, pk)
    scheme = scheme_in_force(year)
    if request.GET.get("export") and scheme is not None:
        return _export(year, scheme)
    form = SchemeImportForm()
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        form = SchemeImportForm(request.POST, request.FILES)
        refused = upload_refusal(request)
        if refused is not None:
            refuse_on_field(form, "file", refused)
        if _import(request, year, form):
            return redirect("year-scheme", pk=year.pk)
    page = scheme_page(emulation_year=year)
    return render(
        request,
        "scoring/year_scheme.html",
        {
            "year": year,
            "scheme": scheme,
            "criteria": page.criteria,
            "bands": page.bands,
            "versions": page.versions,
            "form": form,
            "can_write": can_write,
        },
    )


def _export(year, scheme) -> HttpResponse:
    """The version in force as a scheme file (YAML), to edit and import again."""
    response = HttpResponse(
        scheme_export(scheme=scheme), content_type="application/x-yaml; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="scheme-{year.cluster.code}-{year.year}-v{scheme.version}.yaml"'
    )
    return response


def _import(request, year, form: SchemeImportForm) -> bool:
    """Import the uploaded file as the year's next version; False with the error on the form."""
    if not form.is_valid():
        return False
    try:
        _row, warnings = scheme_import_upload(
            emulation_year=year,
            upload=form.cleaned_data["file"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except ScoringError as error:
        form.add_error(error.field, str(error))
        return False
    messages.success(request, _("Đã nhập thang điểm phiên bản mới."))
    for warning in warnings:
        messages.warning(request, warning)
    return True


def criterion_edit(request, pk: int, code: str):
    """The secretariat edits one criterion; the change is a new scheme version with its reason."""
    year, can_write = get_year_for_user(request, pk)
    scheme_id = scheme_id_in_force(year)
    if not can_write:
        raise PermissionDenied if scheme_id else Http404
    criterion = scheme_criterion(scheme_id=scheme_id, code=code)
    if criterion is None:
        raise Http404
    form = CriterionForm.for_criterion(criterion)
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
                form.add_error(error.field, str(error))
            else:
                messages.success(request, _("Đã lưu tiêu chí trong phiên bản thang điểm mới."))
                return redirect("year-scheme", pk=year.pk)
    return render(
        request, "scoring/criterion_edit.html", {"year": year, "criterion": criterion, "form": form}
    )
