"""Reads of a year's scoring scheme: the stored versions as the engine's schemes, their elements
and criteria."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import SupportsFloat

from django.db.models import Prefetch, QuerySet

from clusters.models import EmulationYear
from scoring import engine
from scoring.models import (
    Band,
    Criterion,
    DataElement,
    Scheme,
)

# Where a year object keeps its scheme in force once read (or prefetched: `with_scheme_in_force`).
_IN_FORCE = "_scheme_in_force"


def with_scheme_in_force(years: QuerySet[EmulationYear]) -> QuerySet[EmulationYear]:
    """The years with their scheme in force read alongside (one more query for all of them), so
    that `scheme_in_force` asks nothing more of the database."""
    in_force = Scheme.objects.filter(in_force=True).defer("source")
    return years.prefetch_related(Prefetch("schemes", queryset=in_force, to_attr=_IN_FORCE))


def scheme_in_force(emulation_year: EmulationYear) -> Scheme | None:
    """The scheme version the year is scored with (None before a first one is imported), without
    its source text, which only the scheme file's download reads. Read once per year object."""
    cached = emulation_year.__dict__.get(_IN_FORCE)
    if cached is None:
        cached = list(
            Scheme.objects.filter(emulation_year_id=emulation_year.pk, in_force=True).defer(
                "source"
            )
        )
        setattr(emulation_year, _IN_FORCE, cached)
    return cached[0] if cached else None


def scheme_id_in_force(emulation_year: EmulationYear) -> int | None:
    """The id of the year's scheme in force (None before a first one is imported)."""
    scheme = scheme_in_force(emulation_year)
    return scheme.pk if scheme is not None else None


def scheme_ids_in_force(emulation_year_ids: Iterable[int]) -> dict[int, int]:
    """The scheme in force of each of these years that has one: {year id: scheme id}."""
    return dict(
        Scheme.objects.filter(emulation_year_id__in=list(emulation_year_ids), in_force=True)
        .values_list("emulation_year_id", "pk")
        .order_by()
    )


def set_scheme_in_force(emulation_year: EmulationYear, scheme: Scheme) -> None:
    """Remember on the year object the scheme just put in force (the services write the flag)."""
    setattr(emulation_year, _IN_FORCE, [scheme])


def _num(value: SupportsFloat | None) -> float | None:
    return None if value is None else float(value)


def schemes_to_engine(scheme_ids: Iterable[int]) -> dict[int, engine.Scheme]:
    """The engine's view of stored scheme versions (4 queries, whatever their number)."""
    ids = list(scheme_ids)
    elements = _engine_elements(ids)
    criteria = _engine_criteria(ids)
    bands = _engine_bands(ids)
    return {
        sid: engine.Scheme(
            name=name,
            scale=float(scale),
            data_elements=tuple(elements[sid]),
            criteria=tuple(criteria[sid]),
            classification=tuple(bands[sid]),
            tie_break=tuple(tie_break or ()),
            format=fmt,
        )
        for sid, name, scale, tie_break, fmt in Scheme.objects.filter(pk__in=ids).values_list(
            "pk", "name", "scale", "tie_break", "format"
        )
    }


def _engine_elements(ids: list[int]) -> dict[int, list[engine.DataElement]]:
    """The versions' data elements in order, by version id (one query)."""
    elements: dict[int, list] = {i: [] for i in ids}
    for row in (
        DataElement.objects.filter(scheme_id__in=ids)
        .order_by("scheme_id", "position", "id")
        .values_list(
            "scheme_id",
            "code",
            "name",
            "definition",
            "type",
            "min_value",
            "max_value",
            "max_element",
        )
    ):
        sid, code, name, definition, type_, lo, hi, max_element = row
        elements[sid].append(
            engine.DataElement(
                code=code,
                name=name,
                definition=definition,
                type=type_,
                min=_num(lo),
                max=_num(hi),
                max_element=max_element or None,
            )
        )
    return elements


def _engine_criteria(ids: list[int]) -> dict[int, list[engine.Criterion]]:
    """The versions' criteria in order, by version id (one query)."""
    criteria: dict[int, list] = {i: [] for i in ids}
    for row in (
        Criterion.objects.filter(scheme_id__in=ids)
        .order_by("scheme_id", "position", "id")
        .values_list(
            "scheme_id",
            "code",
            "group__name",
            "name",
            "definition",
            "measure",
            "target",
            "direction",
            "points",
            "kind",
            "rule",
            "params",
            "knockout",
            "unit",
            named=True,
        )
    ):
        criteria[row.scheme_id].append(
            engine.Criterion(
                code=row.code,
                group=row.group__name,
                name=row.name,
                definition=row.definition,
                measure=row.measure,
                target=_num(row.target),
                direction=row.direction,
                points=float(row.points),
                kind=row.kind,
                rule=row.rule,
                params=dict(row.params or {}),
                knockout=row.knockout,
                unit=row.unit or None,
            )
        )
    return criteria


def _engine_bands(ids: list[int]) -> dict[int, list[engine.Band]]:
    """The versions' bands in order, by version id (one query)."""
    bands: dict[int, list] = {i: [] for i in ids}
    for sid, name, min_total, min_each in (
        Band.objects.filter(scheme_id__in=ids)
        .order_by("scheme_id", "position", "id")
        .values_list("scheme_id", "name", "min_total", "min_each")
    ):
        bands[sid].append(
            engine.Band(band=name, min_total=float(min_total), min_each=_num(min_each))
        )
    return bands


def scheme_to_engine(scheme: Scheme) -> engine.Scheme:
    return schemes_to_engine([scheme.pk])[scheme.pk]


# A scheme version never changes (an edit makes a new version), so its parts are kept in the
# process once read — keyed by the version's id and creation time, so that an id used again (a
# test database rolled back, a development database flushed) is another key. Bounded: a process
# that has seen more versions than this starts again.
_SCHEME_PARTS: dict[tuple, list] = {}
_SCHEME_PARTS_MAX = 512


def _scheme_parts(kind: str, scheme: Scheme, load: Callable[[], list]) -> list:
    key = (kind, scheme.pk, scheme.created_at)
    parts = _SCHEME_PARTS.get(key)
    if parts is None:
        if len(_SCHEME_PARTS) >= _SCHEME_PARTS_MAX:
            _SCHEME_PARTS.clear()
        parts = _SCHEME_PARTS[key] = load()
    return parts


def scheme_data_elements(scheme: Scheme) -> list[DataElement]:
    """A scheme version's data elements, in order (read once per process; treat as read-only)."""
    return _scheme_parts(
        "elements",
        scheme,
        lambda: list(DataElement.objects.filter(scheme_id=scheme.pk).order_by("position")),
    )


def scheme_criteria(scheme: Scheme) -> list[Criterion]:
    """A scheme version's criteria with their groups, in order (like its elements)."""
    return _scheme_parts(
        "criteria",
        scheme,
        lambda: list(
            Criterion.objects.filter(scheme_id=scheme.pk)
            .select_related("group")
            .order_by("position")
        ),
    )


def criteria_in_order(*, scheme_id: int | None, taking_targets: bool = False) -> list[Criterion]:
    """A scheme version's criteria in order, read now (unlike `scheme_criteria`: not kept, and
    without their groups); none without a scheme. `taking_targets`: not those that read no
    target — the manual ones and points per occurrence (per_item)."""
    if scheme_id is None:
        return []
    criteria = Criterion.objects.filter(scheme_id=scheme_id)
    if taking_targets:
        criteria = criteria.exclude(rule__in=[Criterion.Rule.MANUAL, Criterion.Rule.PER_ITEM])
    return list(criteria.order_by("position"))


def scheme_criterion(*, scheme_id: int | None, code: str) -> Criterion | None:
    """One criterion of a scheme version by its code (None: no such criterion, or no scheme)."""
    if scheme_id is None:
        return None
    return Criterion.objects.filter(scheme_id=scheme_id, code=code).first()


@dataclass
class SchemePage:
    criteria: QuerySet[Criterion] | list  # the version in force's, with their groups, in order
    bands: list[Band]
    versions: QuerySet[Scheme]  # every version of the year, newest first, with who made it


def scheme_page(*, emulation_year: EmulationYear) -> SchemePage:
    """The year's scheme page: the criteria and bands in force (none before a first version) and
    the versions; the criteria and versions are read when the page shows them."""
    scheme = scheme_in_force(emulation_year)
    scheme_id = scheme.pk if scheme is not None else None
    return SchemePage(
        criteria=Criterion.objects.filter(scheme_id=scheme_id)
        .select_related("group")
        .order_by("position")
        if scheme_id
        else [],
        bands=list(scheme.bands.order_by("position")) if scheme is not None else [],
        versions=Scheme.objects.filter(emulation_year=emulation_year)
        .select_related("created_by")
        .order_by("-version"),
    )
