"""Reads about who competes."""

from __future__ import annotations

from collections.abc import Iterable

from .models import UnitSuccession


def successions_all() -> list[tuple[str, str, object]]:
    """Every succession as (predecessor code, successor code, date): a small table, read whole."""
    return list(
        UnitSuccession.objects.values_list("predecessor__code", "successor__code", "effective_on")
    )


def unit_predecessor_codes(*, unit_code: str, links: Iterable[tuple[str, str, object]]) -> set[str]:
    """All units that merged, directly or through others, into `unit_code`."""
    by_successor: dict[str, list[str]] = {}
    for predecessor, successor, _date in links:
        by_successor.setdefault(successor, []).append(predecessor)
    found: set[str] = set()
    stack = [unit_code]
    while stack:
        for predecessor in by_successor.get(stack.pop(), []):
            if predecessor not in found:
                found.add(predecessor)
                stack.append(predecessor)
    return found
