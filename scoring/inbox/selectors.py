"""What waits for a user, across clusters and years: one query per kind of task (and none for a
role the user lacks), whatever the number of clusters, years and members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.models import AuditEntry, EmulationYear, Membership
from clusters.permissions import user_scope

from ..models import Ballot, BallotVoter, Objection, PledgeSignature, Report, ReportComment

# An answer or a publication stays in the inbox this long.
RECENT_DAYS = 30
# Years in which members report (a year still being planned asks nothing of them yet).
REPORTING = (EmulationYear.Status.PLEDGED, EmulationYear.Status.REPORTING)


@dataclass
class InboxItem:
    kind: str
    title: str
    year: EmulationYear
    url: str
    unit: object = None
    count: int | None = None
    days_left: int | None = None
    detail: str = ""

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.overdue else 0


@dataclass
class Inbox:
    reporter: list[InboxItem] = field(default_factory=list)
    secretariat: list[InboxItem] = field(default_factory=list)
    leadership: list[InboxItem] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.reporter or self.secretariat or self.leadership)

    @property
    def groups(self) -> list[tuple[str, list[InboxItem]]]:
        """The non-empty lists with their headings, in the order of the page."""
        return [
            (title, items)
            for title, items in (
                (_("Báo cáo của đơn vị"), self.reporter),
                (_("Thư ký cụm"), self.secretariat),
                (_("Lãnh đạo theo dõi"), self.leadership),
            )
            if items
        ]

    def __len__(self) -> int:
        return len(self.reporter) + len(self.secretariat) + len(self.leadership)


def _count(queryset, by: str):
    """A correlated COUNT of `queryset`'s rows whose `by` is the outer row (0 for none)."""
    counted = (
        queryset.filter(**{by: OuterRef("pk")})
        .order_by()
        .values(by)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def inbox_for_user(*, user, today: dt.date | None = None) -> Inbox:
    today = today or timezone.localdate()
    scope = user_scope(user)
    inbox = Inbox()
    if scope.reporter_units:
        inbox.reporter = _reporter_items(scope.reporter_units, today)
    if scope.secretariat_clusters:
        inbox.secretariat = _secretariat_items(scope.secretariat_clusters, today)
    if scope.leadership_units:
        inbox.leadership = _leadership_items(scope.leadership_units, today)
    return inbox


def _reporter_items(units: frozenset[int], today: dt.date) -> list[InboxItem]:
    items: list[InboxItem] = []
    reports = Report.objects.filter(
        emulation_year=OuterRef("emulation_year"), unit=OuterRef("unit")
    )
    memberships = (
        Membership.objects.filter(unit_id__in=units)
        .exclude(emulation_year__status=EmulationYear.Status.PUBLISHED)
        .select_related("unit", "emulation_year__cluster")
        .annotate(
            report_status=Subquery(reports.values("status")[:1]),
            to_answer=Subquery(
                ReportComment.objects.filter(
                    report__emulation_year=OuterRef("emulation_year"),
                    report__unit=OuterRef("unit"),
                    resolved=False,
                    answer="",
                )
                .order_by()
                .values("report")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
        )
        .order_by(
            "emulation_year__reporting_deadline", "emulation_year__cluster__name", "unit__name"
        )
    )
    for m in memberships:
        year, status = m.emulation_year, m.report_status
        url = reverse("report-detail", args=[year.pk, m.unit_id])
        if status == Report.Status.RETURNED:
            items.append(
                InboxItem(
                    "report_returned",
                    _("Báo cáo bị trả lại: bổ sung và nộp lại"),
                    year,
                    url,
                    unit=m.unit,
                    count=m.to_answer or 0,
                    detail=_("%(n)s nhận xét cần trả lời") % {"n": m.to_answer or 0}
                    if m.to_answer
                    else "",
                )
            )
        elif status in (None, Report.Status.DRAFT) and year.status in REPORTING:
            deadline = year.reporting_deadline
            items.append(
                InboxItem(
                    "report_to_submit",
                    _("Nộp báo cáo năm"),
                    year,
                    url,
                    unit=m.unit,
                    days_left=(deadline - today).days if deadline else None,
                )
            )
    voted = BallotVoter.objects.filter(ballot=OuterRef("pk"), unit=OuterRef("voter_unit"))
    ballots = (
        Ballot.objects.filter(
            status=Ballot.Status.OPEN, emulation_year__memberships__unit__in=units
        )
        .annotate(voter_unit=F("emulation_year__memberships__unit"))
        .filter(~Exists(voted))
        .select_related("emulation_year__cluster", "award_kind")
        .order_by("opened_at", "pk")
    )
    for ballot in ballots:
        items.append(
            InboxItem(
                "ballot_open",
                _("Bỏ phiếu đang mở: %(title)s") % {"title": _ballot_title(ballot)},
                ballot.emulation_year,
                reverse("year-conference", args=[ballot.emulation_year_id]),
            )
        )
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    answered = (
        Objection.objects.filter(unit_id__in=units, answered_at__gte=since)
        .exclude(status=Objection.Status.OPEN)
        .select_related("unit", "emulation_year__cluster")
        .order_by("-answered_at")
    )
    for objection in answered:
        items.append(
            InboxItem(
                "objection_answered",
                _("Kiến nghị về tiêu chí %(code)s đã được trả lời")
                % {"code": objection.criterion_code},
                objection.emulation_year,
                reverse("year-objections", args=[objection.emulation_year_id]),
                unit=objection.unit,
                detail=objection.get_status_display(),
            )
        )
    return items


def _ballot_title(ballot: Ballot) -> str:
    if ballot.award_kind_id:
        return ballot.award_kind.name
    return ballot.get_purpose_display()


def _secretariat_items(clusters: frozenset[int], today: dt.date) -> list[InboxItem]:
    items: list[InboxItem] = []
    scored = (Report.Status.SUBMITTED, Report.Status.VERIFIED)
    years = (
        EmulationYear.objects.filter(cluster_id__in=clusters)
        .exclude(status=EmulationYear.Status.PUBLISHED)
        .select_related("cluster")
        .annotate(
            members=_count(Membership.objects.all(), "emulation_year"),
            to_verify=_count(
                Report.objects.filter(status=Report.Status.SUBMITTED), "emulation_year"
            ),
            reported=_count(Report.objects.filter(status__in=scored), "emulation_year"),
            open_objections=_count(
                Objection.objects.filter(status=Objection.Status.OPEN), "emulation_year"
            ),
            has_pledge=Exists(
                EmulationYear.objects.filter(pk=OuterRef("pk"), pledge__isnull=False)
            ),
            signatures=_count(PledgeSignature.objects.all(), "pledge__emulation_year"),
        )
        # Sorted here, not in SQL: an ORDER BY makes Django hash every selected subquery
        # (3/4 of the query's compile time).
        .order_by()
    )
    for year in sorted(years, key=lambda y: (y.cluster.name, -y.year)):
        if year.to_verify:
            items.append(
                InboxItem(
                    "reports_to_verify",
                    _("Báo cáo chờ thẩm định"),
                    year,
                    reverse("year-detail", args=[year.pk]),
                    count=year.to_verify,
                )
            )
        deadline = year.reporting_deadline
        late = year.members - year.reported
        if deadline and deadline < today and late > 0:
            items.append(
                InboxItem(
                    "late_members",
                    _("Đơn vị chưa nộp báo cáo (quá hạn)"),
                    year,
                    reverse("year-detail", args=[year.pk]),
                    count=late,
                    days_left=(deadline - today).days,
                )
            )
        if year.open_objections:
            items.append(
                InboxItem(
                    "objections_to_answer",
                    _("Kiến nghị chờ trả lời"),
                    year,
                    reverse("year-objections", args=[year.pk]),
                    count=year.open_objections,
                )
            )
        if year.has_pledge and year.signatures < year.members:
            items.append(
                InboxItem(
                    "signatures_missing",
                    _("Đơn vị chưa ký giao ước"),
                    year,
                    reverse("year-pledge", args=[year.pk]),
                    count=year.members - year.signatures,
                )
            )
    ballots = (
        Ballot.objects.filter(status=Ballot.Status.OPEN, emulation_year__cluster_id__in=clusters)
        .select_related("emulation_year__cluster", "award_kind")
        .annotate(
            voted=_count(BallotVoter.objects.all(), "ballot"),
            members=_count(Membership.objects.all(), "emulation_year__ballots"),
        )
        .filter(voted__gte=F("members"))
        .order_by()
    )
    for ballot in sorted(ballots, key=lambda b: (b.opened_at, b.pk)):
        items.append(
            InboxItem(
                "ballot_ready",
                _("Mọi đơn vị đã bỏ phiếu: kết thúc “%(title)s”")
                % {"title": _ballot_title(ballot)},
                ballot.emulation_year,
                reverse("year-conference", args=[ballot.emulation_year_id]),
                count=ballot.voted,
            )
        )
    return items


def _leadership_items(units: frozenset[int], today: dt.date) -> list[InboxItem]:
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    published_at = (
        AuditEntry.objects.filter(
            emulation_year=OuterRef("pk"), action="year.status", after__status="published"
        )
        .order_by("-at")
        .values("at")[:1]
    )
    years = (
        EmulationYear.objects.filter(
            cluster__supervising_unit__in=units, status=EmulationYear.Status.PUBLISHED
        )
        .annotate(published_at=Subquery(published_at))
        .filter(Q(published_at__gte=since))
        .select_related("cluster")
        .order_by("-published_at")
    )
    return [
        InboxItem(
            "results_published",
            _("Kết quả mới công bố"),
            year,
            reverse("year-detail", args=[year.pk]),
            detail=timezone.localtime(year.published_at).strftime("%d/%m/%Y"),
        )
        for year in years
    ]
