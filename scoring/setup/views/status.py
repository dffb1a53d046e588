"""Moving a year through its statuses, and reminding late members."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.models import EmulationYear
from clusters.permissions import get_year_for_user, secretariat_post
from scoring.errors import ScoringError
from scoring.reporting.selectors import late_members
from scoring.setup.services.lifecycle import (
    year_publish_consequences,
    year_remind_late,
    year_set_status,
)


@secretariat_post
def year_status(request, year):
    """POST only: the secretariat moves the year along its life cycle (publish, reopen). The first
    POST shows what the change means (who has not submitted, the days left before the deadline,
    that reports lock) and asks for a reason where one is needed; nothing changes until the
    confirmation is posted."""
    status = request.POST.get("status", "")
    if status not in EmulationYear.LIFE_CYCLE or status == year.status:
        messages.info(request, _("Trạng thái năm không thay đổi."))
        return redirect("year-detail", pk=year.pk)
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
    return _confirmation(request, year, status, consequences, error)


def _confirmation(request, year, status: str, consequences, error: str | None):
    """What the change means, with the reason asked for where one is needed."""
    order = EmulationYear.LIFE_CYCLE
    backwards = order.index(status) < order.index(year.status)
    return render(
        request,
        "scoring/year_status_confirm.html",
        {
            "year": year,
            "status": status,
            "status_label": EmulationYear.Status(status).label,
            "backwards": backwards,
            "publishing": status == EmulationYear.Status.PUBLISHED,
            "consequences": consequences,
            "reason_required": backwards or bool(consequences and consequences.needs_reason),
            "reason": request.POST.get("reason", ""),
            "error": error,
        },
    )


def year_remind(request, pk: int):
    """GET: the members that have not submitted, with the addresses a reminder would reach (and
    those it cannot); POST: remind them all."""
    year, can_write = get_year_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    if request.method == "POST":
        try:
            reminded = year_remind_late(emulation_year=year, actor=request.user)
        except ScoringError as error:
            messages.error(request, str(error))
            return redirect("year-detail", pk=year.pk)
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
