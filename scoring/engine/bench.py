"""Timing of score() on a synthetic block: `python -m scoring.engine.bench`.

The requirement is 500 members × 40 criteria (current and previous year's figures) in under
0.2 s, so that a secretariat can recompute a whole emulation block on every save.
"""

from __future__ import annotations

import random
import time

from scoring.engine.core import score
from scoring.engine.types import Criterion, DataElement, Scheme

_RULES = ("proportional", "threshold", "bands", "relative", "proportional", "formula")


def synthetic_block(
    members: int, criteria: int, seed: int
) -> tuple[Scheme, dict[tuple[str, int, str], float], dict[tuple[str, str], float]]:
    """A scheme mixing every computed rule, figures for two years, and a few member targets."""
    rng = random.Random(seed)
    elements: list[DataElement] = []
    items: list[Criterion] = []
    for k in range(criteria):
        num, den = f"n{k}", f"d{k}"
        elements.append(DataElement(den, f"den {k}", "", "integer", min=0))
        elements.append(DataElement(num, f"num {k}", "", "integer", min=0, max_element=den))
        rule = _RULES[k % len(_RULES)]
        target: float | None
        if k % 4 == 3:
            measure, target, unit = f"({num} - prev({num})) / prev({num}) * 100", 8.0, "%"
        elif k % 4 == 2:
            measure, target, unit = num, 20.0, None
        else:
            measure, target, unit = f"{num} / {den} * 100", 60.0, "%"
        params: dict[str, object] = {}
        if k % 10 == 9:
            # Points per occurrence (#18): a count, 1 point per 5, at most the criterion's points.
            rule, measure, target, unit = "per_item", num, None, None
            params = {"each": 1.0, "per": 5.0}
        elif rule == "bands":
            params = {"bands": ({"min_ratio": 1.0, "points": 5}, {"min_ratio": 0.5, "points": 2})}
        elif rule == "formula":
            params = {"points_formula": "max_points * min(1, actual / best_actual)"}
        kind = "bonus" if k % 13 == 12 else ("deduction" if k % 17 == 16 else "regular")
        items.append(
            Criterion(
                code=f"{k // 10 + 1}.{k % 10 + 1}",
                group=f"Nội dung {k // 10 + 1}",
                name=f"Tiêu chí {k}",
                definition="",
                measure=measure,
                target=target,
                points=5.0,
                rule=rule,
                params=params,
                kind=kind,
                knockout=k == 0,
                unit=unit,
            )
        )
    scheme = Scheme("bench", 200.0, tuple(elements), tuple(items))
    units = [f"U{i:04d}" for i in range(members)]
    figures: dict[tuple[str, int, str], float] = {}
    for unit in units:
        for year in (2024, 2025):
            for k in range(criteria):
                whole = rng.randint(0, 80) if rng.random() > 0.01 else 0
                figures[(unit, year, f"d{k}")] = float(whole)
                if rng.random() > 0.02:
                    figures[(unit, year, f"n{k}")] = float(rng.randint(0, max(whole, 1)))
    targets = {(units[i], items[1].code): 50.0 for i in range(0, members, 7)}
    return scheme, figures, targets


def bench_core(members: int = 500, criteria: int = 40) -> float:
    """Best of 5 wall-clock seconds for one score() call."""
    scheme, figures, targets = synthetic_block(members, criteria, seed=1)
    units = sorted({u for u, _y, _e in figures})
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        score(scheme, year=2025, members=units, figures=figures, targets=targets)
        best = min(best, time.perf_counter() - start)
    return best


if __name__ == "__main__":
    seconds = bench_core()
    print(f"score(): 500 members × 40 criteria in {seconds * 1000:.1f} ms (best of 5)")
