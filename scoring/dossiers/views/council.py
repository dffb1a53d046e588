"""An awarding body's own pages, for its staff: its councils (one a year) and the deadlines it
sets for dossiers; a council's meeting — its members by name and role, every proposal addressed
to the body for the year with the result of the council's secret ballot (counts only), and the
cap of each award kind across those proposals, with a warning when rounding leaves none.

Outside the body's staff (and the system administrator, who reads) every page is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.permissions import get_body_for_user, refuse_unless_read
from emulation.uploads import refuse_on_field, upload_refusal
from scoring.dossiers.forms import (
    CouncilForm,
    CouncilMemberForm,
    CouncilResultForm,
    DeadlineForm,
    MemberRemoveForm,
)
from scoring.dossiers.selectors import (
    award_choices,
    body_page,
    council_page,
    council_result_scan,
)
from scoring.dossiers.services import council as svc
from scoring.dossiers.views.access import (
    attachment,
    get_council_for_user,
    refuse_unless_allowed,
)
from scoring.errors import ScoringError
from scoring.formatting import page_language
from scoring.models import Dossier


def _apply(request, form, call, said: str) -> bool:
    """Call the service; its refusal goes next to the field it names."""
    try:
        call()
    except ScoringError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return False
    messages.success(request, said)
    return True


def awarding_body(request, body_id: int):
    body, can_write = get_body_for_user(request, body_id)
    if refused := refuse_unless_allowed(request, can_write):
        return refused
    today = timezone.localdate()
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if action else None
    council_form = CouncilForm(
        data if action == "council" else None,
        initial={"year": today.year - 1, "name": _("Hội đồng Thi đua – Khen thưởng")},
    )
    deadline_form = DeadlineForm(
        data if action == "deadline" else None, awards=award_choices(today, page_language())
    )
    done = None
    if action == "council" and council_form.is_valid():
        d = council_form.cleaned_data
        done = _apply(
            request,
            council_form,
            lambda: svc.council_create(
                body=body, year=d["year"], name=d["name"], actor=request.user
            ),
            _("Đã lập hội đồng."),
        )
    elif action == "deadline" and deadline_form.is_valid():
        done = _apply(
            request,
            deadline_form,
            lambda: svc.deadline_set(body=body, **deadline_form.cleaned_data, actor=request.user),
            _("Đã ghi hạn gửi hồ sơ."),
        )
    if done:
        return redirect("awarding-body", body_id=body.pk)
    return render(
        request,
        "dossiers/body.html",
        {
            "page": body_page(body=body, today=today),
            "can_write": can_write,
            "council_form": council_form,
            "deadline_form": deadline_form,
        },
        status=400 if request.method == "POST" else 200,
    )


def _result_choices(page, language: str):
    return [
        (d.pk, f"{d.unit.name} — {d.award_name} ({d.emulation_year.cluster.name})")
        for d, result, _reason in page.rows
        if d.state not in (Dossier.State.DECIDED, Dossier.State.REVOKED)
    ]


def council_detail(request, council_id: int):
    council, can_write = get_council_for_user(request, council_id)
    if refused := refuse_unless_allowed(request, can_write):
        return refused
    today = timezone.localdate()
    page = council_page(council=council, today=today)
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if action else None
    member_form = CouncilMemberForm(data if action == "member" else None)
    result_form = CouncilResultForm(
        data if action == "result" else None,
        request.FILES if action == "result" else None,
        dossiers=_result_choices(page, page_language()),
        initial={"met_on": today},
    )
    error = ""
    done = False
    if action == "member" and member_form.is_valid():
        done = _apply(
            request,
            member_form,
            lambda: svc.council_member_add(
                council=council, **member_form.cleaned_data, actor=request.user
            ),
            _("Đã thêm thành viên hội đồng."),
        )
    elif action == "remove":
        done, error = _remove_member(request, council)
    elif action == "result":
        done = _record_result(request, council, page, result_form)
    elif action is not None and action != "member":
        error = _("Thao tác không hợp lệ.")
    if done:
        return redirect("council-detail", council_id=council.pk)
    language = page_language()
    return render(
        request,
        "dossiers/council.html",
        {
            "page": page,
            "council": council,
            "can_write": can_write,
            "member_form": member_form,
            "result_form": result_form,
            "error": error,
            "rows": [
                (d, result, reason.text(language) if reason else "")
                for d, result, reason in page.rows
            ],
            "caps": [(cap, cap.result.reason.text(language)) for cap in page.caps],
        },
        status=400 if request.method == "POST" else 200,
    )


def _remove_member(request, council) -> tuple[bool, str]:
    form = MemberRemoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ScoringError(_("Chọn thành viên cần bỏ."))
        svc.council_member_remove(
            council=council, member_id=form.cleaned_data["member"], actor=request.user
        )
    except ScoringError as refused:
        return False, str(refused)
    messages.success(request, _("Đã bỏ thành viên khỏi hội đồng."))
    return True, ""


def _record_result(request, council, page, form) -> bool:
    if refused := upload_refusal(request):
        refuse_on_field(form, "scan", refused)
    if not form.is_valid():
        return False
    data = dict(form.cleaned_data)
    dossier = next(row[0] for row in page.rows if row[0].pk == data.pop("dossier"))
    return _apply(
        request,
        form,
        lambda: svc.council_result_record(
            council=council, dossier=dossier, **data, actor=request.user
        ),
        _("Đã ghi kết quả bỏ phiếu của hội đồng."),
    )


def council_scan(request, council_id: int, result_id: int):
    """The absent members' written opinions of one result (a scan), to the body's staff."""
    council, _can_write = get_council_for_user(request, council_id)
    if refused := refuse_unless_read(request):
        return refused
    result = council_result_scan(council=council, result_id=result_id)
    return attachment(result.opinions_scan if result is not None else None)
