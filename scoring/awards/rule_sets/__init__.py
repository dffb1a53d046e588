"""The rule sets the app ships (award-rules/1 files, one per legal basis, with the dates each is
in force): NĐ 98/2023/NĐ-CP until 30/6/2025, NĐ 152/2025/NĐ-CP from 1/7/2025."""

from __future__ import annotations

import functools
from pathlib import Path

from scoring.engine.awards import RuleSet, parse_rule_set

HERE = Path(__file__).resolve().parent


@functools.cache
def shipped_rule_sets() -> tuple[RuleSet, ...]:
    return tuple(
        parse_rule_set(path.read_bytes(), filename=path.name)
        for path in sorted(HERE.glob("*.yaml"))
    )
