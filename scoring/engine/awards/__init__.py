"""The award path's pure core: rule sets as data with the dates they are in force, a unit's
eligibility read from its history, the cap on proposals, the council's vote, and legal clocks in
Vietnamese working days. No Django, like the rest of the engine (docs/awards.md)."""

from __future__ import annotations

from scoring.engine.awards.eligibility import cap_for, council_passes, judge, judge_all
from scoring.engine.awards.rule_file import (
    FORMAT,
    RuleSetError,
    check_references,
    parse_rule_set,
    rule_set_for,
)
from scoring.engine.awards.types import (
    CONDITION_KINDS,
    DOCUMENT_KINDS,
    DOSSIER_SOURCES,
    ELIGIBLE,
    HELD,
    HOLD_KINDS,
    LEVELS,
    NOT_ELIGIBLE,
    AwardKind,
    AwardRecord,
    Cap,
    CapResult,
    Clocks,
    Condition,
    CouncilVote,
    DossierItem,
    Hold,
    Reason,
    RuleSet,
    UnitHistory,
    Verdict,
    YearRecord,
)
from scoring.engine.awards.workdays import WorkCalendar

__all__ = [
    "CONDITION_KINDS",
    "DOCUMENT_KINDS",
    "DOSSIER_SOURCES",
    "ELIGIBLE",
    "FORMAT",
    "HELD",
    "HOLD_KINDS",
    "LEVELS",
    "NOT_ELIGIBLE",
    "AwardKind",
    "AwardRecord",
    "Cap",
    "CapResult",
    "Clocks",
    "Condition",
    "CouncilVote",
    "DossierItem",
    "Hold",
    "Reason",
    "RuleSet",
    "RuleSetError",
    "UnitHistory",
    "Verdict",
    "WorkCalendar",
    "YearRecord",
    "cap_for",
    "check_references",
    "council_passes",
    "judge",
    "judge_all",
    "parse_rule_set",
    "rule_set_for",
]
