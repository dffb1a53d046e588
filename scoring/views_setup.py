"""The secretariat's setup pages: open a year, set members' targets."""

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

from clusters.models import EmulationYear, Unit
from clusters.permissions import (
    can_see_all_reports,
    get_cluster_for_user,
    get_year_for_user,
    secretariat_post,
    user_scope,
)
from emulation.uploads import refuse_on_field, upload_refusal

from . import engine
from .errors import ScoringError
from .forms import TargetsForm, YearOpenForm, display_number
from .models import Criterion, MemberTarget
from .services.setup import (
    members_carried_over,
    targets_set,
    units_open_to_cluster,
    year_open,
)


def year_open_view(request, pk: int):
    cluster, can_write = get_cluster_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    last = cluster.years.order_by("-year").first()
    next_year = (last.year + 1) if last else 2026
    units = units_open_to_cluster(cluster=cluster)
    if request.method == "POST":
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
    else:
        carried = members_carried_over(cluster=cluster, year=next_year)
        head_default = None
        if last is not None:
            # The usual rotation: last year's first deputy becomes head.
            deputy = last.offices.filter(role="deputy").select_related("unit").first()
            head_default = deputy.unit if deputy and deputy.unit in carried else None
        form = YearOpenForm(
            units=units,
            initial={
                "year": next_year,
                "reporting_deadline": f"15/12/{next_year}",
                "members": carried,
                "head": head_default,
                "copy_scheme": True,
            },
        )
    return render(request, "scoring/year_open.html", {"cluster": cluster, "form": form})


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
    from .engine.input_files import read_target_rows
    from .services.targets import targets_from_rows

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


def year_pledge(request, pk: int):
    """The pledge: its text, who signed for each member and when; the secretariat publishes it
    and records the signatures."""
    from .forms import PledgeForm, SignatureForm
    from .models import Pledge
    from .services.pledges import pledge_publish, pledge_sign

    year, can_write = get_year_for_user(request, pk)
    pledge = Pledge.objects.filter(emulation_year=year).first()
    signatures = {s.unit_id: s for s in pledge.signatures.all()} if pledge else {}
    members = list(Unit.objects.filter(memberships__emulation_year=year).order_by("name"))
    unsigned = (
        Unit.objects.filter(memberships__emulation_year=year)
        .exclude(pk__in=list(signatures))
        .order_by("name")
    )
    pledge_form = PledgeForm(
        initial={
            "title": pledge.title
            if pledge
            else _("Giao ước thi đua năm %(year)s") % {"year": year.year},
            "text": pledge.text if pledge else "",
        }
    )
    signature_form = SignatureForm(units=unsigned)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        action = request.POST.get("action")
        refused = upload_refusal(request)
        if refused is not None:
            action = "sign"  # the button pressed came after the file, and never arrived
        try:
            if action == "publish":
                pledge_form = PledgeForm(request.POST)
                if pledge_form.is_valid():
                    pledge_publish(
                        emulation_year=year, actor=request.user, **pledge_form.cleaned_data
                    )
                    messages.success(request, _("Đã công bố giao ước."))
                    return redirect("year-pledge", pk=year.pk)
            elif action == "sign" and pledge is not None:
                signature_form = SignatureForm(request.POST, request.FILES, units=unsigned)
                if refused is not None:
                    refuse_on_field(signature_form, "scan", refused)
                if signature_form.is_valid():
                    data = signature_form.cleaned_data
                    pledge_sign(pledge=pledge, actor=request.user, **data)
                    messages.success(
                        request, _("Đã ghi nhận chữ ký của %(unit)s.") % {"unit": data["unit"]}
                    )
                    return redirect("year-pledge", pk=year.pk)
            else:
                raise PermissionDenied
        except ScoringError as error:
            (signature_form if action == "sign" else pledge_form).add_error(None, str(error))
    return render(
        request,
        "scoring/year_pledge.html",
        {
            "year": year,
            "pledge": pledge,
            "members": [(u, signatures.get(u.pk)) for u in members],
            "can_write": can_write,
            "pledge_form": pledge_form,
            "signature_form": signature_form,
            "all_signed": bool(pledge and pledge.locked_at),
            "amendments": _amendments(year),
        },
    )


@secretariat_post
def year_status(request, year):
    """POST only: the secretariat moves the year along its life cycle (publish, reopen). The first
    POST shows what the change means (who has not submitted, the days left before the deadline,
    that reports lock) and asks for a reason where one is needed; nothing changes until the
    confirmation is posted."""
    from .services.lifecycle import year_publish_consequences, year_set_status

    status = request.POST.get("status", "")
    if status not in EmulationYear.LIFE_CYCLE or status == year.status:
        messages.info(request, _("Trạng thái năm không thay đổi."))
        return redirect("year-detail", pk=year.pk)
    order = EmulationYear.LIFE_CYCLE
    backwards = order.index(status) < order.index(year.status)
    publishing = status == EmulationYear.Status.PUBLISHED
    consequences = year_publish_consequences(emulation_year=year) if publishing else None
    error = None
    if request.POST.get("confirmed") == "1":
        try:
            year_set_status(
                emulation_year=year,
                status=status,
                reason=request.POST.get("reason", ""),
                actor=request.user,
            )
        except ScoringError as failure:
            error = str(failure)
        else:
            messages.success(request, _("Đã cập nhật trạng thái năm thi đua."))
            return redirect("year-detail", pk=year.pk)
    return render(
        request,
        "scoring/year_status_confirm.html",
        {
            "year": year,
            "status": status,
            "status_label": EmulationYear.Status(status).label,
            "backwards": backwards,
            "publishing": publishing,
            "consequences": consequences,
            "reason_required": backwards or bool(consequences and consequences.needs_reason),
            "reason": request.POST.get("reason", ""),
            "error": error,
        },
    )


def year_objections(request, pk: int):
    """Objections to criteria: members file them; the secretariat answers and may amend."""
    from .models import Objection
    from .services.objections import objection_answer, objection_file

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


def year_manual_points(request, pk: int):
    """Manual points and adjustments, each with its reason and the member's own proposal."""
    from .forms import ManualPointsForm
    from .models import ManualPoints
    from .services.manual import manual_points_delete, manual_points_set

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


def year_scheme(request, pk: int):
    """The scheme in force with every criterion's definition, its versions, an import of a new
    version (with a reason once one exists) and an export of the one in force."""
    from django.http import HttpResponse

    from .forms import SchemeImportForm
    from .models import Scheme
    from .services.schemes import scheme_export, scheme_import

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


def year_remind(request, pk: int):
    """GET: the members that have not submitted, with the addresses a reminder would reach (and
    those it cannot); POST: remind them all."""
    from .services.bulk import late_members
    from .services.lifecycle import year_remind_late

    year, can_write = get_year_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    if request.method == "POST":
        if year.is_published:
            messages.error(request, _("Kết quả năm này đã công bố: không gửi thư nhắc."))
            return redirect("year-detail", pk=year.pk)
        reminded = year_remind_late(emulation_year=year, actor=request.user)
        if reminded:
            messages.success(
                request, _("Đã gửi thư nhắc: %(units)s.") % {"units": ", ".join(reminded)}
            )
        else:
            messages.info(request, _("Không có đơn vị nào cần nhắc (hoặc chưa có địa chỉ thư)."))
        return redirect("year-detail", pk=year.pk)
    late = late_members(emulation_year=year)
    return render(
        request,
        "scoring/year_remind.html",
        {
            "year": year,
            "late": late,
            "reachable": [m for m in late if m.emails],
            "unreachable": [m for m in late if not m.emails],
        },
    )


def criterion_edit(request, pk: int, code: str):
    """The secretariat edits one criterion; the change is a new scheme version with its reason."""
    from .forms import CriterionForm
    from .services.schemes import scheme_amend_criterion

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
