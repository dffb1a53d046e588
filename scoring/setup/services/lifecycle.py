"""An emulation year's life cycle: planning → pledged → reporting → verification → scored →
published. Forward one step or more; any step back (a reopening) needs a recorded reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.audit import Actor, audit_record
from clusters.models import EmulationYear, RoleGrant, Unit
from scoring.errors import ReasonRequired, ScoringError, YearLocked
from scoring.inbox.services import notify_year_status
from scoring.models import Report
from scoring.ranking.services.dirty import year_mark_dirty


@dataclass
class PublishConsequences:
    """What publishing the year now would do to members that are not ready (read before the
    secretariat confirms, and checked again under the year's lock when it does)."""

    not_submitted: list[str] = field(default_factory=list)
    not_verified: list[str] = field(default_factory=list)
    days_left: int | None = None  # before the reporting deadline; None when passed or unset

    @property
    def needs_reason(self) -> bool:
        return bool(self.not_submitted or self.not_verified or self.days_left is not None)

    def as_audit(self) -> dict:
        return {
            "not_submitted": self.not_submitted,
            "not_verified": self.not_verified,
            "days_left": self.days_left,
        }


def year_publish_consequences(*, emulation_year: EmulationYear) -> PublishConsequences:
    statuses = dict(
        Report.objects.filter(emulation_year=emulation_year).values_list("unit_id", "status")
    )
    members = emulation_year.memberships.select_related("unit").order_by("unit__name")
    today = timezone.localdate()
    deadline = emulation_year.reporting_deadline
    return PublishConsequences(
        not_submitted=[
            m.unit.name for m in members if statuses.get(m.unit_id) not in Report.SCORED_STATUSES
        ],
        not_verified=[
            m.unit.name for m in members if statuses.get(m.unit_id) == Report.Status.SUBMITTED
        ],
        days_left=(deadline - today).days if deadline and deadline >= today else None,
    )


def year_set_status(
    *, emulation_year: EmulationYear, status: str, reason: str = "", actor: Actor = None
) -> EmulationYear:
    """Move the year along its life cycle. Publishing while a member has not submitted, a report
    is not verified, or before the deadline needs a reason (recorded with what was not ready);
    so does any step back."""
    order = EmulationYear.LIFE_CYCLE
    if status not in order:
        raise ScoringError(_("Trạng thái không hợp lệ: %(status)s") % {"status": status})
    with transaction.atomic():
        year = EmulationYear.objects.select_for_update().get(pk=emulation_year.pk)
        before = year.status
        if status == before:
            return year
        backwards = order.index(status) < order.index(before)
        if backwards and not reason.strip():
            raise ReasonRequired(_("Mở lại (lùi trạng thái) cần ghi rõ lý do."))
        if status == EmulationYear.Status.PUBLISHED and year.is_dirty:
            raise ScoringError(_("Kết quả đang được tính lại: hãy chờ xong rồi công bố."))
        consequences = (
            year_publish_consequences(emulation_year=year)
            if status == EmulationYear.Status.PUBLISHED
            else None
        )
        if consequences and consequences.needs_reason and not reason.strip():
            raise ReasonRequired(
                _(
                    "Công bố khi còn đơn vị chưa nộp hoặc chưa được thẩm định, hoặc trước hạn nộp, "
                    "cần ghi rõ lý do."
                )
            )
        year.status = status
        year.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="year.reopen" if backwards else "year.status",
            obj=year,
            emulation_year_id=year.pk,
            summary=f"Năm {year.year}: {EmulationYear.Status(before).label} → {EmulationYear.Status(status).label}",
            before={"status": before},
            after={"status": status}
            | (
                {"not_ready": consequences.as_audit()}
                if consequences and consequences.needs_reason
                else {}
            ),
            reason=reason.strip(),
        )
        notify_year_status(emulation_year_id=year.pk, status=status)
    if backwards and before == EmulationYear.Status.PUBLISHED:
        # Reopened: inputs that changed while it was frozen are scored again (after the status
        # change above has committed, since a published year is never marked dirty).
        year_mark_dirty(emulation_year_id=year.pk)
    return year


def year_remind_late(*, emulation_year: EmulationYear, actor: Actor = None) -> list[str]:
    """E-mail the reporters of members that have not submitted; returns the units reminded.
    Mail is sent outside any transaction; the reminder is recorded in the audit trail. A
    published year's members are not reminded (YearLocked)."""
    if emulation_year.is_published:
        raise YearLocked(_("Kết quả năm này đã công bố: không gửi thư nhắc."))
    submitted = set(
        Report.objects.filter(
            emulation_year=emulation_year, status__in=Report.SCORED_STATUSES
        ).values_list("unit_id", flat=True)
    )
    late = list(
        Unit.objects.filter(memberships__emulation_year=emulation_year)
        .exclude(pk__in=submitted)
        .order_by("name")
    )
    reminded = []
    deadline = (
        emulation_year.reporting_deadline.strftime("%d/%m/%Y")
        if emulation_year.reporting_deadline
        else "—"
    )
    for unit in late:
        emails = sorted(
            {
                e
                for e in RoleGrant.objects.filter(
                    role=RoleGrant.Role.REPORTER, unit=unit
                ).values_list("user__email", flat=True)
                if e
            }
        )
        if not emails:
            continue
        send_mail(
            subject=f"[Thi đua] Nhắc nộp báo cáo năm {emulation_year.year} — {emulation_year.cluster}",
            message=(
                f"Kính gửi {unit.name},\n\nBáo cáo năm {emulation_year.year} của đơn vị chưa được nộp "
                f"(hạn nộp: {deadline}). Đề nghị đơn vị hoàn thành và nộp báo cáo trên hệ thống.\n\n"
                f"Thư ký {emulation_year.cluster}"
            ),
            from_email=None,
            recipient_list=emails,
        )
        reminded.append(unit.name)
    audit_record(
        actor=actor,
        action="year.remind",
        obj=emulation_year,
        emulation_year_id=emulation_year.pk,
        summary=f"Nhắc nộp báo cáo: {len(reminded)} đơn vị",
        after={"units": reminded},
    )
    return reminded
