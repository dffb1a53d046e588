"""The member's year report page: its reporter fills, saves, previews and submits it (with a
confirmation), attaches evidence without losing what was typed; the secretariat verifies or
returns it with comments, or enters a paper report in the member's place; leadership reads it.

One function per posted action (`ACTIONS`); each checks who may do it, reads its form and calls
one service. True from an action: done, the page redirects; False: the page is shown again with
what the action left on `_Page` (the form as typed, an error, a preview, a confirmation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.models import EmulationYear, Unit
from clusters.permissions import (
    can_edit_report,
    can_enter_paper_report,
    can_fill_report,
    can_reopen_report_late,
    can_review_report,
    get_report_for_user,
)
from emulation.uploads import upload_refusal
from scoring.errors import ScoringError
from scoring.formatting import page_language
from scoring.models import Report
from scoring.reporting.forms import ReportForm, ReturnForm, posted_answers
from scoring.reporting.selectors import (
    report_basics,
    report_page,
    report_preview,
    report_status_label,
    report_submit_consequences,
    report_waits_past_deadline,
)
from scoring.reporting.services.evidence import (
    evidence_check,
    evidence_delete,
    report_enter_from_paper,
    report_save_and_attach,
)
from scoring.reporting.services.reports import (
    EDITABLE,
    report_get_or_create,
    report_reopen_late,
    report_return,
    report_verify,
)


@dataclass
class _Page:
    """The report as the first read found it, and what a POST leaves for the page when it does
    not redirect."""

    year: EmulationYear
    unit: Unit
    role: str  # from get_report_for_user: "reporter", "secretariat" or "leadership"
    report: Report | None  # None before its first save
    elements: list  # the data elements of the scheme in force
    form: ReportForm | None = None
    return_form: ReturnForm | None = None
    paper_form: ReportForm | None = None
    preview: tuple | None = None
    understood: list = field(default_factory=list)
    confirm_submit: dict | None = None
    evidence_error: str | None = None
    paper_error: str | None = None

    @property
    def is_open(self) -> bool:
        """Still being written (a draft or returned) under a scheme: what its reporter changes."""
        status = self.report.status if self.report else Report.Status.DRAFT
        return bool(self.elements) and status in EDITABLE

    @property
    def is_submitted(self) -> bool:
        return self.report is not None and self.report.status in Report.SCORED_STATUSES


def report_detail(request, pk: int, unit_id: int):
    """The page (to whoever get_report_for_user lets in), or a posted action (`ACTIONS`)."""
    year, unit, role = get_report_for_user(request, pk, unit_id)
    report, elements = report_basics(emulation_year=year, unit=unit)
    page = _Page(year=year, unit=unit, role=role, report=report, elements=elements)
    if request.method == "POST":
        action = _posted_action(request)
        if action not in ACTIONS:
            raise PermissionDenied
        if ACTIONS[action](request, page, action):
            return redirect("report-detail", pk=year.pk, unit_id=unit.pk)
    return _render(request, page)


def _posted_action(request) -> str:
    """The button pressed. A body cut at a file too large lost the fields after it (the button
    among them): then the file's field says what was being done."""
    refused = upload_refusal(request)
    if refused is not None:
        return "paper" if refused.field == "paper-scan" else "evidence"
    return request.POST.get("action", "")


def _report_row(page: _Page) -> Report:
    """The report, created as an empty draft if the member has not saved it yet."""
    return page.report or report_get_or_create(emulation_year=page.year, unit_id=page.unit.pk)


# --- the reporter ------------------------------------------------------------------------------


def _reporter_form(request, page: _Page, action: str) -> ReportForm | None:
    """The reporter's figures as posted, kept on the page so that nothing typed is lost; None when
    they cannot be used — a file refused for its size, or a figure that cannot be read (the page
    says which field to correct; nothing is saved or attached)."""
    if not can_fill_report(page.role, has_scheme=bool(page.elements)):
        raise PermissionDenied
    form = page.form = ReportForm(request.POST, elements=page.elements)
    refused = upload_refusal(request)
    if refused is not None:
        form.is_valid()  # what was typed stays on screen; nothing is saved
        page.evidence_error = refused.message
        return None
    if not form.is_valid():
        if action == "evidence":
            page.evidence_error = _(
                "Tệp chưa được đính kèm: hãy sửa các số liệu có lỗi (đánh dấu đỏ) rồi đính kèm lại."
            )
        return None
    page.understood = form.understood()
    return form


def _preview(request, page: _Page, action: str) -> bool:
    """The points these figures would earn, with the other members' current ones; nothing saved."""
    form = _reporter_form(request, page, action)
    if form is not None:
        page.preview = report_preview(
            emulation_year=page.year,
            unit_code=page.unit.code,
            values=form.values(),
            language=page_language(),
        )
        page.form = form.formatted()
    return False


def _confirm_submit(request, page: _Page, action: str) -> bool:
    """The submit button only asks for the confirmation, which says what submitting means; the
    confirmation posts `submit_confirmed`."""
    form = _reporter_form(request, page, action)
    if form is not None:
        page.confirm_submit = report_submit_consequences(
            emulation_year=page.year, elements=page.elements, values=form.values()
        )
        page.form = form.formatted()
    return False


def _save(request, page: _Page, action: str) -> bool:
    """Save the draft, submit it (confirmed), or attach evidence — which saves the figures typed so
    far as a draft first. Submitted, verified or published since the form was opened: the service
    says which (a conflict, a locked report or year) and the typed figures stay on screen."""
    form = _reporter_form(request, page, action)
    if form is None:
        return False
    try:
        upload, element_code = _chosen_evidence(request, page, action)
    except ScoringError as error:
        page.evidence_error = str(error)
        return False
    try:
        _report, attach_refused = report_save_and_attach(
            emulation_year=page.year,
            unit_id=page.unit.pk,
            report=page.report,
            upload=upload,
            element_code=element_code,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            values=form.values(),
            submit=action == "submit_confirmed",
            note=form.cleaned_data["note"],
            answers=posted_answers(request.POST),
        )
    except ScoringError as error:
        form.add_error(None, str(error))
        return False
    _say_saved(request, action, upload, attach_refused)
    return True


def _chosen_evidence(request, page: _Page, action: str):
    """The evidence file posted with the figures (a file chosen and "Lưu nháp" pressed instead of
    "Đính kèm" is attached too) and the figure it documents; a file that will be refused is
    refused (ScoringError) before anything is saved."""
    upload = request.FILES.get("evidence") if action in ("evidence", "save") else None
    if action == "evidence" and upload is None:
        raise ScoringError(_("Hãy chọn tệp minh chứng."))
    element_code = request.POST.get("element", "")
    if upload is not None and element_code and element_code not in {e.code for e in page.elements}:
        raise ScoringError(_("Số liệu được chọn cho minh chứng không có trong thang điểm."))
    if upload is not None:
        evidence_check(upload)
    return upload, element_code


def _say_saved(request, action: str, upload, attach_refused: ScoringError | None) -> None:
    """What was saved; a file refused after the figures were saved is a warning, not an error."""
    if upload is None:
        messages.success(
            request,
            _("Đã nộp báo cáo.") if action == "submit_confirmed" else _("Đã lưu bản nháp."),
        )
    elif attach_refused is not None:
        messages.warning(
            request,
            _("Đã lưu bản nháp, nhưng chưa đính kèm được tệp: %(error)s")
            % {"error": attach_refused},
        )
    else:
        messages.success(request, _("Đã lưu bản nháp và đính kèm minh chứng."))


def _evidence_delete(request, page: _Page, action: str) -> bool:
    """The reporter removes a file attached by mistake, while the report is still open."""
    if page.report is None or not can_edit_report(page.role, page.year, report_open=page.is_open):
        raise PermissionDenied
    evidence_id = request.POST.get("evidence_id", "")
    try:
        evidence_delete(
            report=page.report,
            evidence_id=int(evidence_id) if evidence_id.isdigit() and len(evidence_id) < 12 else 0,
            actor=request.user,
        )
    except ScoringError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã xoá tệp minh chứng."))
    return True


# --- the secretariat ---------------------------------------------------------------------------


def _reopen_late(request, page: _Page, action: str) -> bool:
    """The secretariat lets a member that missed the deadline submit, with a reason."""
    if not can_reopen_report_late(page.role, page.year):
        raise PermissionDenied
    try:
        report_reopen_late(
            report=_report_row(page), reason=request.POST.get("reason", ""), actor=request.user
        )
    except ScoringError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đơn vị có thể nộp báo cáo sau hạn."))
    return True


def _return_form(request, page: _Page) -> ReturnForm | None:
    """The secretariat's review form as posted (kept on the page), or None if it is not valid."""
    if not can_review_report(page.role, page.year, report_submitted=page.is_submitted):
        raise PermissionDenied
    form = page.return_form = ReturnForm(request.POST, elements=page.elements)
    return form if form.is_valid() else None


def _verify(request, page: _Page, action: str) -> bool:
    form = _return_form(request, page)
    if form is None:
        return False
    assert page.report is not None  # only a submitted report is reviewed
    try:
        report_verify(
            report=page.report, expected_version=form.cleaned_data["version"], actor=request.user
        )
    except ScoringError as error:
        form.add_error(None, str(error))
        return False
    messages.success(request, _("Đã thẩm định báo cáo."))
    return True


def _return(request, page: _Page, action: str) -> bool:
    form = _return_form(request, page)
    if form is None:
        return False
    assert page.report is not None  # only a submitted report is reviewed
    try:
        report_return(
            report=page.report,
            expected_version=form.cleaned_data["version"],
            comments=form.comments(),
            actor=request.user,
        )
    except ScoringError as error:
        form.add_error(None, str(error))
        return False
    messages.success(request, _("Đã trả lại báo cáo để đơn vị bổ sung."))
    return True


def _paper_entry(request, page: _Page, action: str) -> bool:
    """The secretariat enters a member's figures from its signed paper report, with the scan."""
    if not can_enter_paper_report(page.role, page.year, report_open=page.is_open):
        raise PermissionDenied
    form = page.paper_form = ReportForm(request.POST, elements=page.elements, prefix="paper")
    scan = request.FILES.get("paper-scan")
    refused = upload_refusal(request)
    if refused is not None:
        page.paper_error = refused.message
        return False
    if scan is None:
        page.paper_error = _("Hãy đính kèm bản scan báo cáo giấy có chữ ký, đóng dấu.")
    if not form.is_valid() or scan is None:
        return False
    try:
        report_enter_from_paper(
            report=_report_row(page),
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


# The posted action → what it does.
ACTIONS = {
    "save": _save,
    "submit_confirmed": _save,
    "evidence": _save,
    "preview": _preview,
    "submit": _confirm_submit,
    "evidence_delete": _evidence_delete,
    "reopen_late": _reopen_late,
    "verify": _verify,
    "return": _return,
    "paper": _paper_entry,
}


# --- the page ----------------------------------------------------------------------------------


def _render(request, page: _Page):
    year, role, report = page.year, page.role, page.report
    data = report_page(emulation_year=year, unit=page.unit, report=report, elements=page.elements)
    editable = page.form is not None or can_edit_report(role, year, report_open=page.is_open)
    form, paper_form, return_form = _forms(page, data)
    return render(
        request,
        "scoring/report.html",
        {
            "year": year,
            "unit": page.unit,
            "role": role,
            "report": report,
            "status_label": report_status_label(report),
            "editable": editable,
            "reviewable": can_review_report(role, year, report_submitted=page.is_submitted),
            "form": form,
            "return_form": return_form,
            "paper_form": paper_form,
            "paper_error": page.paper_error,
            "rows": _rows(form, page.elements, data),
            "targets": data.targets,
            "comments": data.comments,
            "preview": page.preview,
            "understood": page.understood,
            "confirm_submit": page.confirm_submit,
            "evidence": data.evidence,
            "evidence_error": page.evidence_error,
            "elements": page.elements,
            "can_reopen_late": can_reopen_report_late(role, year)
            and report_waits_past_deadline(emulation_year=year, report=report),
        },
    )


def _forms(page: _Page, data) -> tuple[ReportForm, ReportForm | None, ReturnForm]:
    """The figures' form (as posted, or the stored figures with last year's in the help), the
    paper entry's (for the secretariat while the report is open) and the review's."""
    stored = {code: v.value for code, v in data.values.items()}
    form = page.form or ReportForm.for_report(page.elements, stored, page.report)
    form.show_last_year(data.previous)
    paper_form = page.paper_form
    if paper_form is None and can_enter_paper_report(
        page.role, page.year, report_open=page.is_open
    ):
        paper_form = ReportForm.for_report(page.elements, stored, page.report, prefix="paper")
    return_form = page.return_form or ReturnForm(
        initial={"version": page.report.version if page.report else 1}, elements=page.elements
    )
    return form, paper_form, return_form


def _rows(form: ReportForm, elements, data) -> list[tuple]:
    """Each figure: its element, its field, this year's stored row and last year's figure."""
    return [
        (e, form[ReportForm.field_name(e.code)], data.values.get(e.code), data.previous.get(e.code))
        for e in elements
    ]
