"""Reads of the award dossier's path: the working-day calendar, the rule set and award kind a
dossier is judged under, its page (checklist, eligibility, the council's result, clocks, steps),
the queue of an awarding body, a year's dossiers, a body's councils and deadlines, and a council's
meeting with the cap across its proposals. Each page reads in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, QuerySet

from clusters.models import AuditEntry, Cluster, EmulationYear, Unit
from clusters.permissions import dossier_scope
from scoring.awards.rule_sets import rule_set_on, rule_sets
from scoring.awards.selectors import unit_histories, year_leaders
from scoring.engine import awards as rules
from scoring.engine.awards import dossier as path
from scoring.models import (
    AwardProposal,
    AwardRecipient,
    Council,
    CouncilMember,
    CouncilResult,
    Dossier,
    DossierDeadline,
    DossierDocument,
    Standing,
    WorkCalendarDay,
)

QUEUE_PAGE_SIZE = 50


def work_calendar() -> rules.WorkCalendar:
    """Vietnam's public holidays (the `holidays` package), with the days off and worked the
    administrator added (WorkCalendarDay)."""
    off: list[dt.date] = []
    worked: list[dt.date] = []
    for day, working in WorkCalendarDay.objects.values_list("day", "working"):
        (worked if working else off).append(day)
    return rules.WorkCalendar(days_off=off, working_days=worked)


def rule_set_of(
    dossier: Dossier, today: dt.date, sets: tuple[rules.RuleSet, ...] | None = None
) -> rules.RuleSet:
    """The rule set that judges the dossier: the one in force on the day it was first received
    (the one recorded then), or — not yet sent — today's. `sets`: the rule sets in force, read
    once by a caller that judges many dossiers (each read asks the cache for their generation)."""
    sets = sets if sets is not None else rule_sets()
    if dossier.rule_set_code:
        for rule_set in sets:
            if rule_set.code == dossier.rule_set_code:
                return rule_set
    return rules.rule_set_for(sets, dossier.received_on or today)


def award_kind_of(
    dossier: Dossier, today: dt.date, sets: tuple[rules.RuleSet, ...] | None = None
) -> rules.AwardKind | None:
    return rule_set_of(dossier, today, sets).awards.get(dossier.award_code)


def award_choices(today: dt.date, language: str) -> list[tuple[str, str]]:
    """The award kinds of the rule set in force, as a form's choices."""
    return [
        (code, kind.name_en if language == "en" else kind.name)
        for code, kind in rule_set_on(today).awards.items()
    ]


def dossier_get(pk: int) -> Dossier | None:
    return (
        Dossier.objects.select_related(
            "body", "unit", "emulation_year__cluster", "decision", "proposal__award_kind"
        )
        .filter(pk=pk)
        .first()
    )


def dossier_document(*, dossier: Dossier, document_id: int) -> DossierDocument | None:
    """An uploaded document of this dossier (a document of another dossier is not found)."""
    return (
        DossierDocument.objects.filter(dossier=dossier, pk=document_id, generated=False)
        .exclude(file="")
        .first()
    )


def dossier_generated_file(
    *, dossier: Dossier, document_id: int, fmt: str
) -> tuple[DossierDocument, bytes] | None:
    """A generated document of this dossier with the bytes of its Word ("docx") or PDF ("pdf")
    file (a document of another dossier, or an uploaded one, is not found)."""
    other = {"docx": "pdf", "pdf": "docx"}[fmt]
    document = (
        DossierDocument.objects.filter(
            dossier=dossier, pk=document_id, generated_document__isnull=False
        )
        .select_related("generated_document__emulation_year__cluster", "generated_document__unit")
        .defer(f"generated_document__{other}")
        .first()
    )
    if document is None or document.generated_document is None:
        return None
    return document, bytes(getattr(document.generated_document, fmt))


def council_result_of(dossier: Dossier) -> CouncilResult | None:
    return CouncilResult.objects.filter(dossier=dossier).select_related("council").first()


def council_result_scan(*, council: Council, result_id: int) -> CouncilResult | None:
    return (
        CouncilResult.objects.filter(council=council, pk=result_id)
        .exclude(opinions_scan="")
        .first()
    )


# --- the cap across the proposals --------------------------------------------------------------


@dataclass
class CapStatus:
    award_code: str
    award_name: str
    result: rules.CapResult
    passed: int  # proposals the council passed
    decided: int

    @property
    def over(self) -> bool:
        return self.passed > self.result.allowed


def _considered(dossiers: list[Dossier], cap: rules.Cap, award_code: str) -> int:
    """What a cap counts: the cluster leaders among the body's proposals of the year (one a
    cluster's year), or the proposals for the award kind."""
    live = [d for d in dossiers if d.state != Dossier.State.REVOKED]
    if cap.of == "leaders":
        return len({d.emulation_year_id for d in live if d.leads_cluster})
    return sum(1 for d in live if d.award_code == award_code)


def caps_for(
    *, dossiers: list[Dossier], rule_set: rules.RuleSet, passed: set[int]
) -> list[CapStatus]:
    """The cap of each award kind among `dossiers` (one body's proposals of one year) that has
    one, with how many the council passed and how many are decided."""
    out = []
    for code in sorted({d.award_code for d in dossiers}):
        kind = rule_set.awards.get(code)
        if kind is None or kind.cap is None:
            continue
        mine = [d for d in dossiers if d.award_code == code]
        out.append(
            CapStatus(
                award_code=code,
                award_name=kind.name,
                result=rules.cap_for(kind.cap, _considered(dossiers, kind.cap, code)),
                passed=sum(1 for d in mine if d.pk in passed),
                decided=sum(1 for d in mine if d.state == Dossier.State.DECIDED),
            )
        )
    return out


def body_year_dossiers(*, body_id: int, year: int) -> list[Dossier]:
    return list(
        Dossier.objects.filter(body_id=body_id, emulation_year__year=year)
        .select_related("unit", "emulation_year__cluster")
        .order_by("award_code", "emulation_year__cluster__name", "unit__name")
    )


def cap_of_dossier(dossier: Dossier, kind: rules.AwardKind) -> CapStatus | None:
    """The cap the dossier's award kind sets among its body's proposals of the year."""
    if kind.cap is None:
        return None
    dossiers = list(
        Dossier.objects.filter(
            body_id=dossier.body_id, emulation_year__year=dossier.emulation_year.year
        ).only("pk", "award_code", "state", "emulation_year_id", "leads_cluster")
    )
    passed = set(
        CouncilResult.objects.filter(dossier__in=[d.pk for d in dossiers], passed=True).values_list(
            "dossier_id", flat=True
        )
    )
    mine = [d for d in dossiers if d.award_code == dossier.award_code]
    return CapStatus(
        award_code=kind.code,
        award_name=kind.name,
        result=rules.cap_for(kind.cap, _considered(dossiers, kind.cap, kind.code)),
        passed=sum(1 for d in mine if d.pk in passed),
        decided=sum(1 for d in mine if d.state == Dossier.State.DECIDED),
    )


# --- the dossier's page --------------------------------------------------------------------------


@dataclass
class ChecklistRow:
    item: rules.DossierItem
    document: DossierDocument | None


@dataclass
class Clock:
    label_due: dt.date | None
    days_left: int | None
    overdue: bool

    @property
    def days_late(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


@dataclass
class DossierPage:
    dossier: Dossier
    rule_set: rules.RuleSet
    kind: rules.AwardKind | None
    checklist: list[ChecklistRow]
    missing: list[rules.DossierItem]
    extra_documents: list[DossierDocument]  # of items the checklist no longer has
    verdict: rules.Verdict | None
    result: CouncilResult | None
    council_reason: rules.Reason | None
    cap: CapStatus | None
    clock: Clock
    deadline: DossierDeadline | None
    steps: list[AuditEntry]
    decisions: list[AwardRecipient]  # the unit's decisions, newest first
    proposal_votes: int | None
    extra: dict[str, Any] = field(default_factory=dict)


def dossier_clock(dossier: Dossier, calendar: rules.WorkCalendar, today: dt.date) -> Clock:
    if dossier.state not in Dossier.AWAITING or dossier.due_on is None:
        return Clock(None, None, False)
    return Clock(
        dossier.due_on,
        path.working_days_left(calendar, today, dossier.due_on),
        path.overdue(dossier.state, dossier.due_on, today),
    )


def council_reason(
    result: CouncilResult | None, kind: rules.AwardKind | None
) -> rules.Reason | None:
    """The council's result judged by the rule set's threshold and base."""
    if result is None:
        return None
    council = (
        kind.council
        if kind is not None and kind.council is not None
        else rules.CouncilVote(float(result.threshold_percent), result.base)
    )
    return rules.council_passes(
        council,
        yes=result.yes + result.written_yes,
        members=result.members,
        voting=result.yes + result.no + result.written_yes + result.written_no,
    )


def dossier_verdict(
    dossier: Dossier, rule_set: rules.RuleSet, today: dt.date
) -> rules.Verdict | None:
    """The engine's verdict on the proposal (for the day it was received, or today for a draft)
    — until it is decided: a decision of the award is then part of the unit's history."""
    if dossier.state in (Dossier.State.DECIDED, Dossier.State.REVOKED):
        return None
    if dossier.award_code not in rule_set.awards:
        return None
    history = unit_histories([dossier.unit])[dossier.unit_id]
    return rules.judge(
        rule_set,
        dossier.award_code,
        history,
        dossier.emulation_year.year,
        received_on=dossier.last_received_on or today,
    )


def dossier_steps(dossier: Dossier) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type="scoring.dossier", object_id=str(dossier.pk))
        .select_related("actor")
        .order_by("at", "id")
    )


def dossier_page(*, dossier: Dossier, today: dt.date) -> DossierPage:
    rule_set = rule_set_of(dossier, today)
    kind = rule_set.awards.get(dossier.award_code)
    documents = {d.item_code: d for d in dossier.documents.all()}
    items = kind.dossier if kind is not None else ()
    result = council_result_of(dossier)
    return DossierPage(
        dossier=dossier,
        rule_set=rule_set,
        kind=kind,
        checklist=[ChecklistRow(item, documents.get(item.code)) for item in items],
        missing=path.missing_documents(items, documents),
        extra_documents=[d for code, d in documents.items() if code not in {i.code for i in items}],
        verdict=dossier_verdict(dossier, rule_set, today),
        result=result,
        council_reason=council_reason(result, kind),
        cap=cap_of_dossier(dossier, kind) if kind is not None else None,
        clock=dossier_clock(dossier, work_calendar(), today),
        deadline=DossierDeadline.objects.filter(
            body_id=dossier.body_id,
            award_code=dossier.award_code,
            year=dossier.emulation_year.year,
        ).first(),
        steps=dossier_steps(dossier),
        decisions=list(
            AwardRecipient.objects.filter(unit_id=dossier.unit_id)
            .select_related("decision")
            .order_by("-decision__achievement_year", "-decision__decided_on")
        ),
        proposal_votes=dossier.proposal.votes if dossier.proposal is not None else None,
    )


# --- the queue -----------------------------------------------------------------------------------


SORTS = {
    "han": ("due_on", "pk"),  # fewest working days left first (no clock running: last)
    "-han": ("-due_on", "pk"),
    "nhan": ("-last_received_on", "pk"),
    "cum": ("emulation_year__cluster__name", "unit__name", "pk"),
    "hinh-thuc": ("award_code", "emulation_year__cluster__name", "pk"),
}


@dataclass
class QueueFilters:
    award: str = ""
    cluster: int | None = None  # one cluster (a link in the queue)
    cluster_name: str = ""  # clusters whose name holds this (a national body has 1,400)
    state: str = ""
    sort: str = "han"
    late: bool = False  # overdue at the awarding level only


@dataclass
class QueueRow:
    dossier: Dossier
    clock: Clock


@dataclass
class QueuePage:
    rows: list[QueueRow]
    page: Page
    total: int
    states: dict[str, int]
    awards: list[tuple[str, str]]
    cluster: Cluster | None  # the one cluster filtered on


def visible_dossiers(user: Any) -> QuerySet[Dossier]:
    condition = dossier_scope(
        user,
        body="body",
        cluster="emulation_year__cluster",
        supervising="emulation_year__cluster__supervising_unit",
        unit="unit",
    )
    rows = Dossier.objects.all()
    return rows if condition is None else rows.filter(condition)


def queue_stamp(*, user: Any) -> tuple[int, str]:
    """What moves whenever a queue of the user's could change: the number of dossiers in scope
    and the last change of any (every step saves its dossier; a day added to the calendar moves
    the deadlines it touches and their `updated_at`)."""
    found = visible_dossiers(user).aggregate(n=Count("pk"), last=Max("updated_at"))
    return found["n"], found["last"].isoformat() if found["last"] else ""


def _filtered(rows: QuerySet[Dossier], filters: QueueFilters, today: dt.date) -> QuerySet[Dossier]:
    if filters.award:
        rows = rows.filter(award_code=filters.award)
    if filters.cluster:
        rows = rows.filter(emulation_year__cluster_id=filters.cluster)
    if filters.cluster_name:
        rows = rows.filter(emulation_year__cluster__name__icontains=filters.cluster_name)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.late:
        rows = rows.filter(state__in=Dossier.AWAITING, due_on__lt=today)
    return rows


def dossier_queue(*, user: Any, filters: QueueFilters, today: dt.date, page: int = 1) -> QueuePage:
    """The dossiers the user sees (for an awarding body's staff: those addressed to it from
    every cluster under it), filtered and sorted — by working days left, first — a page at a
    time, with the counts per state and the award kinds to filter on. A cluster is filtered by
    (part of) its name: a national body's 1,400 clusters make no list to choose from. Six
    queries whatever the size."""
    scoped = visible_dossiers(user)
    rows = _filtered(scoped, filters, today)
    states = dict(
        _filtered(
            scoped,
            QueueFilters(
                award=filters.award, cluster=filters.cluster, cluster_name=filters.cluster_name
            ),
            today,
        )
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ordered = rows.select_related("unit", "emulation_year__cluster", "body").order_by(
        *SORTS.get(filters.sort, SORTS["han"])
    )
    paginator = Paginator(ordered, QUEUE_PAGE_SIZE)
    shown = paginator.get_page(page)
    calendar = work_calendar()
    awards = sorted(set(scoped.values_list("award_code", "award_name").distinct().order_by()))
    rows_shown = [QueueRow(d, dossier_clock(d, calendar, today)) for d in shown.object_list]
    cluster = None
    if filters.cluster:
        # The cluster filtered on, from a row when there is one (no query), else looked up.
        cluster = (
            next((r.dossier.emulation_year.cluster for r in rows_shown), None)
            or Cluster.objects.filter(pk=filters.cluster).first()
        )
    return QueuePage(
        rows=rows_shown,
        page=shown,
        total=paginator.count,
        states=states,
        awards=awards,
        cluster=cluster,
    )


def queue_selection(*, user: Any, filters: QueueFilters, today: dt.date) -> QuerySet[Dossier]:
    """The dossiers of the queue's filters, for a batch package."""
    return _filtered(visible_dossiers(user), filters, today).order_by(
        *SORTS.get(filters.sort, SORTS["han"])
    )


# --- a year's dossiers (the proposing side) ------------------------------------------------------


@dataclass
class YearDossiers:
    dossiers: list[Dossier]
    proposals: list[AwardProposal]  # the conference's, without a dossier yet
    members: list[Unit]
    bodies: list[Unit]


def year_dossiers(*, user: Any, emulation_year: EmulationYear, bodies: list[Unit]) -> YearDossiers:
    dossiers = list(
        visible_dossiers(user)
        .filter(emulation_year=emulation_year)
        .select_related("unit", "body")
        .order_by("award_code", "unit__name")
    )
    proposals = list(
        AwardProposal.objects.filter(emulation_year=emulation_year, dossier__isnull=True)
        .select_related("unit", "award_kind")
        .order_by("award_kind__name", "rank")
    )
    return YearDossiers(
        dossiers=dossiers,
        proposals=proposals,
        members=list(
            Unit.objects.filter(memberships__emulation_year=emulation_year).order_by("name")
        ),
        bodies=bodies,
    )


def leads_in_year(*, emulation_year: EmulationYear, unit_id: int) -> bool:
    """Whether the unit led its cluster in the year: the conference proposed it under the
    cluster's award kind for the leading unit — or, only where the year has no such proposal
    (history imported without a conference), it ranked first in the year's current run."""
    voted = year_leaders({emulation_year.pk}).get(emulation_year.pk)
    if voted is not None:
        return unit_id in voted
    return Standing.objects.filter(
        run__emulation_year=emulation_year, run__is_current=True, unit_id=unit_id, rank=1
    ).exists()


# --- an awarding body's councils and deadlines ---------------------------------------------------


@dataclass
class BodyPage:
    body: Unit
    councils: list[Council]
    deadlines: list[DossierDeadline]
    awaiting: int
    overdue: int


def body_page(*, body: Unit, today: dt.date) -> BodyPage:
    counts = Dossier.objects.filter(body=body).aggregate(
        awaiting=Count("pk", filter=Q(state__in=Dossier.AWAITING)),
        overdue=Count("pk", filter=Q(state__in=Dossier.AWAITING, due_on__lt=today)),
    )
    return BodyPage(
        body=body,
        councils=list(
            Council.objects.filter(body=body).annotate(n_members=Count("members")).order_by("-year")
        ),
        deadlines=list(DossierDeadline.objects.filter(body=body).order_by("-year", "award_code")),
        awaiting=counts["awaiting"],
        overdue=counts["overdue"],
    )


def council_get(pk: int) -> Council | None:
    return Council.objects.select_related("body").filter(pk=pk).first()


@dataclass
class CouncilPage:
    council: Council
    members: list[CouncilMember]
    rows: list[tuple[Dossier, CouncilResult | None, rules.Reason | None]]
    caps: list[CapStatus]
    rule_set: rules.RuleSet


def council_page(*, council: Council, today: dt.date) -> CouncilPage:
    """The council's members, every proposal addressed to its body for its year with the result
    of its vote, and the cap of each award kind across those proposals."""
    dossiers = list(
        Dossier.objects.filter(body_id=council.body_id, emulation_year__year=council.year)
        .select_related("unit", "emulation_year__cluster", "council_result")
        .order_by("award_code", "emulation_year__cluster__name", "unit__name")
    )
    sets = rule_sets()
    rule_set = rules.rule_set_for(sets, today)
    rows = []
    passed: set[int] = set()
    for d in dossiers:
        result = getattr(d, "council_result", None)
        kind = award_kind_of(d, today, sets)
        rows.append((d, result, council_reason(result, kind)))
        if result is not None and result.passed:
            passed.add(d.pk)
    return CouncilPage(
        council=council,
        members=list(council.members.all()),
        rows=rows,
        caps=caps_for(dossiers=dossiers, rule_set=rule_set, passed=passed),
        rule_set=rule_set,
    )
