"""What waits for a user, across clusters and years: a few statements per role (none for a role
the user lacks), whatever the number of clusters, years and members.

The statements are written by hand (emulation/sql.py's convention): built by the ORM, the
secretariat's counts took 19 ms of CPU to compile against 0.3 ms to run, and the home page is
every user's first request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sized
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.models import AuditEntry, Cluster, EmulationYear, Membership, Unit
from clusters.permissions import user_scope
from emulation.sql import as_field, rows, statement
from scoring.models import (
    AwardKind,
    Ballot,
    BallotVoter,
    Dossier,
    NotificationPreference,
    Objection,
    Pledge,
    PledgeSignature,
    Report,
    ReportComment,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# An answer or a publication stays in the inbox this long.
RECENT_DAYS = 30
# Years in which members report (a year still being planned asks nothing of them yet).
REPORTING = (EmulationYear.Status.PLEDGED, EmulationYear.Status.REPORTING)


@dataclass
class InboxItem:
    kind: str
    title: str
    year_id: int
    year: int
    cluster_name: str
    url: str
    unit_id: int | None = None
    unit_name: str = ""
    count: int | None = None
    days_left: int | None = None
    detail: str = ""

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        days_left = self.days_left
        return -days_left if days_left is not None and days_left < 0 else 0


@dataclass
class Inbox:
    reporter: list[InboxItem] = field(default_factory=list)
    secretariat: list[InboxItem] = field(default_factory=list)
    leadership: list[InboxItem] = field(default_factory=list)
    awarding: list[InboxItem] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.reporter or self.secretariat or self.leadership or self.awarding)

    @property
    def groups(self) -> list[tuple[str, list[InboxItem]]]:
        """The non-empty lists with their headings, in the order of the page."""
        return [
            (title, items)
            for title, items in (
                (_("Báo cáo của đơn vị"), self.reporter),
                (_("Thư ký cụm"), self.secretariat),
                (_("Lãnh đạo theo dõi"), self.leadership),
                (_("Cơ quan khen thưởng"), self.awarding),
            )
            if items
        ]

    def __len__(self) -> int:
        return (
            len(self.reporter) + len(self.secretariat) + len(self.leadership) + len(self.awarding)
        )


def inbox_for_user(*, user: User, today: dt.date | None = None) -> Inbox:
    today = today or timezone.localdate()
    scope = user_scope(user)
    inbox = Inbox()
    if scope.reporter_units:
        inbox.reporter = _reporter_items(scope.reporter_units, today)
    if scope.secretariat_clusters:
        inbox.secretariat = _secretariat_items(scope.secretariat_clusters, today)
        inbox.secretariat += _returned_dossiers(scope.secretariat_clusters)
    if scope.leadership_units:
        inbox.leadership = _leadership_items(scope.leadership_units)
    if scope.awarding_units:
        inbox.awarding = _awarding_items(scope.awarding_units, today)
    return inbox


# --- reading -------------------------------------------------------------------------------------


def _marks(ids: Sized) -> str:
    return ", ".join(["%s"] * len(ids))


def _since() -> object:
    recent = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    return connection.ops.adapt_datetimefield_value(recent)


def _ballot_title(purpose: str, award_name: str | None) -> str:
    return award_name or str(Ballot.Purpose(purpose).label)


PUBLISHED = EmulationYear.Status.PUBLISHED.value

# The tables the statements below name, as `{name}` (emulation/sql.py: statement).
_TABLES = {
    "audit": AuditEntry,
    "award_kind": AwardKind,
    "ballot": Ballot,
    "cluster": Cluster,
    "comment": ReportComment,
    "dossier": Dossier,
    "membership": Membership,
    "objection": Objection,
    "pledge": Pledge,
    "report": Report,
    "signature": PledgeSignature,
    "unit": Unit,
    "voter": BallotVoter,
    "year": EmulationYear,
}

# --- reporters -----------------------------------------------------------------------------------

_REPORTER_MEMBERSHIPS = """
    SELECT y.id, y.year, y.status, y.reporting_deadline, c.name, u.id, u.name,
           (SELECT r.status FROM {report} r
             WHERE r.emulation_year_id = m.emulation_year_id AND r.unit_id = m.unit_id),
           (SELECT COUNT(*) FROM {comment} rc
              JOIN {report} r ON r.id = rc.report_id
             WHERE r.emulation_year_id = m.emulation_year_id AND r.unit_id = m.unit_id
               AND rc.resolved = %s AND rc.answer = ''),
           (SELECT COUNT(*) FROM {ballot} b
             WHERE b.emulation_year_id = y.id AND b.status = %s)
      FROM {membership} m
      JOIN {year} y ON y.id = m.emulation_year_id
      JOIN {cluster} c ON c.id = y.cluster_id
      JOIN {unit} u ON u.id = m.unit_id
     WHERE m.unit_id IN ({units}) AND y.status <> %s
     ORDER BY y.reporting_deadline, c.name, u.name, y.id
"""

# Only in the (unpublished) years where the memberships' statement counted an open ballot —
# most requests skip it: their names come from that statement, and this one stays short to plan
# (the joins took 1.1 ms to plan, the work 0.1 ms).
_REPORTER_BALLOTS = """
    SELECT b.id, b.purpose, k.name, b.emulation_year_id, m.unit_id
      FROM {ballot} b
      JOIN {membership} m ON m.emulation_year_id = b.emulation_year_id
      LEFT JOIN {award_kind} k ON k.id = b.award_kind_id
     WHERE b.status = %s AND b.emulation_year_id IN ({years}) AND m.unit_id IN ({units})
       AND NOT EXISTS (SELECT 1 FROM {voter} v
                        WHERE v.ballot_id = b.id AND v.unit_id = m.unit_id)
     ORDER BY b.opened_at, b.id, m.unit_id
"""

_REPORTER_ANSWERS = """
    SELECT o.criterion_code, o.status, y.id, y.year, c.name, u.id, u.name
      FROM {objection} o
      JOIN {year} y ON y.id = o.emulation_year_id
      JOIN {cluster} c ON c.id = y.cluster_id
      JOIN {unit} u ON u.id = o.unit_id
     WHERE o.unit_id IN ({units}) AND o.status <> %s AND o.answered_at >= %s
     ORDER BY o.answered_at DESC, o.id DESC
"""


def _reporter_items(units: frozenset[int], today: dt.date) -> list[InboxItem]:
    items: list[InboxItem] = []
    ids = sorted(units)
    marks = _marks(ids)
    reporting = {s.value for s in REPORTING}
    years, names = {}, {}
    params = [False, Ballot.Status.OPEN.value, *ids, PUBLISHED]
    for row in rows(statement(_REPORTER_MEMBERSHIPS, _TABLES, units=marks), params):
        year_id, year, status, deadline, cluster, unit_id, unit, report, to_answer = row[:9]
        names[unit_id] = unit
        if row[9]:  # open ballots
            years[year_id] = (year, cluster)
        common = {
            "year_id": year_id,
            "year": year,
            "cluster_name": cluster,
            "url": reverse("report-detail", args=[year_id, unit_id]),
            "unit_id": unit_id,
            "unit_name": unit,
        }
        if report == Report.Status.RETURNED:
            detail = _("%(n)s nhận xét cần trả lời") % {"n": to_answer} if to_answer else ""
            items.append(
                InboxItem(
                    "report_returned",
                    _("Báo cáo bị trả lại: bổ sung và nộp lại"),
                    count=to_answer,
                    detail=detail,
                    **common,
                )
            )
        elif report in (None, Report.Status.DRAFT) and status in reporting:
            deadline = as_field(EmulationYear, "reporting_deadline", deadline)
            items.append(
                InboxItem(
                    "report_to_submit",
                    _("Nộp báo cáo năm"),
                    days_left=(deadline - today).days if deadline else None,
                    **common,
                )
            )
    ballots = (
        rows(
            statement(_REPORTER_BALLOTS, _TABLES, years=_marks(years), units=marks),
            [Ballot.Status.OPEN.value, *years, *ids],
        )
        if years
        else []
    )
    for _ballot, purpose, award, year_id, unit_id in ballots:
        items.append(
            InboxItem(
                "ballot_open",
                _("Bỏ phiếu đang mở: %(title)s") % {"title": _ballot_title(purpose, award)},
                year_id,
                *years[year_id],
                reverse("year-conference", args=[year_id]),
                unit_id=unit_id,
                unit_name=names[unit_id],
            )
        )
    params = [*ids, Objection.Status.OPEN.value, _since()]
    for row in rows(statement(_REPORTER_ANSWERS, _TABLES, units=marks), params):
        code, status, year_id, year, cluster, unit_id, unit = row
        items.append(
            InboxItem(
                "objection_answered",
                _("Kiến nghị về tiêu chí %(code)s đã được trả lời") % {"code": code},
                year_id,
                year,
                cluster,
                reverse("year-objections", args=[year_id]),
                unit_id=unit_id,
                unit_name=unit,
                detail=str(Objection.Status(status).label),
            )
        )
    return items


# --- the secretariat -----------------------------------------------------------------------------

_SECRETARIAT_YEARS = """
    SELECT y.id, y.year, y.reporting_deadline, c.name,
           (SELECT COUNT(*) FROM {membership} m WHERE m.emulation_year_id = y.id),
           (SELECT COUNT(*) FROM {report} r
             WHERE r.emulation_year_id = y.id AND r.status = %s),
           (SELECT COUNT(*) FROM {report} r
             WHERE r.emulation_year_id = y.id AND r.status IN (%s, %s)),
           (SELECT COUNT(*) FROM {objection} o
             WHERE o.emulation_year_id = y.id AND o.status = %s),
           (SELECT COUNT(*) FROM {pledge} p WHERE p.emulation_year_id = y.id),
           (SELECT COUNT(*) FROM {signature} s
              JOIN {pledge} p ON p.id = s.pledge_id WHERE p.emulation_year_id = y.id),
           (SELECT COUNT(*) FROM {ballot} b WHERE b.emulation_year_id = y.id AND b.status = %s)
      FROM {year} y
      JOIN {cluster} c ON c.id = y.cluster_id
     WHERE y.cluster_id IN ({clusters}) AND y.status <> %s
     ORDER BY c.name, y.year DESC
"""

# Only in the years where the years' statement counted an open ballot (as for reporters).
_SECRETARIAT_BALLOTS = """
    SELECT b.id, b.purpose, k.name, b.emulation_year_id,
           (SELECT COUNT(*) FROM {voter} v WHERE v.ballot_id = b.id)
      FROM {ballot} b
      LEFT JOIN {award_kind} k ON k.id = b.award_kind_id
     WHERE b.status = %s AND b.emulation_year_id IN ({years})
     ORDER BY b.opened_at, b.id
"""


def _secretariat_items(clusters: frozenset[int], today: dt.date) -> list[InboxItem]:
    items: list[InboxItem] = []
    ids = sorted(clusters)
    S = Report.Status
    params = [S.SUBMITTED.value, S.SUBMITTED.value, S.VERIFIED.value, Objection.Status.OPEN.value]
    params += [Ballot.Status.OPEN.value]
    years = rows(
        statement(_SECRETARIAT_YEARS, _TABLES, clusters=_marks(ids)), [*params, *ids, PUBLISHED]
    )
    found: dict[int, tuple] = {}
    for row in years:
        year_id, year, deadline, cluster, members, to_verify, reported, objections = row[:8]
        pledges, signatures, open_ballots = row[8:]
        deadline = as_field(EmulationYear, "reporting_deadline", deadline)
        if open_ballots:
            found[year_id] = (year, cluster, members)
        where = {"year_id": year_id, "year": year, "cluster_name": cluster}
        page = reverse("year-detail", args=[year_id])
        if to_verify:
            items.append(
                InboxItem(
                    "reports_to_verify",
                    _("Báo cáo chờ thẩm định"),
                    url=page,
                    count=to_verify,
                    **where,
                )
            )
        if deadline and deadline < today and members > reported:
            items.append(
                InboxItem(
                    "late_members",
                    _("Đơn vị chưa nộp báo cáo (quá hạn)"),
                    url=page,
                    count=members - reported,
                    days_left=(deadline - today).days,
                    **where,
                )
            )
        if objections:
            items.append(
                InboxItem(
                    "objections_to_answer",
                    _("Kiến nghị chờ trả lời"),
                    url=reverse("year-objections", args=[year_id]),
                    count=objections,
                    **where,
                )
            )
        if pledges and signatures < members:
            items.append(
                InboxItem(
                    "signatures_missing",
                    _("Đơn vị chưa ký giao ước"),
                    url=reverse("year-pledge", args=[year_id]),
                    count=members - signatures,
                    **where,
                )
            )
    ballots = (
        rows(
            statement(_SECRETARIAT_BALLOTS, _TABLES, years=_marks(found)),
            [Ballot.Status.OPEN.value, *found],
        )
        if found
        else []
    )
    for _ballot, purpose, award, year_id, voted in ballots:
        year, cluster, members = found[year_id]
        if voted < members:
            continue
        items.append(
            InboxItem(
                "ballot_ready",
                _("Mọi đơn vị đã bỏ phiếu: kết thúc “%(title)s”")
                % {"title": _ballot_title(purpose, award)},
                year_id,
                year,
                cluster,
                reverse("year-conference", args=[year_id]),
                count=voted,
            )
        )
    return items


# --- award dossiers -----------------------------------------------------------------------------

# A published year's dossiers the awarding level returned: the secretariat corrects and sends
# them again (the years' statement above reads years in progress only).
_RETURNED_DOSSIERS = """
    SELECT y.id, y.year, c.name, COUNT(*)
      FROM {dossier} d
      JOIN {year} y ON y.id = d.emulation_year_id
      JOIN {cluster} c ON c.id = y.cluster_id
     WHERE y.cluster_id IN ({clusters}) AND d.state = %s
     GROUP BY y.id, y.year, c.name
     ORDER BY c.name, y.year DESC
"""


def _returned_dossiers(clusters: frozenset[int]) -> list[InboxItem]:
    ids = sorted(clusters)
    returned = rows(
        statement(_RETURNED_DOSSIERS, _TABLES, clusters=_marks(ids)),
        [*ids, Dossier.State.RETURNED.value],
    )
    return [
        InboxItem(
            "dossiers_returned",
            _("Hồ sơ khen thưởng bị trả lại, cần bổ sung và gửi lại"),
            year_id,
            year,
            cluster,
            reverse("year-dossiers", args=[year_id]),
            count=n,
        )
        for year_id, year, cluster, n in returned
    ]


# The dossiers awaiting an awarding body (received, received again, appraised), by the year of
# the achievements: how many, and the nearest of their legal deadlines.
_AWAITING_DOSSIERS = """
    SELECT y.id, y.year, u.name, COUNT(*), MIN(d.due_on)
      FROM {dossier} d
      JOIN {year} y ON y.id = d.emulation_year_id
      JOIN {unit} u ON u.id = d.body_id
     WHERE d.body_id IN ({bodies}) AND d.state IN ({states})
     GROUP BY y.id, y.year, u.name
     ORDER BY u.name, y.year DESC
"""


def _awarding_items(bodies: frozenset[int], today: dt.date) -> list[InboxItem]:
    ids = sorted(bodies)
    awaiting = rows(
        statement(_AWAITING_DOSSIERS, _TABLES, bodies=_marks(ids), states=_marks(Dossier.AWAITING)),
        [*ids, *Dossier.AWAITING],
    )
    items = []
    for year_id, year, body, n, due in awaiting:
        due = as_field(Dossier, "due_on", due)
        items.append(
            InboxItem(
                "dossiers_awaiting",
                _("Hồ sơ đề nghị khen thưởng chờ xử lý"),
                year_id,
                year,
                body,
                reverse("dossier-queue"),
                count=n,
                days_left=(due - today).days if due else None,
            )
        )
    return items


# --- leadership ----------------------------------------------------------------------------------

# A published year's last forward status change is its publication (nothing comes after
# "published"; a reopening is recorded as year.reopen).
_LEADERSHIP_PUBLISHED = """
    SELECT y.id, y.year, c.name, p.at
      FROM {year} y
      JOIN {cluster} c ON c.id = y.cluster_id
      JOIN (SELECT a.emulation_year_id AS year_id, MAX(a.at) AS at
              FROM {audit} a
             WHERE a.action = %s AND a.at >= %s
             GROUP BY a.emulation_year_id) p ON p.year_id = y.id
     WHERE c.supervising_unit_id IN ({units}) AND y.status = %s
     ORDER BY p.at DESC, y.id
"""


def _leadership_items(units: frozenset[int]) -> list[InboxItem]:
    ids = sorted(units)
    published = rows(
        statement(_LEADERSHIP_PUBLISHED, _TABLES, units=_marks(ids)),
        ["year.status", _since(), *ids, PUBLISHED],
    )
    return [
        InboxItem(
            "results_published",
            _("Kết quả mới công bố"),
            year_id,
            year,
            cluster,
            reverse("year-detail", args=[year_id]),
            detail=timezone.localtime(as_field(AuditEntry, "at", at)).strftime("%d/%m/%Y"),
        )
        for year_id, year, cluster, at in published
    ]


def cluster_member_units(*, cluster: Cluster) -> list[Unit]:
    """The units that are members of any year of the cluster, with their contact."""
    return list(
        Unit.objects.filter(memberships__emulation_year__cluster=cluster)
        .select_related("contact")
        .distinct()
        .order_by("name")
    )


def email_enabled(*, user: User) -> bool:
    """Whether the user wants e-mail of what waits for them (yes until they say otherwise)."""
    current = NotificationPreference.objects.filter(user=user).first()
    return current.email_enabled if current else True
