"""Plain value types of the scoring engine.

Frozen dataclasses so a result can be shared between threads and cached without copies.
Nothing here knows about Django; the database layer converts its rows into these.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ELEMENT_TYPES = ("integer", "decimal", "percent", "boolean")
DIRECTIONS = ("higher", "lower")
KINDS = ("regular", "bonus", "deduction")
RULES = ("threshold", "proportional", "bands", "relative", "formula", "manual")
SCHEME_FORMAT = "emulation-scheme/1"


@dataclass(frozen=True, slots=True)
class DataElement:
    """A figure a member reports, with the definition people read before reporting it."""

    code: str
    name: str
    definition: str
    type: str
    min: float | None = None
    max: float | None = None
    # The element this one can never exceed (a numerator's denominator); it lets the engine
    # tell "not met" apart from "cannot be met with these figures" (the seed's "content 3").
    max_element: str | None = None


@dataclass(frozen=True, slots=True)
class Band:
    band: str
    min_total: float = 0.0
    # Fraction 0..1 of each regular criterion's points that every regular criterion must reach.
    min_each: float | None = None


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    group: str
    name: str
    definition: str
    measure: str
    target: float | None
    direction: str = "higher"
    points: float = 0.0
    kind: str = "regular"
    rule: str = "proportional"
    # cap, floor, else_points, bands ({min_ratio, points} items) and points_formula.
    params: Mapping[str, Any] = field(default_factory=dict)
    knockout: bool = False
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Scheme:
    name: str
    scale: float
    data_elements: tuple[DataElement, ...]
    criteria: tuple[Criterion, ...]
    classification: tuple[Band, ...] = ()
    tie_break: tuple[str, ...] = ()
    format: str = SCHEME_FORMAT

    @property
    def groups(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for criterion in self.criteria:
            seen.setdefault(criterion.group, None)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class Succession:
    """`predecessor` ceased to exist separately on `effective_on`, absorbed by `successor`."""

    predecessor: str
    successor: str
    effective_on: datetime.date


@dataclass(frozen=True, slots=True)
class ManualEntry:
    points: float
    reason: str


@dataclass(frozen=True, slots=True)
class EngineWarning:
    unit: str | None
    criterion: str | None
    code: str
    message: str


# The brief's name; EngineWarning avoids shadowing the builtin inside modules that import it.
Warning = EngineWarning  # noqa: A001


@dataclass(frozen=True, slots=True)
class Line:
    unit: str
    criterion: str
    actual: float | None
    target: float | None
    ratio: float | None
    met: bool
    # Signed contribution to the total: negative (or zero) for a deduction.
    points: float
    explanation: str


@dataclass(frozen=True, slots=True)
class Standing:
    unit: str
    total: float
    regular: float
    bonus: float
    # Positive amount taken away.
    deduction: float
    met_count: int
    rank: int
    band: str | None
    eligible: bool
    group_points: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Result:
    year: int
    scheme_name: str
    standings: tuple[Standing, ...]
    lines: Mapping[tuple[str, str], Line]
    warnings: tuple[EngineWarning, ...]

    def standing(self, unit: str) -> Standing:
        for standing in self.standings:
            if standing.unit == unit:
                return standing
        raise KeyError(unit)
