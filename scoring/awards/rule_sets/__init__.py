"""The rule sets the app ships (award-rules/1 files, one per legal basis, with the dates each is
in force): NĐ 98/2023/NĐ-CP until 30/6/2025, NĐ 152/2025/NĐ-CP from 1/7/2025."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from scoring.documents.kinds import KINDS
from scoring.engine.awards import AwardKind, RuleSet, parse_rule_set, rule_set_for

HERE = Path(__file__).resolve().parent


@functools.cache
def shipped_rule_sets() -> tuple[RuleSet, ...]:
    return tuple(
        # A generated document of a checklist names one of the documents room's kinds.
        parse_rule_set(path.read_bytes(), filename=path.name, document_kinds=tuple(KINDS))
        for path in sorted(HERE.glob("*.yaml"))
    )


def award_kind_named(code: str, *, on: dt.date) -> AwardKind | None:
    """The award kind `code` as the rule set in force on `on` defines it — or, for a date no
    shipped rule set covers (decisions before 2024), as the earliest rule set that knows it."""
    sets = shipped_rule_sets()
    in_force = [s for s in sets if s.in_force_on(on)]
    for rule_set in [*in_force, *sorted(sets, key=lambda s: s.effective_from)]:
        if code in rule_set.awards:
            return rule_set.awards[code]
    return None


def rule_set_on(day: dt.date) -> RuleSet:
    """The shipped rule set in force on `day` (the law of the day a dossier is received)."""
    return rule_set_for(shipped_rule_sets(), day)
