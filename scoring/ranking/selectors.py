"""Reads of a year's results: the inputs the engine scores, the current run, standings, warnings and texts in the reader's language."""

from __future__ import annotations

import hashlib
import marshal
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, FloatField, OuterRef
from django.db.models.functions import Cast, Coalesce

from clusters.models import EmulationYear, Membership
from clusters.selectors import successions_all, unit_predecessor_codes
from scoring import engine
from scoring.models import (
    ManualPoints,
    MemberTarget,
    Report,
    ReportValue,
    Score,
    ScoringRun,
    Standing,
)
from scoring.schemes.selectors import scheme_criteria, scheme_data_elements, schemes_to_engine


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
        """A hash of everything the engine reads: equal inputs, equal hash. marshal's version 2
        writes str, int, float, tuples and lists without back-references, so equal values always
        give equal bytes — and it is several times faster than repr or JSON here."""
        canonical = (
            self.scheme_id,
            self.year,
            sorted(self.members),
            # Built in a fixed order by years_inputs (sorting thousands of items costs more).
            list(self.figures.items()),
            sorted(self.targets.items()),
            sorted((k, m.points, m.reason) for k, m in self.manual.items()),
            sorted(
                (s.predecessor, s.successor, s.effective_on.isoformat()) for s in self.successions
            ),
        )
        return hashlib.sha256(marshal.dumps(canonical, 2)).hexdigest()

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


def year_inputs(*, emulation_year: EmulationYear) -> YearInputs | None:
    """The engine's inputs for one year; None without a scheme."""
    return years_inputs(emulation_years=[emulation_year]).get(emulation_year.pk)


def years_inputs(*, emulation_years: list[EmulationYear]) -> dict[int, YearInputs]:
    """The engine's inputs for many years at once, in a fixed number of queries (years without a
    scheme are left out).

    Figures come from submitted or verified reports (the verified value where the secretariat
    corrected one) of each year and of the year before, for the members and the units that merged
    into them during the year — whatever cluster those reported in.
    """
    years = [y for y in emulation_years if y.scheme_id is not None]
    if not years:
        return {}
    by_id = {y.pk: y for y in years}
    members = _members_by_year(by_id)
    links = successions_all()
    related = {y.pk: _with_predecessors(members[y.pk], links) for y in years}
    calendar = {y.year for y in years} | {y.year - 1 for y in years}
    by_unit_year = _figures_by_unit_year(set().union(*related.values()), calendar)
    targets = _targets_by_year(by_id)
    manual = _manual_by_year(by_id)
    schemes = schemes_to_engine({y.scheme_id for y in years})
    return {
        y.pk: YearInputs(
            emulation_year_id=y.pk,
            input_version=y.input_version,
            scheme_id=y.scheme_id,
            scheme=schemes[y.scheme_id],
            year=y.year,
            members=[code for code, _id in members[y.pk]],
            figures=_year_figures(y.year, related[y.pk], by_unit_year),
            targets=targets[y.pk],
            manual=manual[y.pk],
            successions=[
                engine.Succession(predecessor=p, successor=s, effective_on=d)
                for p, s, d in links
                if s in related[y.pk]
            ],
            unit_ids=dict(members[y.pk]),
        )
        for y in years
    }


def _members_by_year(years: dict[int, EmulationYear]) -> dict[int, list[tuple[str, int]]]:
    """Each year's members as (unit code, unit id), by code."""
    members: dict[int, list[tuple[str, int]]] = {pk: [] for pk in years}
    for year_id, code, unit_id in (
        Membership.objects.filter(emulation_year_id__in=years)
        .order_by("unit__code")
        .values_list("emulation_year_id", "unit__code", "unit_id")
    ):
        members[year_id].append((code, unit_id))
    return members


def _with_predecessors(members: list[tuple[str, int]], links) -> set[str]:
    """The members' codes and those of the units that merged into them."""
    codes = {code for code, _id in members}
    for code in list(codes):
        codes |= unit_predecessor_codes(unit_code=code, links=links)
    return codes


def _figures_by_unit_year(
    codes: set[str], calendar: set[int]
) -> dict[tuple[str, int], list[tuple[str, float]]]:
    """The scored figures of these units in these calendar years, by (unit code, year)."""
    # First the reports (a few per member), then their figures by report id: the planner can
    # only take the report_id index for that, whatever its statistics say.
    reports = {
        pk: (unit_code, value_year)
        for pk, unit_code, value_year in Report.objects.filter(
            unit__code__in=codes,
            emulation_year__year__in=calendar,
            status__in=Report.SCORED_STATUSES,
        )
        .order_by()
        .values_list("pk", "unit__code", "emulation_year__year")
    }
    by_unit_year: dict[tuple[str, int], list[tuple[str, float]]] = {}
    if not reports:
        return by_unit_year
    # Coalesce and cast in SQL: thousands of figures a year, no Decimal objects made for them;
    # a fixed order makes the figures' order, and so the inputs' hash, the same on every run.
    values = (
        ReportValue.objects.filter(report_id__in=list(reports))
        .annotate(effective=Cast(Coalesce("verified_value", "value"), FloatField()))
        .filter(effective__isnull=False)
        .order_by("report_id", "element_code")
        .values_list("report_id", "element_code", "effective")
    )
    # Thousands of rows a year: fetch them raw, without Django's per-row conversions.
    sql, params = values.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for report_id, element, value in cursor.fetchall():
            by_unit_year.setdefault(reports[report_id], []).append((element, value))
    return by_unit_year


def _targets_by_year(years: dict[int, EmulationYear]) -> dict[int, dict]:
    targets: dict[int, dict] = {pk: {} for pk in years}
    for year_id, unit_code, criterion, target in (
        MemberTarget.objects.filter(emulation_year_id__in=years)
        .order_by()
        .values_list("emulation_year_id", "unit__code", "criterion_code", "target")
    ):
        targets[year_id][(unit_code, criterion)] = float(target)
    return targets


def _manual_by_year(years: dict[int, EmulationYear]) -> dict[int, dict]:
    manual: dict[int, dict] = {pk: {} for pk in years}
    for year_id, unit_code, criterion, points, reason in (
        ManualPoints.objects.filter(emulation_year_id__in=years)
        .order_by()
        .values_list("emulation_year_id", "unit__code", "criterion_code", "points", "reason")
    ):
        manual[year_id][(unit_code, criterion)] = engine.ManualEntry(
            points=float(points), reason=reason
        )
    return manual


def _year_figures(year: int, codes: set[str], by_unit_year) -> dict:
    """One year's figures, keyed (unit code, year, element), in a fixed order (see digest)."""
    figures = {}
    for code in sorted(codes):
        for value_year in (year - 1, year):
            for element, value in by_unit_year.get((code, value_year), ()):
                figures[(code, value_year, element)] = value
    return figures


def year_current_run(
    *, emulation_year: EmulationYear, defer_warnings: bool = False
) -> ScoringRun | None:
    runs = ScoringRun.objects.filter(emulation_year=emulation_year, is_current=True)
    if defer_warnings:
        runs = runs.defer("warnings")
    return runs.select_related("scheme").first()


def run_to_result(*, run: ScoringRun, language: str = "vi") -> engine.Result:
    """Rebuild the engine's result from a stored run, so that exports of the database path and
    the file path go through one writer and cannot disagree; its sentences in `language` where
    they can be written (see `run_texts`)."""
    texts = run_texts(run=run, language=language)
    criteria_order = {
        code: i
        for i, code in enumerate(
            run.scheme.criteria.order_by("position", "id").values_list("code", flat=True)
        )
    }
    lines = {}
    for unit_id, unit_code, criterion, actual, target, ratio, met, points, explanation in (
        Score.objects.filter(run=run)
        .values_list(
            "unit_id",
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
            explanation=texts.lines.get((unit_id, criterion), explanation)
            if texts
            else explanation,
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
            band_explanation=engine.BandExplanation.from_dict(s.band_explanation),
        )
        for s in Standing.objects.filter(run=run)
        .select_related("unit")
        .order_by("rank", "unit__code")
    )
    warnings = tuple(engine.EngineWarning(**w) for w in (texts.warnings if texts else run.warnings))
    return engine.Result(
        year=run.emulation_year.year,
        scheme_name=run.scheme.name,
        standings=standings,
        lines=lines,
        warnings=warnings,
        language=language if texts else "vi",
    )


def year_standings(*, emulation_year: EmulationYear) -> list[Standing]:
    """The current ranking of a year with units, in one query."""
    return list(
        Standing.objects.filter(run__emulation_year=emulation_year, run__is_current=True)
        .select_related("unit")
        .order_by("rank", "unit__code")
    )


@dataclass(frozen=True)
class YearPageFacts:
    """What a year's page depends on: the scope columns, the state and versions of the year, its
    current run, and what the page shows of each report — its status and when it was submitted
    (a draft saved again changes neither, so a reader's cached page stays valid)."""

    pk: int
    cluster_id: int
    supervising_unit_id: int
    status: str
    reporting_deadline: object
    scheme_id: int | None
    input_version: int
    scored_version: int
    dirty_since: object
    run_id: int | None
    report_states: tuple = ()

    @property
    def is_published(self) -> bool:
        return self.status == EmulationYear.Status.PUBLISHED


def year_page_facts(pk: int) -> YearPageFacts | None:
    """The facts of a year's page, or None if there is no such year. A hot path (every read of a
    ranking), hence two hand-written queries rather than several through the ORM."""
    from clusters.models import Cluster

    year, cluster = EmulationYear._meta.db_table, Cluster._meta.db_table
    run, report = ScoringRun._meta.db_table, Report._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT y.id, y.cluster_id, c.supervising_unit_id, y.status, y.reporting_deadline,
                   y.scheme_id, y.input_version, y.scored_version, y.dirty_since,
                   (SELECT r.id FROM {run} r WHERE r.emulation_year_id = y.id AND r.is_current
                    LIMIT 1)
            FROM {year} y JOIN {cluster} c ON c.id = y.cluster_id
            WHERE y.id = %s
            """,  # noqa: S608 — table names from the models, the value as a parameter
            [pk],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(
            f"SELECT unit_id, status, submitted_at FROM {report} "  # noqa: S608 — as above
            "WHERE emulation_year_id = %s ORDER BY unit_id",
            [pk],
        )
        states = tuple(tuple(state) for state in cursor.fetchall())
    return YearPageFacts(*row, report_states=states)


def year_has_scored_reports():
    """An expression for EmulationYear querysets: the year has a submitted or verified report —
    figures that the scores read. A year without one has nothing to rank, alarm or propose (an
    opened year is scored at once, and all its members then tie at 0)."""
    return Exists(
        Report.objects.filter(
            emulation_year_id=OuterRef("pk"), status__in=Report.SCORED_STATUSES
        ).order_by()
    )


def _name_codes(text: str, names: dict[str, str]) -> str:
    """Data-element codes in an engine message (`coop_members`) replaced by their names."""
    if not names or not text:
        return text
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, names)) + r")(?![\w])")
    return pattern.sub(lambda m: names[m.group(1)], text)


def run_warnings_named(*, run: ScoringRun, language: str = "vi") -> list[dict]:
    """The run's warnings as a reader needs them: the unit's and the criterion's names as their
    subject, data elements named in the message, in `language` where it can be written (see
    `run_texts`). Two queries whatever the warnings (the run's warnings, the year's members'
    names) and the scheme's parts, cached."""
    texts = run_texts(run=run, language=language)
    warnings = texts.warnings if texts else (run.warnings or [])
    # Every warning's unit is a member of the year (the engine warns about members only).
    units = dict(
        Membership.objects.filter(emulation_year_id=run.emulation_year_id)
        .order_by()
        .values_list("unit__code", "unit__name")
    )
    criteria = {c.code: f"{c.code} {c.name}" for c in scheme_criteria(run.scheme)}
    elements = {e.code: e.name for e in scheme_data_elements(run.scheme)}
    named = []
    for w in warnings:
        unit, criterion = w.get("unit") or "", w.get("criterion") or ""
        subject = " · ".join(
            part for part in (units.get(unit, unit), criteria.get(criterion, criterion)) if part
        )
        named.append({"subject": subject, "message": _name_codes(w.get("message", ""), elements)})
    return named


@dataclass(frozen=True)
class RunTexts:
    """A run's explanation lines and warnings written in another language than the stored one."""

    lines: dict[tuple[int, str], str]  # (unit id, criterion code) -> line
    warnings: list[dict]


def run_texts(*, run: ScoringRun, language: str) -> RunTexts | None:
    """The engine's sentences of `run` in `language`. Lines are stored in Vietnamese; another
    language is written by scoring the same inputs again in it — only while the year's inputs
    are still exactly those of the run (their hash), so that the words can never describe other
    numbers than the ones shown; None otherwise (the page then shows the stored lines, marked
    as Vietnamese). A run never changes: its texts are cached under its id."""
    if language == "vi":
        return None
    from django.core.cache import cache

    key = f"run-texts:{run.pk}:{language}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    inputs = year_inputs(emulation_year=run.emulation_year)
    if inputs is None or inputs.scheme_id != run.scheme_id or inputs.digest() != run.input_hash:
        return None
    result = inputs.run(language=language)
    texts = RunTexts(
        lines={
            (inputs.unit_ids[unit], criterion): line.explanation
            for (unit, criterion), line in result.lines.items()
            if unit in inputs.unit_ids
        },
        warnings=[
            {"unit": w.unit, "criterion": w.criterion, "code": w.code, "message": w.message}
            for w in result.warnings
        ],
    )
    cache.set(key, texts, 24 * 3600)
    return texts


def scores_in_language(scores, *, run: ScoringRun | None, language: str) -> bool:
    """Rewrite the `explanation` of these Score rows (not saved) in `language`; False when the
    stored Vietnamese lines have to stay (see `run_texts`)."""
    if run is None or language == "vi":
        return True
    texts = run_texts(run=run, language=language)
    if texts is None:
        return False
    for score in scores:
        score.explanation = texts.lines.get(
            (score.unit_id, score.criterion_code), score.explanation
        )
    return True
