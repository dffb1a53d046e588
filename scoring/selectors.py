"""Reads of the scoring app: the engine's inputs for a year, and a year's current results."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import FloatField
from django.db.models.functions import Cast, Coalesce

from clusters.models import EmulationYear, Membership, Unit
from clusters.selectors import successions_all, unit_predecessor_codes

from . import engine
from .models import (
    ManualPoints,
    MemberTarget,
    Report,
    ReportValue,
    Scheme,
    Score,
    ScoringRun,
    Standing,
)


def _num(value) -> float | None:
    return None if value is None else float(value)


def scheme_to_engine(scheme: Scheme) -> engine.Scheme:
    """The engine's view of a stored scheme version (3 queries)."""
    elements = tuple(
        engine.DataElement(
            code=e.code,
            name=e.name,
            definition=e.definition,
            type=e.type,
            min=_num(e.min_value),
            max=_num(e.max_value),
            max_element=e.max_element or None,
        )
        for e in scheme.data_elements.order_by("position", "id")
    )
    criteria = tuple(
        engine.Criterion(
            code=c.code,
            group=c.group.name,
            name=c.name,
            definition=c.definition,
            measure=c.measure,
            target=_num(c.target),
            direction=c.direction,
            points=float(c.points),
            kind=c.kind,
            rule=c.rule,
            params=dict(c.params or {}),
            knockout=c.knockout,
            unit=c.unit or None,
        )
        for c in scheme.criteria.select_related("group").order_by("position", "id")
    )
    bands = tuple(
        engine.Band(band=b.name, min_total=float(b.min_total), min_each=_num(b.min_each))
        for b in scheme.bands.order_by("position", "id")
    )
    return engine.Scheme(
        name=scheme.name,
        scale=float(scheme.scale),
        data_elements=elements,
        criteria=criteria,
        classification=bands,
        tie_break=tuple(scheme.tie_break or ()),
        format=scheme.format,
    )


@dataclass
class YearInputs:
    """Everything the engine reads to score one emulation year, and a hash of it."""

    emulation_year_id: int
    input_version: int
    scheme_id: int
    scheme: engine.Scheme
    year: int
    members: list[str]
    figures: dict[tuple[str, int, str], float] = field(default_factory=dict)
    targets: dict[tuple[str, str], float] = field(default_factory=dict)
    manual: dict[tuple[str, str], engine.ManualEntry] = field(default_factory=dict)
    successions: list[engine.Succession] = field(default_factory=list)
    unit_ids: dict[str, int] = field(default_factory=dict)

    def digest(self) -> str:
        canonical = {
            "scheme": self.scheme_id,
            "year": self.year,
            "members": sorted(self.members),
            "figures": sorted([*k, v] for k, v in self.figures.items()),
            "targets": sorted([*k, v] for k, v in self.targets.items()),
            "manual": sorted([*k, m.points, m.reason] for k, m in self.manual.items()),
            "successions": sorted(
                [s.predecessor, s.successor, s.effective_on.isoformat()] for s in self.successions
            ),
        }
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()

    def run(self, *, language: str = "vi") -> engine.Result:
        return engine.score(
            self.scheme,
            year=self.year,
            members=self.members,
            figures=self.figures,
            targets=self.targets,
            manual=self.manual,
            successions=self.successions,
            language=language,
        )


def year_inputs(
    *, emulation_year: EmulationYear, scheme: Scheme | None = None
) -> YearInputs | None:
    """The engine's inputs for a year, read in a fixed number of queries; None without a scheme.

    Figures come from submitted or verified reports (the verified value where the secretariat
    corrected one) of this year and of the year before, for the members and the units that
    merged into them — whatever cluster those reported in.
    """
    scheme = scheme or emulation_year.scheme
    if scheme is None:
        return None
    year = emulation_year.year
    members = list(
        Membership.objects.filter(emulation_year=emulation_year)
        .order_by("unit__code")
        .values_list("unit__code", "unit_id")
    )
    unit_ids = dict(members)
    links = successions_all()
    related = set(unit_ids)
    for code in unit_ids:
        related |= unit_predecessor_codes(unit_code=code, links=links)
    # Coalesce and cast in SQL: thousands of figures a year, no Decimal objects made for them.
    effective = Cast(Coalesce("verified_value", "value"), FloatField())
    values = (
        ReportValue.objects.filter(
            report__unit__code__in=related,
            report__emulation_year__year__in=[year - 1, year],
            report__status__in=Report.SCORED_STATUSES,
        )
        .annotate(effective=effective)
        .filter(effective__isnull=False)
        .order_by()  # the models' default orderings would join and sort three more tables
        .values_list(
            "report__unit__code", "report__emulation_year__year", "element_code", "effective"
        )
    )
    # Thousands of rows a year: fetch them raw, without Django's per-row conversions.
    sql, params = values.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        figures = {
            (unit_code, value_year, element): value
            for unit_code, value_year, element, value in cursor.fetchall()
        }
    targets = {
        (unit_code, criterion): float(target)
        for unit_code, criterion, target in MemberTarget.objects.filter(
            emulation_year=emulation_year
        )
        .order_by()
        .values_list("unit__code", "criterion_code", "target")
    }
    manual = {
        (unit_code, criterion): engine.ManualEntry(points=float(points), reason=reason)
        for unit_code, criterion, points, reason in ManualPoints.objects.filter(
            emulation_year=emulation_year
        )
        .order_by()
        .values_list("unit__code", "criterion_code", "points", "reason")
    }
    successions = [
        engine.Succession(predecessor=p, successor=s, effective_on=d)
        for p, s, d in links
        if s in related
    ]
    return YearInputs(
        emulation_year_id=emulation_year.pk,
        input_version=emulation_year.input_version,
        scheme_id=scheme.pk,
        scheme=scheme_to_engine(scheme),
        year=year,
        members=[code for code, _id in members],
        figures=figures,
        targets=targets,
        manual=manual,
        successions=successions,
        unit_ids=unit_ids,
    )


def year_current_run(*, emulation_year: EmulationYear) -> ScoringRun | None:
    return (
        ScoringRun.objects.filter(emulation_year=emulation_year, is_current=True)
        .select_related("scheme")
        .first()
    )


def run_to_result(*, run: ScoringRun) -> engine.Result:
    """Rebuild the engine's result from a stored run, so that exports of the database path and
    the file path go through one writer and cannot disagree."""
    criteria_order = {
        code: i
        for i, code in enumerate(
            run.scheme.criteria.order_by("position", "id").values_list("code", flat=True)
        )
    }
    lines = {}
    for unit_code, criterion, actual, target, ratio, met, points, explanation in (
        Score.objects.filter(run=run)
        .values_list(
            "unit__code",
            "criterion_code",
            "actual",
            "target",
            "ratio",
            "met",
            "points",
            "explanation",
        )
        .iterator(chunk_size=5000)
    ):
        lines[(unit_code, criterion)] = engine.Line(
            unit=unit_code,
            criterion=criterion,
            actual=actual,
            target=target,
            ratio=ratio,
            met=met,
            points=points,
            explanation=explanation,
        )
    lines = dict(
        sorted(lines.items(), key=lambda kv: (kv[0][0], criteria_order.get(kv[0][1], 10**6)))
    )
    standings = tuple(
        engine.Standing(
            unit=s.unit.code,
            total=s.total,
            regular=s.regular,
            bonus=s.bonus,
            deduction=s.deduction,
            met_count=s.met_count,
            rank=s.rank,
            band=s.band or None,
            eligible=s.eligible,
            group_points=s.group_points,
        )
        for s in Standing.objects.filter(run=run)
        .select_related("unit")
        .order_by("rank", "unit__code")
    )
    warnings = tuple(engine.EngineWarning(**w) for w in run.warnings)
    return engine.Result(
        year=run.emulation_year.year,
        scheme_name=run.scheme.name,
        standings=standings,
        lines=lines,
        warnings=warnings,
    )


def year_standings(*, emulation_year: EmulationYear) -> list[Standing]:
    """The current ranking of a year with units, in one query."""
    return list(
        Standing.objects.filter(run__emulation_year=emulation_year, run__is_current=True)
        .select_related("unit")
        .order_by("rank", "unit__code")
    )


def units_by_code(codes) -> dict[str, Unit]:
    return {u.code: u for u in Unit.objects.filter(code__in=codes)}
