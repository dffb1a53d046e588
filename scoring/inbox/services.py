"""Notifications: an outbox row per person and event, written in the event's own transaction;
a task queued after commit sends the unsent rows. The unique (recipient, event key) and the
sender's conditional claim make each message once-only, whatever retries or duplicate tasks do.

Each `notify_*` function is called with one line from the service where the event happens."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from clusters.audit import Actor, audit_record
from clusters.models import AuditEntry, Cluster, EmulationYear, Membership, RoleGrant, Unit
from scoring.errors import ScoringError
from scoring.inbox.selectors import cluster_member_units
from scoring.models import (
    Ballot,
    Dossier,
    Notification,
    NotificationPreference,
    Objection,
    Pledge,
    Report,
    UnitContact,
)
from scoring.tasks import send_notifications

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)
Kind = Notification.Kind


def _recipients(users: QuerySet[User]) -> list[User]:
    """Users with an e-mail address who have not turned e-mail off."""
    off = NotificationPreference.objects.filter(email_enabled=False).values("user_id")
    return list(users.exclude(email="").exclude(pk__in=off).filter(is_active=True).distinct())


def _users(**grant):
    return get_user_model().objects.filter(**{f"grants__{k}": v for k, v in grant.items()})


def notify(
    *,
    kind: str,
    event_key: str,
    users: Iterable,
    subject: str,
    body: str,
    path: str = "",
    emulation_year_id: int | None = None,
) -> int:
    """Record one message per user for the event (a second record of the same event adds
    nothing) and send them once the surrounding transaction commits. Returns the rows added."""
    rows = [
        Notification(
            recipient=user,
            event_key=event_key[:120],
            kind=kind,
            emulation_year_id=emulation_year_id,
            # A header: a line break in a unit's or cluster's name must not break the message.
            subject=" ".join(subject.split())[:300],
            body=body,
            path=path,
        )
        for user in users
    ]
    if not rows:
        return 0
    before = Notification.objects.filter(event_key=event_key[:120]).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    added = Notification.objects.filter(event_key=event_key[:120]).count() - before
    transaction.on_commit(queue_send)
    return added


def queue_send() -> None:
    """Queue the sender; a broker that is down loses nothing (the rows stay unsent and the next
    event's task, or `notifications_send`, sends them)."""
    try:
        send_notifications.delay()
    except Exception:  # the event is committed; mail may follow later
        logger.exception("could not queue send_notifications")


def _year(emulation_year_id: int) -> EmulationYear:
    return EmulationYear.objects.select_related("cluster").get(pk=emulation_year_id)


def _in_vietnamese(function):
    """Messages are written in the app's first language (Vietnamese), whoever triggered them."""

    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper


@_in_vietnamese
def notify_report_submitted(*, report_id: int, version: int) -> int:
    report = Report.objects.select_related("unit").get(pk=report_id)
    year = _year(report.emulation_year_id)
    return notify(
        kind=Kind.REPORT_SUBMITTED,
        event_key=f"report-submitted:{report.pk}:{version}",
        users=_recipients(_users(role=RoleGrant.Role.SECRETARIAT, cluster_id=year.cluster_id)),
        subject=_("[Thi đua] %(unit)s đã nộp báo cáo năm %(year)s")
        % {"unit": report.unit.name, "year": year.year},
        body=_("%(unit)s đã nộp báo cáo năm %(year)s của %(cluster)s. Báo cáo chờ thẩm định.")
        % {"unit": report.unit.name, "year": year.year, "cluster": year.cluster.name},
        path=reverse("report-detail", args=[year.pk, report.unit_id]),
        emulation_year_id=year.pk,
    )


@_in_vietnamese
def notify_report_returned(*, report_id: int, version: int) -> int:
    report = Report.objects.select_related("unit").get(pk=report_id)
    year = _year(report.emulation_year_id)
    comments = report.comments.filter(resolved=False, answer="").count()
    return notify(
        kind=Kind.REPORT_RETURNED,
        event_key=f"report-returned:{report.pk}:{version}",
        users=_recipients(_users(role=RoleGrant.Role.REPORTER, unit_id=report.unit_id)),
        subject=_("[Thi đua] Báo cáo năm %(year)s của %(unit)s bị trả lại")
        % {"unit": report.unit.name, "year": year.year},
        body=_(
            "Thư ký %(cluster)s đã trả lại báo cáo năm %(year)s của %(unit)s với %(count)s "
            "nhận xét cần trả lời. Đề nghị đơn vị bổ sung và nộp lại."
        )
        % {
            "cluster": year.cluster.name,
            "year": year.year,
            "unit": report.unit.name,
            "count": comments,
        },
        path=reverse("report-detail", args=[year.pk, report.unit_id]),
        emulation_year_id=year.pk,
    )


@_in_vietnamese
def notify_objection_filed(*, objection_id: int) -> int:
    objection = Objection.objects.select_related("unit").get(pk=objection_id)
    year = _year(objection.emulation_year_id)
    return notify(
        kind=Kind.OBJECTION_FILED,
        event_key=f"objection-filed:{objection.pk}",
        users=_recipients(_users(role=RoleGrant.Role.SECRETARIAT, cluster_id=year.cluster_id)),
        subject=_("[Thi đua] Kiến nghị mới của %(unit)s về tiêu chí %(code)s")
        % {"unit": objection.unit.name, "code": objection.criterion_code},
        body=_("%(unit)s kiến nghị về tiêu chí %(code)s (năm %(year)s, %(cluster)s): %(text)s")
        % {
            "unit": objection.unit.name,
            "code": objection.criterion_code,
            "year": year.year,
            "cluster": year.cluster.name,
            "text": objection.text,
        },
        path=reverse("year-objections", args=[year.pk]),
        emulation_year_id=year.pk,
    )


@_in_vietnamese
def notify_objection_answered(*, objection_id: int) -> int:
    objection = Objection.objects.select_related("unit").get(pk=objection_id)
    year = _year(objection.emulation_year_id)
    return notify(
        kind=Kind.OBJECTION_ANSWERED,
        event_key=f"objection-answered:{objection.pk}",
        users=_recipients(_users(role=RoleGrant.Role.REPORTER, unit_id=objection.unit_id)),
        subject=_("[Thi đua] Kiến nghị về tiêu chí %(code)s đã được trả lời")
        % {"code": objection.criterion_code},
        body=_("Thư ký %(cluster)s đã trả lời kiến nghị của %(unit)s (%(status)s): %(answer)s")
        % {
            "cluster": year.cluster.name,
            "unit": objection.unit.name,
            "status": objection.get_status_display(),
            "answer": objection.answer,
        },
        path=reverse("year-objections", args=[year.pk]),
        emulation_year_id=year.pk,
    )


_OPENINGS = ("ballot.open", "ballot.reopen")


@_in_vietnamese
def notify_ballot_opened(*, ballot_id: int) -> int:
    # The conference's services import this module (this function): a cycle.
    from scoring.conference.services.conference import ballot_title

    ballot = Ballot.objects.select_related("award_kind").get(pk=ballot_id)
    year = _year(ballot.emulation_year_id)
    members = Membership.objects.filter(emulation_year=year).values("unit_id")
    # Opened, then each reopening: a new event each time.
    openings = AuditEntry.objects.filter(
        object_type="scoring.ballot", object_id=str(ballot.pk), action__in=_OPENINGS
    ).count()
    return notify(
        kind=Kind.BALLOT_OPENED,
        event_key=f"ballot-opened:{ballot.pk}:{openings}",
        users=_recipients(_users(role=RoleGrant.Role.REPORTER, unit_id__in=members)),
        subject=_("[Thi đua] Đang bỏ phiếu: %(title)s") % {"title": ballot_title(ballot)},
        body=_("%(cluster)s mở bỏ phiếu “%(title)s” (năm %(year)s) lúc %(at)s.")
        % {
            "cluster": year.cluster.name,
            "title": ballot_title(ballot),
            "year": year.year,
            "at": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
        },
        path=reverse("year-conference", args=[year.pk]),
        emulation_year_id=year.pk,
    )


# A dossier's steps, each told to who acts next or waits on it: a receipt to the awarding body's
# staff; a return (with its reasons), the appraisal, the decision and a revocation to the
# proposing cluster's secretariat — the last two also to the unit's own reporters. Each step:
# its kind, who is told ("body", "cluster", "cluster+unit"), the subject and the body.
_DOSSIER_STEPS = {
    "submit": (
        Kind.DOSSIER_RECEIVED,
        "body",
        gettext_noop("[Khen thưởng] Hồ sơ đề nghị %(award)s cho %(unit)s chờ thẩm định"),
        gettext_noop(
            "%(cluster)s đã gửi hồ sơ đề nghị %(award)s cho %(unit)s (thành tích năm %(year)s) "
            "đến %(body)s. Hạn thẩm định: %(appraise_by)s."
        ),
    ),
    "return": (
        Kind.DOSSIER_RETURNED,
        "cluster",
        gettext_noop("[Khen thưởng] Hồ sơ đề nghị %(award)s cho %(unit)s bị trả lại"),
        gettext_noop(
            "%(body)s đã trả lại hồ sơ đề nghị %(award)s cho %(unit)s (thành tích năm %(year)s). "
            "Lý do: %(return_reason)s. Đề nghị bổ sung và gửi lại."
        ),
    ),
    "appraise": (
        Kind.DOSSIER_APPRAISED,
        "cluster",
        gettext_noop("[Khen thưởng] Hồ sơ đề nghị %(award)s cho %(unit)s đã được thẩm định"),
        gettext_noop(
            "%(body)s đã thẩm định hồ sơ đề nghị %(award)s cho %(unit)s (thành tích năm "
            "%(year)s). Hạn chuyển quyết định: %(forward_by)s."
        ),
    ),
    "decide": (
        Kind.DOSSIER_DECIDED,
        "cluster+unit",
        gettext_noop("[Khen thưởng] %(unit)s được tặng %(award)s"),
        gettext_noop(
            "Quyết định số %(number)s ngày %(decided_on)s của %(deciding)s tặng %(award)s cho "
            "%(unit)s (thành tích năm %(year)s)."
        ),
    ),
    "revoke": (
        Kind.DOSSIER_REVOKED,
        "cluster+unit",
        gettext_noop("[Khen thưởng] %(award)s của %(unit)s bị thu hồi"),
        gettext_noop(
            "%(award)s tặng %(unit)s (thành tích năm %(year)s) đã bị thu hồi. Lý do: "
            "%(revoke_reason)s."
        ),
    ),
}
_DOSSIER_STEPS["resubmit"] = _DOSSIER_STEPS["submit"]


@_in_vietnamese
def notify_dossier_step(*, dossier_id: int, step: str, event: int) -> int:
    """Tell the people a dossier's step concerns (`event`: the step's audit entry, so that each
    return or receipt is told once, and a second one again)."""
    if step not in _DOSSIER_STEPS:
        return 0
    kind, told, subject, body = _DOSSIER_STEPS[step]
    dossier = Dossier.objects.select_related(
        "unit", "body", "emulation_year__cluster", "decision"
    ).get(pk=dossier_id)
    year, decision = dossier.emulation_year, dossier.decision
    facts = {
        "award": dossier.award_name,
        "unit": dossier.unit.name,
        "year": year.year,
        "cluster": year.cluster.name,
        "body": dossier.body.name,
        "appraise_by": _day(dossier.appraise_by),
        "forward_by": _day(dossier.forward_by),
        "return_reason": dossier.return_reason,
        "revoke_reason": dossier.revoke_reason,
        "number": decision.number if decision else "",
        "decided_on": _day(decision.decided_on if decision else None),
        "deciding": decision.deciding_body if decision else dossier.body.name,
    }
    if told == "body":
        users = _users(role=RoleGrant.Role.AWARDING, unit_id=dossier.body_id)
    else:
        users = _users(role=RoleGrant.Role.SECRETARIAT, cluster_id=year.cluster_id)
        if told == "cluster+unit":
            users |= _users(role=RoleGrant.Role.REPORTER, unit_id=dossier.unit_id)
    return notify(
        kind=kind,
        event_key=f"dossier-{step}:{dossier.pk}:{event}",
        users=_recipients(users),
        subject=_(subject) % facts,
        body=_(body) % facts,
        path=reverse("dossier-detail", args=[dossier.pk]),
        emulation_year_id=year.pk,
    )


def _day(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _with_ancestors(unit_id: int) -> set[int]:
    found: set[int] = set()
    current: int | None = unit_id
    parents = dict(Unit.objects.filter(parent__isnull=False).values_list("pk", "parent_id"))
    while current is not None and current not in found:
        found.add(current)
        current = parents.get(current)
    return found


def notify_year_status(*, emulation_year_id: int, status: str) -> int:
    """A year's status changed: its publication is news for leadership."""
    if status != EmulationYear.Status.PUBLISHED:
        return 0
    return notify_year_published(emulation_year_id=emulation_year_id)


@_in_vietnamese
def notify_year_published(*, emulation_year_id: int) -> int:
    year = _year(emulation_year_id)
    published = (
        year.audit_entries.filter(
            action="year.status", after__status=EmulationYear.Status.PUBLISHED
        ).count()
        or 1
    )
    return notify(
        kind=Kind.YEAR_PUBLISHED,
        # Published again after a reopening: a new event.
        event_key=f"year-published:{year.pk}:{published}",
        users=_recipients(
            _users(
                role=RoleGrant.Role.LEADERSHIP,
                unit_id__in=_with_ancestors(year.cluster.supervising_unit_id),
            )
        ),
        subject=_("[Thi đua] %(cluster)s công bố kết quả năm %(year)s")
        % {"cluster": year.cluster.name, "year": year.year},
        body=_("Kết quả thi đua năm %(year)s của %(cluster)s đã được công bố.")
        % {"cluster": year.cluster.name, "year": year.year},
        path=reverse("year-detail", args=[year.pk]),
        emulation_year_id=year.pk,
    )


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _invitation_link(user: User) -> str:
    """A set-password link made when the message is sent (never stored): Django's reset token,
    which stops working once the password is set or after PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return _absolute(reverse("password_reset_confirm", args=[uid, token]))


def notification_send(*, notification_id: int) -> bool:
    """Send one message unless someone already has. The row is claimed by a conditional UPDATE
    (no transaction held over the mail server); a failure unclaims it for a retry."""
    claimed = Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    row = Notification.objects.select_related("recipient").get(pk=notification_id)
    body = row.body
    if row.kind == Kind.INVITATION:
        # Someone who already has a password is sent to the login page, not given a reset link.
        user = row.recipient
        link = _absolute(reverse("login")) if user.has_usable_password() else None
        body += "\n\n" + (link or _invitation_link(user))
    elif row.path:
        body += "\n\n" + _absolute(row.path)
    try:
        EmailMessage(
            subject=row.subject, body=body, from_email=None, to=[row.recipient.email]
        ).send()
    except Exception:
        Notification.objects.filter(pk=row.pk).update(sent_at=None)
        raise
    return True


def notifications_send(*, limit: int = 500) -> int:
    """Send every unsent message (oldest first); returns how many this call sent. A message that
    fails does not hold back the others: they are sent, then the first failure is raised (for
    the task's retry, which finds only the failed ones still unsent)."""
    ids = list(
        Notification.objects.filter(sent_at__isnull=True)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent, failures = 0, []
    for pk in ids:
        try:
            sent += notification_send(notification_id=pk)
        except Exception as error:  # raised again below, after the others
            logger.warning("notification %s not sent: %s", pk, error)
            failures.append(error)
    if failures:
        raise failures[0]
    return sent


# --- preferences, contacts and invitations -------------------------------------------------------


def preference_set(*, user: User, email_enabled: bool) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_enabled": email_enabled}
    )
    return preference


def contacts_update(*, cluster: Cluster, emails: dict[int, str], actor: Actor = None) -> list[str]:
    """The secretariat sets member units' contact e-mails; returns the units changed (audited)."""
    units = {u.pk: u for u in cluster_member_units(cluster=cluster)}
    unknown = set(emails) - set(units)
    if unknown:
        raise ScoringError(_("Đơn vị không thuộc cụm này."))
    changed = []
    with transaction.atomic():
        for unit_id, email in emails.items():
            email = email.strip()
            unit = units[unit_id]
            old = getattr(unit, "contact", None)
            before = old.email if old else ""
            if before == email:
                continue
            UnitContact.objects.update_or_create(
                unit=unit, defaults={"email": email, "updated_by": _actor(actor)}
            )
            audit_record(
                actor=actor,
                action="contact.update",
                obj=unit,
                summary=f"Thư điện tử liên hệ của {unit.name}: {before or '—'} → {email or '—'}",
                before={"email": before},
                after={"email": email},
            )
            changed.append(unit.name)
    return changed


def _actor(actor: Actor) -> Actor:
    return actor if getattr(actor, "is_authenticated", False) else None


@_in_vietnamese
def reporter_invite(
    *, cluster: Cluster, unit: Unit, email: str, name: str = "", actor: Actor = None
) -> tuple[User, bool]:
    """Invite a reporter for a member unit: the user (found by e-mail, or created without a
    usable password), the reporter grant for the unit, and an invitation e-mail with a
    set-password link, sent after commit. Audited. Returns (user, created)."""
    email = email.strip().lower()
    if unit.pk not in {u.pk for u in cluster_member_units(cluster=cluster)}:
        raise ScoringError(_("Đơn vị không thuộc cụm này."))
    users = get_user_model().objects
    with transaction.atomic():
        user = users.filter(email__iexact=email).order_by("pk").first()
        created = user is None
        if created:
            if users.filter(username__iexact=email).exists():
                raise ScoringError(
                    _("Tên đăng nhập %(email)s đã có người dùng.") % {"email": email}
                )
            first, _sep, last = name.strip().rpartition(" ")
            user = users.create_user(
                username=email,
                email=email,
                first_name=first or last,
                last_name=last if first else "",
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
        assert user is not None  # found, or created just above
        grant, granted = RoleGrant.objects.get_or_create(
            user=user, role=RoleGrant.Role.REPORTER, unit=unit
        )
        audit_record(
            actor=actor,
            action="reporter.invite",
            obj=grant,
            summary=f"Mời {email} làm cán bộ báo cáo của {unit.name}",
            after={"email": email, "new_user": created, "new_grant": granted},
        )
        stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
        notify(
            kind=Kind.INVITATION,
            event_key=f"invitation:{user.pk}:{unit.pk}:{stamp}",
            users=[user],
            subject=_("[Thi đua] Lời mời báo cáo cho %(unit)s") % {"unit": unit.name},
            body=(
                _(
                    "Thư ký %(cluster)s mời bạn làm cán bộ báo cáo của %(unit)s trên hệ thống thi "
                    "đua khen thưởng. Tên đăng nhập: %(username)s. Hãy đặt mật khẩu theo đường dẫn "
                    "dưới đây (dùng được một lần, trong %(days)s ngày)."
                )
                if not user.has_usable_password()
                else _(
                    "Thư ký %(cluster)s đã giao cho bạn báo cáo của %(unit)s trên hệ thống thi đua "
                    "khen thưởng. Hãy đăng nhập bằng tài khoản %(username)s tại đường dẫn dưới đây."
                )
            )
            % {
                "cluster": cluster.name,
                "unit": unit.name,
                "username": user.get_username(),
                "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
            },
        )
    return user, created


# --- tasks that fall due with time (a sweep by beat; each event once, by its key) ---------------

REMIND_DAYS_BEFORE = 7  # a reporter hears of the deadline once, a week before it
SIGNATURES_AFTER_DAYS = 7  # the secretariat hears of missing signatures a week after publication


@_in_vietnamese
def notify_due(*, today: dt.date | None = None) -> int:
    """The inbox's tasks that come with the calendar, by e-mail: a reporter whose report is not
    submitted a week before the deadline; the secretariat the day after the deadline (who is
    late) and a week after publishing the pledge (who has not signed); the secretariat when every
    member has voted in an open ballot. Safe to run as often as wanted: every message has its
    event key, and a second run adds nothing."""
    today = today or timezone.localdate()
    added = 0
    open_years = EmulationYear.objects.filter(
        status__in=[EmulationYear.Status.PLEDGED, EmulationYear.Status.REPORTING],
        reporting_deadline__isnull=False,
    ).select_related("cluster")
    for year in open_years:
        added += _notify_deadline(year, today)
    added += _notify_signatures_missing(today)
    added += _notify_ballots_ready()
    return added


def _notify_deadline(year: EmulationYear, today: dt.date) -> int:
    """A week before the deadline, each member that has not submitted; after it, the
    secretariat, with the members still late."""
    members = {
        m.unit_id: m.unit
        for m in Membership.objects.filter(emulation_year=year).select_related("unit")
    }
    submitted = set(
        Report.objects.filter(emulation_year=year, status__in=Report.SCORED_STATUSES).values_list(
            "unit_id", flat=True
        )
    )
    waiting = [unit for unit_id, unit in sorted(members.items()) if unit_id not in submitted]
    assert year.reporting_deadline is not None  # the years read have one
    days_left = (year.reporting_deadline - today).days
    added = 0
    if 0 <= days_left <= REMIND_DAYS_BEFORE:
        for unit in waiting:
            added += _notify_deadline_soon(year, unit, days_left)
    if days_left < 0 and waiting:
        added += notify(
            kind=Kind.LATE_MEMBERS,
            event_key=f"late-members:{year.pk}:{year.reporting_deadline}",
            users=_recipients(_users(role=RoleGrant.Role.SECRETARIAT, cluster_id=year.cluster_id)),
            subject=_("[Thi đua] %(count)s đơn vị chưa nộp báo cáo năm %(year)s (quá hạn)")
            % {"count": len(waiting), "year": year.year},
            body=_("Đã quá hạn nộp %(deadline)s. Chưa nộp: %(units)s.")
            % {
                "deadline": year.reporting_deadline.strftime("%d/%m/%Y"),
                "units": ", ".join(u.name for u in waiting),
            },
            path=reverse("year-detail", args=[year.pk]),
            emulation_year_id=year.pk,
        )
    return added


def _notify_deadline_soon(year: EmulationYear, unit: Unit, days_left: int) -> int:
    assert year.reporting_deadline is not None  # the years read have one
    deadline = year.reporting_deadline.strftime("%d/%m/%Y")
    return notify(
        kind=Kind.DEADLINE_SOON,
        event_key=f"deadline-soon:{year.pk}:{unit.pk}:{year.reporting_deadline}",
        users=_recipients(_users(role=RoleGrant.Role.REPORTER, unit_id=unit.pk)),
        subject=_("[Thi đua] Báo cáo năm %(year)s của %(unit)s: hạn nộp %(deadline)s")
        % {"year": year.year, "unit": unit.name, "deadline": deadline},
        body=_(
            "Báo cáo năm %(year)s của %(unit)s chưa được nộp. Hạn nộp là %(deadline)s "
            "(còn %(days)s ngày)."
        )
        % {"year": year.year, "unit": unit.name, "deadline": deadline, "days": days_left},
        path=reverse("report-detail", args=[year.pk, unit.pk]),
        emulation_year_id=year.pk,
    )


def _notify_ballots_ready() -> int:
    """The secretariat, once every member has voted in an open ballot (once per opening)."""
    # The conference's services import this module (notify_ballot_opened): a cycle.
    from scoring.conference.services.conference import ballot_title

    added = 0
    for ballot in Ballot.objects.filter(status=Ballot.Status.OPEN).select_related(
        "award_kind", "emulation_year__cluster"
    ):
        year = ballot.emulation_year
        member_ids = set(
            Membership.objects.filter(emulation_year=year).values_list("unit_id", flat=True)
        )
        voted = set(ballot.voters.values_list("unit_id", flat=True))
        if not member_ids or member_ids - voted:
            continue
        openings = AuditEntry.objects.filter(
            object_type="scoring.ballot", object_id=str(ballot.pk), action__in=_OPENINGS
        ).count()
        added += notify(
            kind=Kind.BALLOT_READY,
            event_key=f"ballot-ready:{ballot.pk}:{openings}",
            users=_recipients(_users(role=RoleGrant.Role.SECRETARIAT, cluster_id=year.cluster_id)),
            subject=_("[Thi đua] Mọi đơn vị đã bỏ phiếu: %(title)s")
            % {"title": ballot_title(ballot)},
            body=_(
                "Cả %(count)s đơn vị của %(cluster)s đã bỏ phiếu “%(title)s”: có thể kết thúc và kiểm phiếu."
            )
            % {
                "count": len(member_ids),
                "cluster": year.cluster.name,
                "title": ballot_title(ballot),
            },
            path=reverse("year-conference", args=[year.pk]),
            emulation_year_id=year.pk,
        )
    return added


def _notify_signatures_missing(today: dt.date) -> int:
    added = 0
    since = today - dt.timedelta(days=SIGNATURES_AFTER_DAYS)
    for pledge in Pledge.objects.filter(
        published_at__isnull=False, locked_at__isnull=True, published_at__date__lte=since
    ).select_related("emulation_year__cluster"):
        year = pledge.emulation_year
        signed = set(pledge.signatures.values_list("unit_id", flat=True))
        missing = [
            m.unit
            for m in Membership.objects.filter(emulation_year=year)
            .select_related("unit")
            .order_by("unit__name")
            if m.unit_id not in signed
        ]
        if not missing:
            continue
        added += notify(
            kind=Kind.SIGNATURES_MISSING,
            event_key=f"signatures-missing:{pledge.pk}:{pledge.published_at:%Y%m%d%H%M%S}",
            users=_recipients(_users(role=RoleGrant.Role.SECRETARIAT, cluster_id=year.cluster_id)),
            subject=_("[Thi đua] Giao ước năm %(year)s: %(count)s đơn vị chưa ký")
            % {"year": year.year, "count": len(missing)},
            body=_("Giao ước đã công bố ngày %(published)s. Chưa ký: %(units)s.")
            % {
                "published": timezone.localtime(pledge.published_at).strftime("%d/%m/%Y"),
                "units": ", ".join(u.name for u in missing),
            },
            path=reverse("year-pledge", args=[year.pk]),
            emulation_year_id=year.pk,
        )
    return added
