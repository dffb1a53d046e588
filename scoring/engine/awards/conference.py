"""A cluster's own award kind judged by the eligibility engine, at its conference.

A cluster's award kind (its emulation flag, its certificate of merit) has its own conditions —
a minimum band, the knock-out criteria met, a minimum rank — and may name the rule set's award it
proposes for (`award_code`: the VCA's flag). It is judged as one award kind of the rule set: the
cluster's conditions, then every condition of the named award the cluster's do not already ask
(each with its own reason and citation, rather than the one line of an `eligible_for`), with the
rule set's holds and — where an award is named — the refusal of two awards for one achievement.

The award kind that names the cluster's leading unit is what the conference's vote on it decides:
judged for that vote, "leads its cluster" is met by every member and says so (the vote chooses
the leader), so that the candidates do not change once the vote has chosen one of them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from scoring.engine.awards.eligibility import judge
from scoring.engine.awards.types import (
    LEADS_BY_THIS_VOTE,
    NOT_ELIGIBLE,
    AwardKind,
    Condition,
    Reason,
    RuleSet,
    UnitHistory,
    Verdict,
)


@dataclass(frozen=True)
class ClusterAward:
    """A cluster's award kind, as the engine reads it."""

    code: str
    name: str
    min_band: str = ""
    knockouts: bool = False
    max_rank: int | None = None
    award_code: str = ""  # the rule set's award it proposes for, if any
    names_leader: bool = False  # its proposal names the cluster's leading unit


def cluster_conditions(award: ClusterAward) -> tuple[Condition, ...]:
    conditions = []
    if award.min_band:
        conditions.append(Condition("min_band", {"band": award.min_band}))
    if award.knockouts:
        conditions.append(Condition("knockouts_met", {}))
    if award.max_rank:
        conditions.append(Condition("max_rank", {"rank": award.max_rank}))
    return tuple(conditions)


def cluster_award_kind(rule_set: RuleSet, award: ClusterAward) -> tuple[RuleSet, AwardKind]:
    """The award kind the engine judges (the cluster's conditions, and those of the award it
    names), and the rule set that holds it in place of the named award."""
    own = cluster_conditions(award)
    target = rule_set.awards.get(award.award_code) if award.award_code else None
    if target is None:
        kind = AwardKind(
            code=f"cluster:{award.code}",
            name=award.name,
            name_en=award.name,
            level="cluster",
            conditions=own,
        )
    else:
        merged = list(own)
        for condition in target.conditions:
            same = next(
                (
                    i
                    for i, m in enumerate(merged)
                    if m.kind == condition.kind and m.params == condition.params
                ),
                None,
            )
            if same is None:
                merged.append(condition)
            elif condition.cite and not merged[same].cite:
                merged[same] = condition  # asked by both: the rule set's, with its citation
        kind = dataclasses.replace(target, conditions=tuple(merged))
    return dataclasses.replace(rule_set, awards={**rule_set.awards, kind.code: kind}), kind


def judge_members(
    rule_set: RuleSet | None,
    award: ClusterAward,
    histories: Iterable[UnitHistory],
    year: int,
    *,
    received_on: dt.date,
) -> list[Verdict]:
    """Each member's verdict on the cluster's award kind for `year`, under `rule_set` (the one in
    force on the conference's day). An award named that the rule set does not have makes no one
    eligible, and says why: the cluster chooses again. Without a rule set in force that day (a
    conference before the shipped ones), the cluster's own conditions are judged and holds
    apply; an award named cannot be judged, and the verdict says so."""
    histories = list(histories)
    if rule_set is None:
        rule_set = RuleSet(
            code="", name="", effective_from=received_on, effective_to=received_on, awards={}
        )
        if award.award_code:
            day = received_on.strftime("%d/%m/%Y")
            reason = Reason(
                False,
                f"Không có bộ quy tắc khen thưởng nào áp dụng ngày {day}: không xét được "
                f"“{award.award_code}”",
                f"No award rule set is in force on {received_on.isoformat()}: "
                f"“{award.award_code}” cannot be judged",
            )
            return [
                Verdict(h.unit, award.award_code, year, "", NOT_ELIGIBLE, (reason,))
                for h in histories
            ]
    if award.award_code and award.award_code not in rule_set.awards:
        reason = Reason(
            False,
            f"{rule_set.name} không có hình thức khen thưởng “{award.award_code}”: cụm cần chọn "
            "lại hình thức đề nghị",
            f"{rule_set.name} has no award “{award.award_code}”: the cluster must choose the "
            "award again",
            rule_set.cite,
        )
        return [
            Verdict(h.unit, award.award_code, year, rule_set.code, NOT_ELIGIBLE, (reason,))
            for h in histories
        ]
    rules, kind = cluster_award_kind(rule_set, award)
    return [
        judge(
            rules,
            kind.code,
            _led_by_this_vote(h, year) if award.names_leader else h,
            year,
            received_on=received_on,
            not_twice=bool(award.award_code),
        )
        for h in histories
    ]


def _led_by_this_vote(history: UnitHistory, year: int) -> UnitHistory:
    record = history.years.get(year)
    if record is None:
        return history
    led = dataclasses.replace(record, leads_cluster=True, leads_by=LEADS_BY_THIS_VOTE)
    return dataclasses.replace(history, years={**history.years, year: led})
