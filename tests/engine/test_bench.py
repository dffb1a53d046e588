from __future__ import annotations

from scoring.engine import score
from scoring.engine.bench import synthetic_block


def test_the_synthetic_block_has_the_requested_size_and_scores_completely():
    scheme, figures, targets = synthetic_block(500, 40, seed=3)
    members = sorted({unit for unit, _year, _element in figures})
    assert (len(members), len(scheme.criteria)) == (500, 40)
    result = score(scheme, year=2025, members=members, figures=figures, targets=targets)
    assert len(result.lines) == 20_000
    rules = {c.rule for c in scheme.criteria}
    assert rules == {"proportional", "threshold", "bands", "relative", "formula", "per_item"}
    # Its speed (0.2 s on this machine) is measured by the benchmark, not here: a timed test
    # failed whenever the machine was busy (python -m scoring.engine.bench; docs/performance.md).
