"""Small builders so each test states only what it is about."""

from __future__ import annotations

from typing import Any

from scoring.engine import Criterion, DataElement, Scheme


def element(code: str, **kw: Any) -> DataElement:
    kw.setdefault("name", code)
    kw.setdefault("definition", "")
    kw.setdefault("type", "integer")
    return DataElement(code=code, **kw)


def criterion(code: str, measure: str, target: float | None, **kw: Any) -> Criterion:
    kw.setdefault("group", "G")
    kw.setdefault("name", code)
    kw.setdefault("definition", "")
    kw.setdefault("points", 10.0)
    return Criterion(code=code, measure=measure, target=target, **kw)


def scheme(*criteria: Criterion, elements: tuple[DataElement, ...] = (), **kw: Any) -> Scheme:
    codes = {e.code for e in elements}
    extra = []
    for c in criteria:
        for name in _names(c.measure):
            if name not in codes:
                codes.add(name)
                extra.append(element(name))
    kw.setdefault("name", "test")
    kw.setdefault("scale", 100.0)
    return Scheme(data_elements=tuple(elements) + tuple(extra), criteria=tuple(criteria), **kw)


def _names(measure: str) -> list[str]:
    import re

    reserved = {"prev", "if", "min", "max", "abs", "round", "and", "or", "not"}
    return [n for n in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", measure) if n not in reserved]


def figures(year: int, **by_unit: dict[str, float]) -> dict[tuple[str, int, str], float]:
    return {
        (unit, year, code): value
        for unit, values in by_unit.items()
        for code, value in values.items()
    }
