from __future__ import annotations

import time

from scoring.engine import score
from scoring.engine.bench import synthetic_block


def test_the_synthetic_block_has_the_requested_size_and_scores_quickly():
    scheme, figures, targets = synthetic_block(500, 40, seed=3)
    members = sorted({unit for unit, _year, _element in figures})
    assert (len(members), len(scheme.criteria)) == (500, 40)
    start = time.perf_counter()
    result = score(scheme, year=2025, members=members, figures=figures, targets=targets)
    elapsed = time.perf_counter() - start
    assert len(result.lines) == 20_000
    # The requirement is 0.2 s on the 2-core reference machine (python -m scoring.engine.bench);
    # a loose bound here keeps a shared CI runner from flaking while catching an O(n²) slip.
    assert elapsed < 1.0
