"""The member's year report page: its reporter fills, saves, previews and submits it (with a
confirmation), attaches evidence without losing what was typed; the secretariat verifies or
returns it with comments, or enters a paper report in the member's place; leadership reads it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.permissions import get_report_for_user
from emulation.uploads import upload_refusal
from scoring.errors import ScoringError
from scoring.fields import display_number
from scoring.models import Report
from scoring.reporting.forms import ReportForm, ReturnForm
from scoring.reporting.selectors import report_preview, report_status_label
from scoring.reporting.services.evidence import (
    evidence_add,
    evidence_check,
    evidence_delete,
    report_enter_from_paper,
)
from scoring.reporting.services.reports import (
    EDITABLE,
    report_get_or_create,
    report_reopen_late,
    report_return,
    report_save,
    report_verify,
)
from scoring.reporting.views.history import _report_basics, _report_page_extras

# What the reporter's buttons ask for; "submit" only asks for the confirmation.
REPORTER_ACTIONS = {"save", "preview", "submit", "submit_confirmed", "evidence"}


@dataclass
class _Page:
    """What a POST leaves for the page when it does not redirect."""

    form: ReportForm | None = None
    return_form: ReturnForm | None = None
    paper_form: ReportForm | None = None
    preview: tuple | None = None
    understood: list = field(default_factory=list)
    confirm_submit: dict | None = None
    evidence_error: str | None = None
    paper_error: str | None = None


def report_detail(request, pk: int, unit_id: int):
    year, unit, role = get_report_for_user(request, pk, unit_id)
    report, elements = _report_basics(year, unit)
    status = report.status if report else Report.Status.DRAFT
    page = _Page()
    if request.method == "POST":
        action = request.POST.get("action", "")
        refused = upload_refusal(request)
        if refused is not None:
            # The body was cut at the file: the fields after it (the button pressed among
            # them) never arrived, so the file's field says what was being done.
            action = "paper" if refused.field == "paper-scan" else "evidence"
        if action in REPORTER_ACTIONS:
            if role != "reporter" or not elements:
                raise PermissionDenied
            done = _reporter_action(request, action, year, unit, report, elements, page)
        elif action == "evidence_delete":
            done = _evidence_delete(request, role, year, report, elements)
        elif action == "reopen_late":
            done = _reopen_late(request, role, year, unit, report)
        elif action in {"verify", "return"}:
            done = _review(request, action, role, year, report, elements, page)
        elif action == "paper":
            done = _paper_entry(request, role, year, unit, report, elements, page)
        else:
            raise PermissionDenied
        if done:
            return redirect("report-detail", pk=year.pk, unit_id=unit.pk)
    return _render(request, year, unit, role, report, status, elements, page)


def _editable(role, year, status, elements) -> bool:
    return role == "reporter" and status in EDITABLE and not year.is_published and bool(elements)


def _reporter_action(request, action, year, unit, report, elements, page: _Page) -> bool:
    """Save, preview, submit (after a confirmation) or attach evidence. Attaching saves the
    figures typed so far as a draft first, so that nothing typed is lost; when a figure cannot be
    read, nothing is saved or attached and the page says which field to correct."""
    # Submitted, verified or published since this form was opened: the service says which (a
    # conflict, a locked report or year) and the typed figures stay on screen.
    form = page.form = ReportForm(request.POST, elements=elements)
    refused = upload_refusal(request)
    if refused is not None:
        form.is_valid()  # what was typed stays on screen; nothing is saved
        page.evidence_error = refused.message
        return False
    if not form.is_valid():
        if action == "evidence":
            page.evidence_error = _(
                "Tệp chưa được đính kèm: hãy sửa các số liệu có lỗi (đánh dấu đỏ) rồi đính kèm lại."
            )
        return False
    page.understood = _understood(form, elements)
    if action == "preview":
        page.preview = report_preview(
            emulation_year=year, unit_code=unit.code, values=form.values()
        )
        page.form = _formatted(form, elements)
        return False
    if action == "submit":
        page.confirm_submit = _submit_consequences(year, form, elements)
        page.form = _formatted(form, elements)
        return False
    # A file chosen and "Lưu nháp" pressed instead of "Đính kèm": it is attached too.
    upload = request.FILES.get("evidence") if action in ("evidence", "save") else None
    if action == "evidence" and upload is None:
        page.evidence_error = _("Hãy chọn tệp minh chứng.")
        return False
    element_code = request.POST.get("element", "")
    if upload is not None and element_code and element_code not in {e.code for e in elements}:
        page.evidence_error = _("Số liệu được chọn cho minh chứng không có trong thang điểm.")
        return False
    if upload is not None:
        try:
            evidence_check(upload)  # a file that will be refused is refused before any save
        except ScoringError as error:
            page.evidence_error = str(error)
            return False
    if year.is_published and report is None:
        # (No empty draft is created in a published year only to be refused.)
        form.add_error(None, _("Kết quả năm này đã công bố: báo cáo không thể thay đổi."))
        return False
    report = report or report_get_or_create(emulation_year=year, unit_id=unit.pk)
    try:
        report = report_save(
            report=report,
            expected_version=form.cleaned_data["version"],
            values=form.values(),
            submit=action == "submit_confirmed",
            note=form.cleaned_data["note"],
            answers=_answers(request),
            actor=request.user,
        )
    except ScoringError as error:
        form.add_error(None, str(error))
        return False
    if upload is None:
        messages.success(
            request,
            _("Đã nộp báo cáo.") if action == "submit_confirmed" else _("Đã lưu bản nháp."),
        )
        return True
    try:
        evidence_add(report=report, upload=upload, element_code=element_code, actor=request.user)
    except ScoringError as error:
        messages.warning(
            request,
            _("Đã lưu bản nháp, nhưng chưa đính kèm được tệp: %(error)s") % {"error": error},
        )
    else:
        messages.success(request, _("Đã lưu bản nháp và đính kèm minh chứng."))
    return True


def _answers(request) -> dict[int, str]:
    return {
        int(key.removeprefix("answer_")): value
        for key, value in request.POST.items()
        if key.startswith("answer_") and key.removeprefix("answer_").isdigit()
    }


def _understood(form: ReportForm, elements) -> list[tuple[str, str]]:
    """Each figure as the server read it, written back the Vietnamese way ("3.155,5")."""
    values = form.values()
    return [
        (e.name, "—" if values.get(e.code) is None else display_number(values[e.code]))
        for e in elements
    ]


def _formatted(form: ReportForm, elements) -> ReportForm:
    """The same figures, each shown as it was understood, so that a person sees that "3155,5"
    was read as 3.155,5 before anything is saved."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a bound form's QueryDict
    for element in elements:
        name = ReportForm.field_name(element.code)
        value = form.cleaned_data.get(name)
        if value is not None:
            data[name] = (
                str(int(value)) if element.type == element.Type.BOOLEAN else display_number(value)
            )
    formatted = ReportForm(data, elements=elements)
    formatted.is_valid()
    return formatted


def _submit_consequences(year, form: ReportForm, elements) -> dict:
    """What submitting means, said before it is done."""
    values = form.values()
    today = timezone.localdate()
    return {
        "missing": [e.name for e in elements if values.get(e.code) is None],
        "deadline": year.reporting_deadline,
        "days_left": (year.reporting_deadline - today).days if year.reporting_deadline else None,
    }


def _evidence_delete(request, role, year, report, elements) -> bool:
    status = report.status if report else Report.Status.DRAFT
    if report is None or not _editable(role, year, status, elements):
        raise PermissionDenied
    evidence_id = request.POST.get("evidence_id", "")
    try:
        evidence_delete(
            report=report,
            evidence_id=int(evidence_id) if evidence_id.isdigit() and len(evidence_id) < 12 else 0,
            actor=request.user,
        )
    except ScoringError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã xoá tệp minh chứng."))
    return True


def _reopen_late(request, role, year, unit, report) -> bool:
    if role != "secretariat" or year.is_published:
        raise PermissionDenied
    report = report or report_get_or_create(emulation_year=year, unit_id=unit.pk)
    try:
        report_reopen_late(report=report, reason=request.POST.get("reason", ""), actor=request.user)
    except ScoringError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đơn vị có thể nộp báo cáo sau hạn."))
    return True


def _reviewable(role, year, report) -> bool:
    return (
        role == "secretariat"
        and not year.is_published
        and report is not None
        and report.status in (Report.Status.SUBMITTED, Report.Status.VERIFIED)
    )


def _review(request, action, role, year, report, elements, page: _Page) -> bool:
    if not _reviewable(role, year, report):
        raise PermissionDenied
    form = page.return_form = ReturnForm(request.POST, elements=elements)
    if not form.is_valid():
        return False
    try:
        if action == "verify":
            report_verify(
                report=report,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
            messages.success(request, _("Đã thẩm định báo cáo."))
        else:
            report_return(
                report=report,
                expected_version=form.cleaned_data["version"],
                comments=form.comments(),
                actor=request.user,
            )
            messages.success(request, _("Đã trả lại báo cáo để đơn vị bổ sung."))
    except ScoringError as error:
        form.add_error(None, str(error))
        return False
    return True


def _paper_enterable(role, year, report, elements) -> bool:
    status = report.status if report else Report.Status.DRAFT
    return role == "secretariat" and not year.is_published and bool(elements) and status in EDITABLE


def _paper_entry(request, role, year, unit, report, elements, page: _Page) -> bool:
    """The secretariat enters a member's figures from its signed paper report, with the scan."""
    if not _paper_enterable(role, year, report, elements):
        raise PermissionDenied
    form = page.paper_form = ReportForm(request.POST, elements=elements, prefix="paper")
    scan = request.FILES.get("paper-scan")
    refused = upload_refusal(request)
    if refused is not None:
        page.paper_error = refused.message
        return False
    if scan is None:
        page.paper_error = _("Hãy đính kèm bản scan báo cáo giấy có chữ ký, đóng dấu.")
    if not form.is_valid() or scan is None:
        return False
    report = report or report_get_or_create(emulation_year=year, unit_id=unit.pk)
    try:
        report_enter_from_paper(
            report=report,
            expected_version=form.cleaned_data["version"],
            values=form.values(),
            note=form.cleaned_data["note"],
            scan=scan,
            actor=request.user,
        )
    except ScoringError as error:
        page.paper_error = str(error)
        return False
    messages.success(request, _("Đã nhập thay báo cáo giấy của đơn vị và đánh dấu đã nộp."))
    return True


def _render(request, year, unit, role, report, status, elements, page: _Page):
    values, previous, targets, comments = _report_page_extras(year, unit, report)
    editable = page.form is not None or _editable(role, year, status, elements)
    stored = {code: v.value for code, v in values.items()}
    form = page.form
    if form is None:
        form = ReportForm(initial=_initial(elements, stored, report), elements=elements)
    form.show_last_year(previous)
    paper_form = page.paper_form
    if paper_form is None and _paper_enterable(role, year, report, elements):
        paper_form = ReportForm(
            initial=_initial(elements, stored, report), elements=elements, prefix="paper"
        )
    by_code = {e.code: e.name for e in elements}
    evidence = list(report.evidence.order_by("uploaded_at")) if report else []
    return render(
        request,
        "scoring/report.html",
        {
            "year": year,
            "unit": unit,
            "role": role,
            "report": report,
            "status_label": report_status_label(report),
            "editable": editable,
            "reviewable": _reviewable(role, year, report),
            "form": form,
            "return_form": page.return_form
            or ReturnForm(initial={"version": report.version if report else 1}, elements=elements),
            "paper_form": paper_form,
            "paper_error": page.paper_error,
            "rows": [
                (e, form[ReportForm.field_name(e.code)], values.get(e.code), previous.get(e.code))
                for e in elements
            ],
            "targets": targets,
            "comments": [(c, by_code.get(c.element_code, c.element_code)) for c in comments],
            "preview": page.preview,
            "understood": page.understood,
            "confirm_submit": page.confirm_submit,
            "evidence": [(e, by_code.get(e.element_code, e.element_code)) for e in evidence],
            "evidence_error": page.evidence_error,
            "elements": elements,
            "can_reopen_late": role == "secretariat"
            and not year.is_published
            and status == Report.Status.DRAFT
            and bool(year.reporting_deadline)
            and timezone.localdate() > year.reporting_deadline,
        },
    )


def _initial(elements, stored, report) -> dict:
    initial = ReportForm.initial_for(elements, stored)
    initial.update(version=report.version if report else 1, note=report.note if report else "")
    return initial
