"""Checks that tell a secretariat a target or a figure is wrong, not merely unmet.

The seed article's complaint ("content 3": commend 65% of workers, but the denominator also
counted cooperative members, so the target could never be met) is what `unreachable_target`
catches: raise every bounded element to its bound and see whether the target is still out of
reach.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scoring.engine.formula import Formula, Missing
from scoring.engine.numbers import fmt_number
from scoring.engine.rules import EPS
from scoring.engine.types import Criterion, DataElement


def is_percent(
    criterion: Criterion, formula: Formula | None, elements: Mapping[str, DataElement]
) -> bool:
    if criterion.unit == "%":
        return True
    code = formula.single_name if formula is not None else None
    return code is not None and code in elements and elements[code].type == "percent"


def unreachable_rows(
    criterion: Criterion,
    formula: Formula,
    elements: Mapping[str, DataElement],
    columns: Mapping[str, Sequence[float | None]],
    prev_columns: Mapping[str, Sequence[float | None]],
    actual: Sequence[float | Missing],
    target: Sequence[float | None],
    candidates: Sequence[int],
    language: str,
) -> list[tuple[int, float, str]]:
    """Rows among `candidates` (scored, not met) whose best case stays below the target."""
    if criterion.direction != "higher" or criterion.rule == "manual" or not candidates:
        return []
    n = len(actual)
    bounded = [
        elements[c]
        for c in sorted(formula.names)
        if c in elements and (elements[c].max_element or elements[c].max is not None)
    ]
    if not bounded:
        return []
    substituted = dict(columns)
    described = []
    for element in bounded:
        bound_col = columns.get(element.max_element) if element.max_element else None
        column = list(columns.get(element.code) or [None] * n)
        for i in candidates:
            bounds = []
            if bound_col is not None and bound_col[i] is not None:
                bounds.append(float(bound_col[i]))  # type: ignore[arg-type]
            if element.max is not None:
                bounds.append(element.max)
            if bounds:
                column[i] = min(bounds)
        substituted[element.code] = column
        limit = element.max_element or fmt_number(element.max, language)  # type: ignore[arg-type]
        described.append(f"{element.code} = {limit}")
    best_values = formula.evaluate_rows(substituted, candidates, prev_columns)
    rows = []
    for i, b in zip(candidates, best_values, strict=True):
        a, t = actual[i], target[i]
        if isinstance(a, Missing) or isinstance(b, Missing) or t is None:
            continue
        # The bound must move the measure towards the target; if it moves it away the bounded
        # element sits in a denominator and its bound is not the best case.
        if b >= a - EPS and b < t - EPS * max(1.0, abs(t)):
            rows.append((i, b, ", ".join(described)))
    return rows


def out_of_range(
    elements: Sequence[DataElement],
    columns: Mapping[str, Sequence[float | None]],
    n: int,
) -> list[tuple[int, str, float, str]]:
    """(row, element, value, bound) for figures below min, above max or above max_element."""
    found = []
    for element in elements:
        column = columns.get(element.code)
        if column is None:
            continue
        limit_col = columns.get(element.max_element) if element.max_element else None
        for i in range(n):
            value = column[i]
            if value is None:
                continue
            if element.min is not None and value < element.min:
                found.append((i, element.code, value, f"min {element.min:g}"))
            elif element.max is not None and value > element.max:
                found.append((i, element.code, value, f"max {element.max:g}"))
            elif limit_col is not None:
                limit = limit_col[i]
                if limit is not None and value > limit:
                    found.append((i, element.code, value, f"{element.max_element} = {limit:g}"))
    return found
