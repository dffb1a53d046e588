"""Plain value types of the scoring engine.

Frozen dataclasses so a result can be shared between threads and cached without copies.
Nothing here knows about Django; the database layer converts its rows into these.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

ELEMENT_TYPES = ("integer", "decimal", "percent", "boolean")
DIRECTIONS = ("higher", "lower")
KINDS = ("regular", "bonus", "deduction")
RULES = ("threshold", "proportional", "bands", "relative", "formula", "manual", "per_item")
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
    # cap, floor, else_points, bands ({min_ratio, points} items), points_formula, and each and
    # per (per_item).
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
Warning = EngineWarning


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
class BandCheck:
    """One band of the classification, checked for one member, in the engine's order.

    `failed` is the first condition that failed: "min_total" (the total is below the band's
    minimum), "min_each" (a regular criterion earned less than `min_each` of its points:
    `criterion`, `name` and `share` name the first one in scheme order, `others` counts the rest
    below the floor) or "knockout" (a knockout criterion was not met: the member may have no band
    at all). None when the band is reached; then `criterion`/`name`/`share` give the regular
    criterion with the lowest share if the band has a `min_each`."""

    band: str
    min_total: float
    min_each: float | None
    reached: bool
    failed: str | None
    total: float
    criterion: str | None = None
    name: str | None = None
    share: float | None = None
    others: int = 0


_CHECK_FIELDS = tuple(f.name for f in fields(BandCheck))


@dataclass(frozen=True, slots=True)
class BandExplanation:
    """The band reached (or None) and the bands checked to get there: every band above it, each
    with the condition it failed, then the band reached. No checks: the scheme has no bands.
    Plain data, so it can be stored and rendered later in either language."""

    band: str | None
    checks: tuple[BandCheck, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "band": self.band,
            "checks": [{f: getattr(c, f) for f in _CHECK_FIELDS} for c in self.checks],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> BandExplanation | None:
        if data is None:
            return None
        return cls(
            band=data.get("band"),
            checks=tuple(
                BandCheck(**{f: c[f] for f in _CHECK_FIELDS if f in c})
                for c in data.get("checks", ())
            ),
        )


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
    # Why the member has its band (or none); None only for results stored before it existed.
    band_explanation: BandExplanation | None = None


@dataclass(frozen=True, slots=True)
class Result:
    year: int
    scheme_name: str
    standings: tuple[Standing, ...]
    lines: Mapping[tuple[str, str], Line]
    warnings: tuple[EngineWarning, ...]
    # The language of the explanation lines (and the default of the writers' band sentences).
    language: str = "vi"

    def standing(self, unit: str) -> Standing:
        for standing in self.standings:
            if standing.unit == unit:
                return standing
        raise KeyError(unit)
