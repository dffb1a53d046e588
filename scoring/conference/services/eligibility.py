"""Who may be proposed at the conference, read by the award engine (docs/awards.md, "The
conference's eligibility").

Each member of the year is judged by the engine (`rules.judge_members`) on the cluster's award
kind: the year's record from the current standings (the year may not be published yet), the
earlier years, decisions and holds from the unit's history as the award register reads it (its
predecessors' included), under the rule set in force on the conference's day. The verdict —
eligible, not eligible or held — carries every reason in Vietnamese and English with the
citation the rule set gives; the ballot's candidates are the eligible ones."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from clusters.models import EmulationYear, FlagHandover
from scoring.awards.rule_sets import rule_set_on
from scoring.awards.selectors import leads, unit_histories, year_leaders
from scoring.engine import awards as rules
from scoring.models import AwardKind, Band, Standing


@dataclass
class Eligibility:
    """A member's verdict on one award kind of its cluster."""

    standing: Standing
    verdict: rules.Verdict

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def eligible(self) -> bool:
        return self.verdict.eligible

    @property
    def reasons(self) -> tuple[rules.Reason, ...]:
        return self.verdict.reasons


@dataclass
class EligibilityInputs:
    """What every award kind of a year is judged with, read once: the rule set in force on the
    conference's day, that day, and each member's history with the year's current record."""

    rule_set: rules.RuleSet | None  # None: no shipped rule set is in force that day
    day: dt.date
    histories: dict[int, rules.UnitHistory]  # by unit id


def conference_day(year: EmulationYear) -> dt.date:
    """The day the conference's rule set is read for: the flag's handover, else the day its last
    ballot closed, else — not held yet — today. One query."""
    found = (
        EmulationYear.objects.filter(pk=year.pk)
        .annotate(
            handed=Subquery(
                FlagHandover.objects.filter(emulation_year=OuterRef("pk")).values("handed_on")[:1]
            ),
            closed=Max("ballots__closed_at"),
        )
        .values_list("handed", "closed")
        .first()
    )
    handed, closed = found or (None, None)
    if handed is not None:
        return handed
    if closed is not None:
        return timezone.localtime(closed).date()
    return timezone.localdate()


def eligibility_inputs(year: EmulationYear, standings: list[Standing]) -> EligibilityInputs:
    """The engine's histories of the members ranked in the year's current run, the year's own
    record taken from that run (its leader by the conference's vote where it has closed, else the
    first of the ranking — and the record says which). A fixed number of queries whatever the
    number of members: the day, the scheme's bands, the year's leading proposals, and the
    histories (awards/selectors.py)."""
    day = conference_day(year)
    histories = unit_histories([s.unit for s in standings])
    bands: tuple[str, ...] = ()
    if standings:
        bands = tuple(
            Band.objects.filter(scheme_id=standings[0].run.scheme_id)
            .order_by("position")
            .values_list("name", flat=True)
        )
    voted = year_leaders({year.pk}).get(year.pk)
    cluster = year.cluster.name
    for s in standings:
        led, by = leads(s.unit_id, s.rank, voted)
        record = rules.YearRecord(
            year=year.year,
            cluster=cluster,
            rank=s.rank,
            band=s.band or None,
            bands=bands,
            knockouts_met=s.eligible,
            leads_cluster=led,
            leads_by=by,
        )
        history = histories[s.unit_id]
        histories[s.unit_id] = dataclasses.replace(
            history, years={**history.years, year.year: record}
        )
    try:
        rule_set: rules.RuleSet | None = rule_set_on(day)
    except rules.RuleSetError:  # a conference before the shipped rule sets (2024)
        rule_set = None
    return EligibilityInputs(rule_set, day, histories)


def cluster_award(kind: AwardKind) -> rules.ClusterAward:
    return rules.ClusterAward(
        code=kind.code,
        name=kind.name,
        min_band=kind.min_band,
        knockouts=kind.requires_knockouts,
        max_rank=kind.min_rank,
        award_code=kind.award_code,
        names_leader=kind.leads_cluster,
    )


def award_eligibility(
    kind: AwardKind, year: EmulationYear, standings: list[Standing], inputs: EligibilityInputs
) -> list[Eligibility]:
    """Each ranked member's verdict on the cluster's award kind, in the ranking's order. No query."""
    verdicts = rules.judge_members(
        inputs.rule_set,
        cluster_award(kind),
        [inputs.histories[s.unit_id] for s in standings],
        year.year,
        received_on=inputs.day,
    )
    return [Eligibility(s, v) for s, v in zip(standings, verdicts, strict=True)]
