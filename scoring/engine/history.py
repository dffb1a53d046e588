"""Previous-year figures across mergers of units.

Vietnam merged provinces on 1 July 2025 (Kiên Giang into An Giang, …). Growth of a merged unit
must compare against the sum of what its predecessors reported: An Giang's prev(x) in 2025 is
An Giang 2024 + Kiên Giang 2024; in 2026 it is An Giang 2025 alone, because Kiên Giang no longer
reported separately in 2025.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from scoring.engine.types import Succession


def prev_sources(unit: str, year: int, successions: Iterable[Succession]) -> list[str]:
    """`unit` and every transitive predecessor whose merger took effect during `year`: those
    reported separately for year-1 and are part of `unit` in `year`."""
    predecessors: dict[str, list[Succession]] = {}
    for s in successions:
        predecessors.setdefault(s.successor, []).append(s)
    return _sources(unit, year, predecessors)


def _sources(unit: str, year: int, predecessors: Mapping[str, list[Succession]]) -> list[str]:
    found = [unit]
    seen = {unit}
    stack = [unit]
    while stack:
        current = stack.pop()
        for s in predecessors.get(current, ()):
            # Merged during `year`: it reported on its own for year-1 and is part of `unit` now.
            # Merged earlier: its year-1 figures are already inside the successor's. Merged later:
            # it is still a unit of its own in `year`, so it is not part of `unit`'s growth base.
            if s.effective_on.year == year and s.predecessor not in seen:
                seen.add(s.predecessor)
                found.append(s.predecessor)
                stack.append(s.predecessor)
    return found


def prev_columns(
    members: Sequence[str],
    year: int,
    elements: Iterable[str],
    figures: Mapping[tuple[str, int, str], float],
    successions: Sequence[Succession],
) -> tuple[dict[str, list[float | None]], dict[tuple[int, str], list[str]]]:
    """Columns of year-1 values per element, and (row, element) → sources that had no value."""
    predecessors: dict[str, list[Succession]] = {}
    for s in successions:
        predecessors.setdefault(s.successor, []).append(s)
    groups = [_sources(m, year, predecessors) for m in members]
    before = year - 1
    columns: dict[str, list[float | None]] = {}
    partial: dict[tuple[int, str], list[str]] = {}
    for code in elements:
        column: list[float | None] = []
        for row, group in enumerate(groups):
            if len(group) == 1:
                value = figures.get((group[0], before, code))
                column.append(None if value is None else float(value))
                continue
            total = 0.0
            absent = []
            for unit in group:
                value = figures.get((unit, before, code))
                if value is None:
                    absent.append(unit)
                else:
                    total += float(value)
            if len(absent) == len(group):
                column.append(None)
            else:
                column.append(total)
                if absent:
                    partial[(row, code)] = absent
        columns[code] = column
    return columns, partial
