"""How a criterion turns measured values into points, one column (all members) at a time.

Conventions shared by every rule (documented in docs/scheme-format.md):

* `ratio` is actual ÷ target (higher is better) or target ÷ actual (lower is better), defined
  only when the division means something: target > 0, and for "lower" also actual > 0.
* When the ratio is undefined the comparison still decides `met` (actual ≥ target, or
  actual ≤ target), and the rules score an *effective ratio*: 1 if met, 0 if not — except
  "lower" with target > 0 and actual ≤ 0 (nothing late at all), which is better than any finite
  ratio and scores as +inf (full points, the leader in a relative rule).
* Points are always clamped to [0, criterion points].

`per_item` reads no target and no ratio: it counts occurrences (`each` points per whole `per`),
and for a deduction the amount it counts is the amount deducted (see `per_item_amount`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from scoring.engine.explain import Explainer
from scoring.engine.formula import Formula, Missing, compile_formula
from scoring.engine.types import Criterion

EPS = 1e-9
INF = math.inf

RULE_VARIABLES = (
    "actual",
    "target",
    "ratio",
    "max_points",
    "best_ratio",
    "best_actual",
    "worst_actual",
    "mean_actual",
)

# What a points formula reads of the other members' results.
OTHERS_VARIABLES = frozenset({"best_ratio", "best_actual", "worst_actual", "mean_actual"})


def reads_other_members(criterion: Criterion) -> bool:
    """Whether a member's points on this criterion depend on other members' figures: the
    relative rule (a share of the leader's result) and a points formula that reads the best,
    worst or mean result. Before publication such points would reveal others' figures."""
    if criterion.rule == "relative":
        return True
    if criterion.rule == "formula":
        text = str(criterion.params.get("points_formula") or "")
        formula = compile_formula(text, names=(), allow=RULE_VARIABLES)
        return bool(formula.names & OTHERS_VARIABLES)
    return False


def is_met_ratio(ratio: float) -> bool:
    # Float noise: 6/10*100 vs 60 must count as met.
    return ratio >= 1.0 - EPS


def compare(actual: float, target: float, direction: str) -> tuple[float | None, float, bool]:
    """(ratio or None, effective ratio, met) for one present actual and target."""
    if direction == "lower":
        if target > 0.0:
            if actual > 0.0:
                ratio = target / actual
                return ratio, ratio, is_met_ratio(ratio)
            return None, INF, True
        met = actual <= target + EPS * max(1.0, abs(target))
        return None, (1.0 if met else 0.0), met
    if target > 0.0:
        ratio = actual / target
        return ratio, ratio, is_met_ratio(ratio)
    met = actual >= target - EPS * max(1.0, abs(target))
    return None, (1.0 if met else 0.0), met


def clamp(value: float, high: float) -> float:
    if value != value or value <= 0.0:  # nan or negative
        return 0.0
    return high if value > high else value


def band_list(params: Mapping[str, Any]) -> list[tuple[float, float]]:
    """Bands as (min_ratio, points), highest first; accepts dicts or pairs."""
    out = []
    for band in params.get("bands") or ():
        if isinstance(band, Mapping):
            out.append((float(band["min_ratio"]), float(band["points"])))
        else:
            out.append((float(band[0]), float(band[1])))
    out.sort(key=lambda b: -b[0])
    return out


class RuleColumn:
    """Points earned (before deduction semantics) and the per-row rule note."""

    __slots__ = ("earned", "notes", "failures", "direct", "met", "lines")

    def __init__(self, n: int) -> None:
        self.earned: list[float] = [0.0] * n
        self.notes: list[str | None] = [None] * n
        # Rows where a points formula could not be computed, with the reason.
        self.failures: dict[int, Missing] = {}
        # per_item: `earned` is the amount itself — for a deduction the amount deducted, not
        # the points earned towards a requirement — and the rule decides `met` and writes the
        # whole line (there is no target to compare with).
        self.direct = False
        self.met: list[bool] = []
        self.lines: list[str] = []


def per_item_amount(
    actual: float, each: float, per: float, points: float
) -> tuple[float, float, float]:
    """(whole groups of `per` in `actual`, each × groups, that amount clamped to [0, points]).

    Only whole groups count (1,250 members at `per: 500` are 2 groups); 1e-9 of float noise is
    forgiven, so that 0.3 at `per: 0.1` is 3 groups and not 2.9999999999999996 → 2."""
    quotient = actual / per
    if not math.isfinite(quotient):
        groups = quotient
    else:
        groups = float(math.floor(quotient + EPS * max(1.0, abs(quotient))))
    raw = each * groups
    return groups, raw, clamp(raw, points)


def apply_rule(
    criterion: Criterion,
    rows: Sequence[int],
    actual: Sequence[float | None],
    target: Sequence[float | None],
    ratio: Sequence[float | None],
    eff: Sequence[float | None],
    explainer: Explainer,
    n: int,
) -> RuleColumn:
    """Score `rows` (members with a usable measure and, where needed, a target)."""
    out = RuleColumn(n)
    points = criterion.points
    params = criterion.params
    rule = criterion.rule
    earned = out.earned
    if rule == "threshold":
        else_points = clamp(float(params.get("else_points") or 0.0), points)
        for i in rows:
            earned[i] = points if eff[i] >= 1.0 - EPS else else_points  # type: ignore[operator]
    elif rule == "proportional":
        given_cap = params.get("cap")
        cap = float(given_cap) if given_cap is not None else 1.0
        floor = float(params.get("floor") or 0.0)
        for i in rows:
            e = eff[i]
            assert e is not None  # the rule needs a target: compare() gave every row its ratio
            if e < floor - EPS:
                earned[i] = 0.0
                out.notes[i] = explainer.floor_text or None
            else:
                earned[i] = clamp(points * min(e, cap), points)
    elif rule == "bands":
        bands = band_list(params)
        lowest = bands[-1][0] if bands else 1.0
        for i in rows:
            e = eff[i]
            for min_ratio, band_points in bands:
                if e >= min_ratio - EPS:  # type: ignore[operator]
                    earned[i] = clamp(band_points, points)
                    out.notes[i] = explainer.bands(min_ratio, band_points)
                    break
            else:
                out.notes[i] = explainer.bands(lowest, None)
    elif rule == "relative":
        _relative(criterion, rows, actual, target, eff, explainer, out)
    elif rule == "formula":
        _formula(criterion, rows, actual, target, ratio, eff, n, out)
    elif rule == "per_item":
        _per_item(criterion, rows, actual, explainer, n, out)
    return out


def _per_item(
    criterion: Criterion,
    rows: Sequence[int],
    actual: Sequence[float | None],
    explainer: Explainer,
    n: int,
    out: RuleColumn,
) -> None:
    points = criterion.points
    each = float(criterion.params["each"])
    given_per = criterion.params.get("per")
    per = float(given_per) if given_per is not None else 1.0
    deduction = criterion.kind == "deduction"
    out.direct = True
    out.met = [False] * n
    out.lines = [""] * n
    for i in rows:
        a = actual[i]
        assert a is not None  # rows are the members with a value
        groups, raw, amount = per_item_amount(a, each, per, points)
        out.earned[i] = amount
        # Met: a regular or bonus item at its cap; a deduction when nothing is taken away.
        out.met[i] = amount <= EPS if deduction else amount >= points - EPS
        # Without `per` the count is the number of items — unless a measure that is not whole
        # (a scheme built in code, not read from a file) needs its whole part shown.
        shown_per = per if given_per is not None or groups != a else None
        out.lines[i] = explainer.per_item(a, groups, shown_per, each, raw, amount)


def _relative(
    criterion: Criterion,
    rows: Sequence[int],
    actual: Sequence[float | None],
    target: Sequence[float | None],
    eff: Sequence[float | None],
    explainer: Explainer,
    out: RuleColumn,
) -> None:
    points = criterion.points
    by_actual = all(target[i] is None for i in rows)
    if by_actual:
        # No target at all: compare the results themselves (the leader gets full points).
        if criterion.direction == "lower":
            perf = {i: (1.0 / a if a > 0.0 else INF) for i in rows if (a := actual[i]) is not None}
        else:
            perf = {i: actual[i] for i in rows}  # type: ignore[misc]
    else:
        perf = {i: eff[i] for i in rows}  # type: ignore[misc]
    if not perf:
        return
    best = max(perf.values())
    if best <= 0.0:
        note = explainer.relative(None, by_actual)
        for i in rows:
            out.notes[i] = note
        return
    if by_actual:
        leader = max(perf, key=lambda i: perf[i])
        note = explainer.relative(actual[leader], True)
    else:
        note = explainer.relative(best if best != INF else INF, False)
    for i in rows:
        value = perf[i]
        share = (1.0 if value == INF else 0.0) if best == INF else value / best
        out.earned[i] = clamp(points * share, points)
        out.notes[i] = note


def _formula(
    criterion: Criterion,
    rows: Sequence[int],
    actual: Sequence[float | None],
    target: Sequence[float | None],
    ratio: Sequence[float | None],
    eff: Sequence[float | None],
    n: int,
    out: RuleColumn,
) -> None:
    formula: Formula = compile_formula(
        str(criterion.params.get("points_formula") or ""), names=(), allow=RULE_VARIABLES
    )
    present = [actual[i] for i in rows]
    if not present:
        return
    lower = criterion.direction == "lower"
    finite_eff = [e for i in rows if (e := eff[i]) is not None and e != INF]
    best_actual = min(present) if lower else max(present)  # type: ignore[type-var]
    worst_actual = max(present) if lower else min(present)  # type: ignore[type-var]
    scalars = {
        "max_points": criterion.points,
        "best_ratio": max(finite_eff) if finite_eff else None,
        "best_actual": best_actual,
        "worst_actual": worst_actual,
        "mean_actual": sum(present) / len(present),  # type: ignore[arg-type]
    }
    columns: dict[str, Sequence[float | None]] = {k: [v] * n for k, v in scalars.items()}
    columns["actual"] = actual
    columns["target"] = target
    columns["ratio"] = [
        r if r is not None else (e if e is not None and e != INF else None)
        for r, e in zip(ratio, eff, strict=True)
    ]
    values = formula.evaluate_detailed(columns, n)
    for i in rows:
        v = values[i]
        if isinstance(v, Missing):
            out.failures[i] = v
        else:
            out.earned[i] = clamp(v, criterion.points)
