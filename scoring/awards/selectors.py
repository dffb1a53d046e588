"""Reads of the award register: a unit's history as the eligibility engine takes it (its years in
the clusters from the current scoring runs, its decisions, its holds, and its predecessors' — the
units it succeeded — each with theirs), and its verdicts under the rule set in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from clusters.models import EmulationYear, Unit, UnitSuccession
from emulation.sql import ids_fit, rows, statement
from scoring.awards.rule_sets import rule_set_on
from scoring.engine import awards as rules
from scoring.models import (
    AwardDecision,
    AwardKind,
    AwardProposal,
    AwardRecipient,
    Band,
    ScoringRun,
    Standing,
    UnitHold,
)

# A chain of mergers deeper than this is a data mistake (or a cycle), not a real history.
MAX_GENERATIONS = 10


def year_leaders(year_ids: set[int]) -> dict[int, set[int]]:
    """The units that lead their cluster in each year by the conference's vote: those proposed
    under the cluster's award kind for the leading unit (its flag), by year id, in one query. A
    year missing here had no such proposal (history imported without a conference, or a vote not
    yet closed): the caller reads the ranking instead, and says so."""
    leaders: dict[int, set[int]] = {}
    for year_id, unit_id in AwardProposal.objects.filter(
        emulation_year_id__in=year_ids, award_kind__leads_cluster=True
    ).values_list("emulation_year_id", "unit_id"):
        leaders.setdefault(year_id, set()).add(unit_id)
    return leaders


def leads(unit_id: int, rank: int | None, voted: set[int] | None) -> tuple[bool, str]:
    """Whether a unit led its cluster in a year, and by which reading (rules.LEADS_BY): the
    conference's vote where the year has one, else the first place of the ranking."""
    if voted is not None:
        return unit_id in voted, rules.LEADS_BY_VOTE
    return rank == 1, rules.LEADS_BY_RANK


def _years(unit_ids: set[int]) -> dict[int, dict[int, rules.YearRecord]]:
    """Each unit's published years as its clusters' current runs scored them, by unit and year
    (a year still in progress decides nothing, and its results are not everyone's to read), with
    who led each cluster by the conference's vote (`year_leaders`): three queries."""
    standings = list(
        Standing.objects.filter(
            unit_id__in=unit_ids,
            run__is_current=True,
            run__emulation_year__status=EmulationYear.Status.PUBLISHED,
        )
        .select_related("run__emulation_year__cluster")
        .order_by("run__emulation_year__year")
    )
    scheme_ids = {s.run.scheme_id for s in standings}
    bands: dict[int, list[str]] = {}
    for band in Band.objects.filter(scheme_id__in=scheme_ids).order_by("scheme_id", "position"):
        bands.setdefault(band.scheme_id, []).append(band.name)
    voted = year_leaders({s.run.emulation_year_id for s in standings})
    out: dict[int, dict[int, rules.YearRecord]] = {}
    for s in standings:
        year: EmulationYear = s.run.emulation_year
        led, by = leads(s.unit_id, s.rank, voted.get(year.pk))
        out.setdefault(s.unit_id, {})[year.year] = rules.YearRecord(
            year=year.year,
            cluster=year.cluster.name,
            rank=s.rank,
            band=s.band or None,
            bands=tuple(bands.get(s.run.scheme_id, ())),
            knockouts_met=s.eligible,
            leads_cluster=led,
            leads_by=by,
        )
    return out


def _awards(recipients: list[AwardRecipient]) -> dict[int, list[rules.AwardRecord]]:
    out: dict[int, list[rules.AwardRecord]] = {}
    for r in recipients:
        d = r.decision
        out.setdefault(r.unit_id, []).append(
            rules.AwardRecord(
                award=d.award_code,
                year=d.achievement_year,
                decision=d.number,
                decided_on=d.decided_on,
                merit=d.merit,
                revoked=r.revoked,
            )
        )
    return out


def _holds(holds: list[UnitHold]) -> dict[int, list[rules.Hold]]:
    out: dict[int, list[rules.Hold]] = {}
    for h in holds:
        out.setdefault(h.unit_id, []).append(rules.Hold(h.kind, h.since, h.until, h.note))
    return out


@dataclass
class _Histories:
    """The engine's histories and the rows they were read from (which a page shows as they are,
    without reading them again)."""

    histories: dict[int, rules.UnitHistory]
    links: list[UnitSuccession]  # every succession found, the units' own first
    recipients: list[AwardRecipient]  # of the units and their predecessors, with the decisions
    holds: list[UnitHold]


def unit_histories(units: list[Unit]) -> dict[int, rules.UnitHistory]:
    """The engine's history of each unit, its predecessors' included (a fixed number of queries
    a generation of mergers, whatever the number of units)."""
    return _histories(units).histories


def _histories(units: list[Unit]) -> _Histories:
    predecessors: dict[int, list[Unit]] = {}
    every: dict[int, Unit] = {u.pk: u for u in units}
    frontier = set(every)
    found: list[UnitSuccession] = []
    for _generation in range(MAX_GENERATIONS):
        links = list(
            UnitSuccession.objects.filter(successor_id__in=frontier).select_related("predecessor")
        )
        found += links
        frontier = set()
        for link in links:
            predecessors.setdefault(link.successor_id, []).append(link.predecessor)
            if link.predecessor_id not in every:
                every[link.predecessor_id] = link.predecessor
                frontier.add(link.predecessor_id)
        if not frontier:
            break
    ids = set(every)
    recipients = list(
        AwardRecipient.objects.filter(unit_id__in=ids)
        .select_related("decision")
        .order_by("-decision__achievement_year", "-decision__decided_on")
    )
    for r in recipients:
        r.unit = every[r.unit_id]  # known already: no query a row
    hold_rows = list(UnitHold.objects.filter(unit_id__in=ids))
    years, awards, holds = _years(ids), _awards(recipients), _holds(hold_rows)
    built: dict[int, rules.UnitHistory] = {}

    def build(unit: Unit, depth: int = 0) -> rules.UnitHistory:
        if unit.pk not in built:
            before = predecessors.get(unit.pk, []) if depth < MAX_GENERATIONS else []
            built[unit.pk] = rules.UnitHistory(
                unit=unit.code,
                name=unit.name,
                years=years.get(unit.pk, {}),
                awards=tuple(awards.get(unit.pk, ())),
                holds=tuple(holds.get(unit.pk, ())),
                predecessors=tuple(build(p, depth + 1) for p in before),
            )
        return built[unit.pk]

    return _Histories({u.pk: build(u) for u in units}, found, recipients, hold_rows)


@dataclass
class AwardsPage:
    unit: Unit
    decisions: list[AwardRecipient]  # its own, newest first
    predecessor_decisions: list[tuple[Unit, AwardRecipient]]
    holds: list[UnitHold]
    rule_set: rules.RuleSet
    year: int  # the achievement year judged
    verdicts: list[tuple[rules.AwardKind, rules.Verdict]]
    successions: list[UnitSuccession]


def unit_awards_page(*, unit: Unit, today: dt.date) -> AwardsPage:
    """A unit's award history (with its predecessors'), its holds, and its eligibility for each
    award kind of the rule set in force today, for last year's achievements. The page's rows
    are those the history was read from: seven queries, and one more a generation of
    predecessors."""
    loaded = _histories([unit])
    history = loaded.histories[unit.pk]
    rule_set = rule_set_on(today)
    year = today.year - 1
    verdicts = [
        (kind, rules.judge(rule_set, code, history, year, received_on=today))
        for code, kind in rule_set.awards.items()
        if kind.merit
    ]
    successions = [link for link in loaded.links if link.successor_id == unit.pk]
    before = {s.predecessor_id for s in successions}
    return AwardsPage(
        unit=unit,
        decisions=[r for r in loaded.recipients if r.unit_id == unit.pk],
        predecessor_decisions=[(r.unit, r) for r in loaded.recipients if r.unit_id in before],
        holds=[h for h in loaded.holds if h.unit_id == unit.pk],
        rule_set=rule_set,
        year=year,
        verdicts=verdicts,
        successions=sorted(successions, key=lambda s: (s.effective_on, s.predecessor.name)),
    )


# Kept, measured (#17): a unit's award page costs ~9 ms in-process to read and render (its
# ORM statements compile slower than they run); served from the cache under this stamp, ~3 ms
# (docs/performance.md, "a unit's award history").
def unit_awards_stamp(unit_id: int) -> tuple:
    """What moves whenever a unit's award page could show something else (but names, bounded by
    the page cache's lifetime): its chain of predecessors, the decisions of each and their
    revocations, the holds, the published years' current scores, and the proposals of the
    leading unit in those years (the vote decides who led) — read in one statement."""
    if not ids_fit(unit_id):
        return (unit_id,)
    sql = statement(
        """
        WITH RECURSIVE chain(id, depth) AS (
            SELECT CAST(%s AS BIGINT), 0
            UNION
            SELECT s.predecessor_id, c.depth + 1 FROM {succession} s
            JOIN chain c ON s.successor_id = c.id WHERE c.depth < %s
        )
        SELECT
            (SELECT COUNT(*) FROM chain),
            (SELECT COUNT(*) FROM {recipient} WHERE unit_id IN (SELECT id FROM chain)),
            (SELECT MAX(id) FROM {recipient} WHERE unit_id IN (SELECT id FROM chain)),
            (SELECT COUNT(*) FROM {recipient} WHERE revoked AND unit_id IN (SELECT id FROM chain)),
            (SELECT COUNT(*) FROM {hold} WHERE unit_id IN (SELECT id FROM chain)),
            (SELECT MAX(id) FROM {hold} WHERE unit_id IN (SELECT id FROM chain)),
            (SELECT COUNT(*) FROM {standing} st JOIN {run} r ON r.id = st.run_id
                JOIN {year} y ON y.id = r.emulation_year_id
                WHERE st.unit_id IN (SELECT id FROM chain) AND r.is_current
                AND y.status = %s),
            (SELECT MAX(r.id) FROM {standing} st JOIN {run} r ON r.id = st.run_id
                JOIN {year} y ON y.id = r.emulation_year_id
                WHERE st.unit_id IN (SELECT id FROM chain) AND r.is_current
                AND y.status = %s),
            (SELECT COUNT(*) FROM {proposal} p JOIN {kind} k ON k.id = p.award_kind_id
                WHERE k.leads_cluster AND p.emulation_year_id IN (SELECT r.emulation_year_id
                    FROM {standing} st JOIN {run} r ON r.id = st.run_id
                    WHERE st.unit_id IN (SELECT id FROM chain) AND r.is_current)),
            (SELECT MAX(p.id) FROM {proposal} p JOIN {kind} k ON k.id = p.award_kind_id
                WHERE k.leads_cluster AND p.emulation_year_id IN (SELECT r.emulation_year_id
                    FROM {standing} st JOIN {run} r ON r.id = st.run_id
                    WHERE st.unit_id IN (SELECT id FROM chain) AND r.is_current))
        """,
        {
            "proposal": AwardProposal,
            "kind": AwardKind,
            "succession": UnitSuccession,
            "recipient": AwardRecipient,
            "hold": UnitHold,
            "standing": Standing,
            "run": ScoringRun,
            "year": EmulationYear,
        },
    )
    published = EmulationYear.Status.PUBLISHED
    return tuple(rows(sql, [unit_id, MAX_GENERATIONS, published, published])[0])


def register_decisions(*, limit: int = 200) -> QuerySet[AwardDecision]:
    return AwardDecision.objects.prefetch_related(
        Prefetch("recipients", queryset=AwardRecipient.objects.select_related("unit"))
    ).order_by("-decided_on", "number")[:limit]
