"""A year's targets, typed in the grid or read from a file."""

from __future__ import annotations

import os
import tempfile
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clusters.models import Unit
from clusters.permissions import (
    can_see_all_reports,
    get_year_for_user,
)
from emulation.uploads import refuse_on_field, upload_refusal
from scoring import engine
from scoring.errors import ScoringError
from scoring.fields import display_number
from scoring.models import Criterion, MemberTarget
from scoring.setup.forms import TargetsForm
from scoring.setup.services.opening import (
    targets_set,
)


def year_targets(request, pk: int):
    """The member × criterion grid of targets; blank cells take the scheme's default."""
    year, can_write = get_year_for_user(request, pk)
    if not can_see_all_reports(request.user, year):
        raise Http404  # reporters: other members' targets are not theirs to see
    if year.scheme_id is None:
        raise Http404
    units = list(Unit.objects.filter(memberships__emulation_year=year).order_by("name"))
    criteria = list(
        Criterion.objects.filter(scheme_id=year.scheme_id)
        .exclude(rule=Criterion.Rule.MANUAL)
        .order_by("position")
    )
    current = {
        (t.unit_id, t.criterion_code): t.target
        for t in MemberTarget.objects.filter(emulation_year=year)
    }
    initial = {TargetsForm.cell(u, c): display_number(v) for (u, c), v in current.items()}
    form = TargetsForm(initial=initial, units=units, criteria=criteria)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        form = TargetsForm(request.POST, request.FILES, units=units, criteria=criteria)
        refused = upload_refusal(request)
        if refused is not None:
            refuse_on_field(form, "upload", refused)
        if form.is_valid():
            grid = form.grid()
            upload = form.cleaned_data.get("upload")
            try:
                if upload is not None:
                    grid.update(_targets_from_file(upload, units, criteria))
                changed = targets_set(
                    emulation_year=year,
                    targets=grid,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                    note=f"tệp {upload.name}" if upload is not None else "",
                )
            except (ScoringError, engine.InputFileError) as error:
                form.add_error(
                    "upload" if isinstance(error, engine.InputFileError) else None, str(error)
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "Đã lưu %(n)s chỉ tiêu thay đổi.",
                        "Đã lưu %(n)s chỉ tiêu thay đổi.",
                        changed,
                    )
                    % {"n": changed},
                )
                return redirect("year-targets", pk=year.pk)
    rows = [(u, [(c, form[TargetsForm.cell(u.pk, c.code)]) for c in criteria]) for u in units]
    return render(
        request,
        "scoring/year_targets.html",
        {"year": year, "form": form, "criteria": criteria, "rows": rows, "can_write": can_write},
    )


def _targets_from_file(upload, units, criteria) -> dict[tuple[int, str], Decimal]:
    """Read an uploaded targets file — the long unit,criterion,target file or the grid template —
    with the engine's reader; units may be named by code, full name or short name. Errors name
    the file, row and column."""
    from scoring.engine.input_files import read_target_rows
    from scoring.setup.services.targets import targets_from_rows

    suffix = os.path.splitext(upload.name)[1].lower() or ".csv"
    if suffix not in {".csv", ".xlsx"}:
        raise engine.InputFileError(upload.name, None, None, _("chỉ nhận tệp .csv hoặc .xlsx"))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "upload" + suffix)
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            rows = read_target_rows(path)
        except engine.InputFileError as error:
            raise engine.InputFileError(
                upload.name, error.row, error.column, error.message
            ) from None
    return targets_from_rows(rows=rows, filename=upload.name, units=units, criteria=criteria)
