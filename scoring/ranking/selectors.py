"""Reads of a year's results: the inputs the engine scores, the current run, standings, warnings and texts in the reader's language."""

from __future__ import annotations

import datetime
import hashlib
import logging
import marshal
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, FloatField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone, translation

from clusters.models import (
    Cluster,
    EmulationYear,
    FlagHandover,
    Membership,
    Unit,
    UnitSuccession,
    YearOffice,
)
from clusters.selectors import successions_all, unit_predecessor_codes
from scoring import engine
from scoring.models import (
    Criterion,
    ManualPoints,
    MemberTarget,
    Objection,
    PledgeSignature,
    Report,
    ReportComment,
    ReportValue,
    RunInputs,
    Scheme,
    Score,
    ScoringRun,
    Standing,
)
from scoring.schemes.selectors import (
    scheme_criteria,
    scheme_data_elements,
    scheme_ids_in_force,
    scheme_to_engine,
    schemes_to_engine,
)

logger = logging.getLogger(__name__)

# The first bytes of RunInputs.data: the format of what follows (YearInputs.pack).
PACKED = b"run-inputs/1:"


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

    def canonical(self) -> bytes:
        """Everything the engine reads, as bytes: equal inputs, equal bytes. marshal's version 2
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
        return marshal.dumps(canonical, 2)

    def digest(self, canonical: bytes | None = None) -> str:
        """A hash of everything the engine reads (of `canonical()`, or of the bytes given)."""
        return hashlib.sha256(self.canonical() if canonical is None else canonical).hexdigest()

    def pack(self, canonical: bytes | None = None) -> bytes:
        """What a run keeps of its inputs (RunInputs.data): the very bytes its input hash is
        taken from, compressed (zlib level 1: 0.6–1.5 ms and 23 KiB for a 25 × 40 year, whose
        bytes `canonical()` has already made for the hash). The scheme is the run's version."""
        return PACKED + zlib.compress(self.canonical() if canonical is None else canonical, 1)

    @classmethod
    def unpack(
        cls, data: bytes, *, run: ScoringRun, scheme: engine.Scheme, unit_ids: dict[str, int]
    ) -> YearInputs:
        """The inputs a run kept (see `pack`), to score them again; ValueError unless they are
        exactly those the run's input hash was taken from. The bytes are the app's own, written
        by the recompute into its database, and checked against the hash before they are read
        (marshal reads only what `canonical()` writes: tuples, lists, text and numbers)."""
        if not data.startswith(PACKED):
            raise ValueError("not packed run inputs")
        raw = zlib.decompress(data[len(PACKED) :])
        if hashlib.sha256(raw).hexdigest() != run.input_hash:
            raise ValueError("the kept inputs are not those of the run's input hash")
        # S302: not data from outside — the recompute wrote these bytes into the app's own
        # database (whoever can write that table can write every grant and score), and they
        # are those its input hash was taken from. JSON cost about three times as much a year.
        canonical = marshal.loads(raw)  # noqa: S302
        scheme_id, year, members, figures, targets, manual, successions = canonical
        return cls(
            emulation_year_id=run.emulation_year_id,
            input_version=run.input_version,
            scheme_id=scheme_id,
            scheme=scheme,
            year=year,
            members=members,
            figures=dict(figures),
            targets=dict(targets),
            manual={key: engine.ManualEntry(points=p, reason=r) for key, p, r in manual},
            successions=[
                engine.Succession(
                    predecessor=p, successor=s, effective_on=datetime.date.fromisoformat(d)
                )
                for p, s, d in successions
            ],
            unit_ids=unit_ids,
        )

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
    scheme_ids = scheme_ids_in_force([y.pk for y in emulation_years])
    years = [y for y in emulation_years if y.pk in scheme_ids]
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
    schemes = schemes_to_engine(set(scheme_ids.values()))
    return {
        y.pk: YearInputs(
            emulation_year_id=y.pk,
            input_version=y.input_version,
            scheme_id=scheme_ids[y.pk],
            scheme=schemes[scheme_ids[y.pk]],
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


def _with_predecessors(
    members: list[tuple[str, int]], links: list[tuple[str, str, Any]]
) -> set[str]:
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


def _year_figures(
    year: int, codes: set[str], by_unit_year: dict[tuple[str, int], list[tuple[str, float]]]
) -> dict:
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


def run_export_info(
    *, emulation_year: EmulationYear, run: ScoringRun, language: str
) -> engine.ExportInfo:
    """What the ranking's documents (the workbook, the excel-vn CSV) say around the numbers of
    `run`: the cluster's name, the year's status in `language`, the time they are made, the
    members' names and the scheme version the run scored (its criteria's names, its bands).
    `emulation_year` with its cluster."""
    with translation.override(language):
        status = str(EmulationYear.Status(emulation_year.status).label)
    return engine.ExportInfo(
        cluster=emulation_year.cluster.name,
        status=status,
        generated=timezone.localtime(),
        unit_names=dict(
            Standing.objects.filter(run=run).order_by().values_list("unit__code", "unit__name")
        ),
        scheme=scheme_to_engine(run.scheme),
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
    year, cluster = EmulationYear._meta.db_table, Cluster._meta.db_table
    run, report, scheme = ScoringRun._meta.db_table, Report._meta.db_table, Scheme._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT y.id, y.cluster_id, c.supervising_unit_id, y.status, y.reporting_deadline,
                   (SELECT s.id FROM {scheme} s WHERE s.emulation_year_id = y.id AND s.in_force),
                   y.input_version, y.scored_version, y.dirty_since,
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
    # The row holds the fields before report_states, in order (mypy cannot count its columns).
    return YearPageFacts(*row, report_states=states)  # type: ignore[misc]


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
    language is written by scoring the run's inputs again in it, from the inputs the run kept
    (`RunInputs`) — the very numbers shown, whatever the year's inputs are now. A run written
    before runs kept their inputs is scored from the year's current inputs while they are still
    exactly the run's (their hash; they are then kept for it), else None (the page shows the
    stored lines, marked as Vietnamese). A run never changes: its texts are cached under its id
    (docs/performance.md, "Explanations in the reader's language")."""
    if language == "vi":
        return None
    key = f"run-texts:{run.pk}:{language}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    inputs = run_inputs(run=run)
    if inputs is None:
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


def run_inputs(*, run: ScoringRun) -> YearInputs | None:
    """The inputs `run` was scored from: those it kept, or (a run written before runs kept them)
    the year's current inputs if they are still the run's — then kept for it, once, so that they
    outlive a later change. None when neither can be had."""
    kept = RunInputs.objects.filter(run_id=run.pk).values_list("data", flat=True).first()
    if kept is not None:
        scheme = schemes_to_engine({run.scheme_id})[run.scheme_id]
        members = dict(
            Standing.objects.filter(run_id=run.pk).order_by().values_list("unit__code", "unit_id")
        )
        try:
            return YearInputs.unpack(bytes(kept), run=run, scheme=scheme, unit_ids=members)
        except (ValueError, EOFError, TypeError, zlib.error) as error:
            logger.error("run %s: its kept inputs cannot be read: %s", run.pk, error)
            return None
    current = year_inputs(emulation_year=run.emulation_year)
    if current is None or current.scheme_id != run.scheme_id or current.digest() != run.input_hash:
        return None
    RunInputs.objects.bulk_create(
        [RunInputs(run_id=run.pk, data=current.pack())], ignore_conflicts=True
    )
    return current


def scores_in_language(scores: Iterable[Score], *, run: ScoringRun | None, language: str) -> bool:
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


# --- a year's page ---------------------------------------------------------------------------------


def year_reports(*, emulation_year: EmulationYear) -> dict[int, Report]:
    """The year's reports by unit id."""
    return {r.unit_id: r for r in Report.objects.filter(emulation_year=emulation_year)}


def year_member_units(*, emulation_year: EmulationYear) -> list[Unit]:
    """The year's member units, by name."""
    return [
        m.unit for m in emulation_year.memberships.select_related("unit").order_by("unit__name")
    ]


def year_offices(*, emulation_year: EmulationYear) -> QuerySet[YearOffice]:
    """The year's head, then its deputies (a lazy query: a page may not show them)."""
    return emulation_year.offices.select_related("unit").order_by("-role")


def reporter_tasks(
    *, emulation_year: EmulationYear, reporter_units: Iterable[int], reports: Mapping
) -> list[dict]:
    """A reporter's tasks this year for each member unit it reports for (pledge, report,
    comments, objections), in a fixed number of queries; none without a reporter role."""
    if not reporter_units:
        return []
    own = [
        m.unit
        for m in emulation_year.memberships.select_related("unit")
        if m.unit_id in reporter_units
    ]
    if not own:
        return []
    signed = set(
        PledgeSignature.objects.filter(
            pledge__emulation_year=emulation_year, unit__in=own
        ).values_list("unit_id", flat=True)
    )
    open_comments = Counter(
        ReportComment.objects.filter(
            report__emulation_year=emulation_year, report__unit__in=own, resolved=False
        ).values_list("report__unit_id", flat=True)
    )
    objections = _objection_statuses(emulation_year, own)
    return [
        {
            "unit": unit,
            "signed": unit.pk in signed,
            "report": reports.get(unit.pk),
            "open_comments": open_comments.get(unit.pk, 0),
            "objections_open": objections.get(unit.pk, []).count(Objection.Status.OPEN),
            "objections_answered": len(objections.get(unit.pk, []))
            - objections.get(unit.pk, []).count(Objection.Status.OPEN),
        }
        for unit in own
    ]


def _objection_statuses(emulation_year: EmulationYear, units: list[Unit]) -> dict[int, list[str]]:
    statuses: dict[int, list[str]] = {}
    for unit_id, status in Objection.objects.filter(
        emulation_year=emulation_year, unit__in=units
    ).values_list("unit_id", "status"):
        statuses.setdefault(unit_id, []).append(status)
    return statuses


@dataclass(frozen=True)
class HeatCells:
    """What a run's heat map shows: its criteria in order as (code, name), every score line by
    (unit id, criterion code), and the cells whose points the secretariat set by hand."""

    criteria: list[tuple[str, str]]
    cells: dict[tuple[int, str], Score]
    adjusted: set[tuple[int, str]]


def run_heat_cells(*, run: ScoringRun, language: str) -> HeatCells:
    """The heat map's cells of a run, explanations in `language` where they can be written, in
    three queries. Adjusted cells are adjustments of computed criteria: a manual criterion's
    points are always set by hand, so marking them would say nothing."""
    rows = list(
        Criterion.objects.filter(scheme_id=run.scheme_id)
        .order_by("position")
        .values_list("code", "name", "rule")
    )
    by_hand = {code for code, _name, rule in rows if rule == Criterion.Rule.MANUAL}
    cells = {(s.unit_id, s.criterion_code): s for s in Score.objects.filter(run=run)}
    scores_in_language(cells.values(), run=run, language=language)
    adjusted = {
        (unit_id, code)
        for unit_id, code in ManualPoints.objects.filter(
            emulation_year_id=run.emulation_year_id
        ).values_list("unit_id", "criterion_code")
        if code not in by_hand
    }
    return HeatCells([(code, name) for code, name, _rule in rows], cells, adjusted)


def year_before(*, emulation_year: EmulationYear) -> EmulationYear | None:
    """The cluster's year before this one, if it had one."""
    return EmulationYear.objects.filter(
        cluster_id=emulation_year.cluster_id, year=emulation_year.year - 1
    ).first()


def standing_changes(
    *, emulation_year: EmulationYear, previous: EmulationYear, standings: list[Standing]
) -> dict[int, dict]:
    """Change of rank and total against `previous`, for the units that competed then too; units
    that absorbed others during the year are marked (their totals are not comparable)."""
    before = {
        s.unit_id: s
        for s in Standing.objects.filter(run__emulation_year=previous, run__is_current=True)
    }
    merged = set(
        UnitSuccession.objects.filter(effective_on__year=emulation_year.year).values_list(
            "successor_id", flat=True
        )
    )
    return {
        s.unit_id: {
            "rank": before[s.unit_id].rank - s.rank,  # positive: moved up
            "total": s.total - before[s.unit_id].total,
            "merged": s.unit_id in merged,
        }
        for s in standings
        if s.unit_id in before
    }


# --- a member's score sheet ------------------------------------------------------------------------


def unit_sheet_rows(*, run: ScoringRun | None, unit: Unit, language: str) -> tuple[list, bool]:
    """A member's score sheet in a run: each criterion (in order, with its group) with the
    member's score line, and whether the lines are written in `language` (see `run_texts`)."""
    criteria = (
        list(
            Criterion.objects.filter(scheme=run.scheme).select_related("group").order_by("position")
        )
        if run
        else []
    )
    scores = {s.criterion_code: s for s in Score.objects.filter(run=run, unit=unit)} if run else {}
    in_language = scores_in_language(scores.values(), run=run, language=language)
    return [(c, scores.get(c.code)) for c in criteria], in_language


def unit_standing(*, run: ScoringRun, unit: Unit) -> Standing | None:
    return run.standings.filter(unit=unit).first()


def unit_trend(*, unit: Unit, years: list[EmulationYear]) -> list[tuple]:
    """The unit's rank and total in these years, and those of the units that merged into it
    (before their merger), as (year, unit, rank, total, is a predecessor)."""
    lineage = {unit.code} | unit_predecessor_codes(unit_code=unit.code, links=successions_all())
    rows = (
        Standing.objects.filter(
            run__emulation_year__in=years, run__is_current=True, unit__code__in=lineage
        )
        .select_related("unit", "run__emulation_year")
        .order_by("run__emulation_year__year", "unit__code")
    )
    return [
        (s.run.emulation_year.year, s.unit, s.rank, s.total, s.unit_id != unit.pk) for s in rows
    ]


# --- the conference pack ---------------------------------------------------------------------------


def run_sheets(*, run: ScoringRun | None, language: str) -> tuple[list[Standing], list[tuple]]:
    """A run's ranking, and every member's score sheet (each criterion in order, with its group,
    and the member's score line), in three queries."""
    if run is None:
        return [], []
    standings = list(
        Standing.objects.filter(run=run).select_related("unit").order_by("rank", "unit__code")
    )
    criteria = list(
        Criterion.objects.filter(scheme_id=run.scheme_id)
        .select_related("group")
        .order_by("position")
    )
    scores = {(s.unit_id, s.criterion_code): s for s in Score.objects.filter(run=run)}
    scores_in_language(scores.values(), run=run, language=language)
    sheets = [(s, [(c, scores.get((s.unit_id, c.code))) for c in criteria]) for s in standings]
    return standings, sheets


def pledge_signatures(*, emulation_year: EmulationYear) -> QuerySet[PledgeSignature]:
    """Who signed the year's pledge, by unit name (a lazy query)."""
    return (
        PledgeSignature.objects.filter(pledge__emulation_year=emulation_year)
        .select_related("unit")
        .order_by("unit__name")
    )


# --- a cluster's pages -----------------------------------------------------------------------------


def cluster_years(*, years: QuerySet[EmulationYear]) -> list[EmulationYear]:
    """These years of a cluster, newest first, with their offices and members, and
    whether each has a submitted report (`has_data`)."""
    return list(
        years.annotate(has_data=year_has_scored_reports())
        .prefetch_related(
            Prefetch(
                "offices", queryset=YearOffice.objects.select_related("unit").order_by("role")
            ),
            "memberships__unit",
        )
        .order_by("-year")
    )


def cluster_handovers(*, cluster: Cluster) -> QuerySet[FlagHandover]:
    return FlagHandover.objects.filter(cluster=cluster).select_related(
        "from_unit", "to_unit", "emulation_year"
    )


def years_with_data(*, years: QuerySet[EmulationYear]) -> QuerySet[EmulationYear]:
    """These years, oldest first, but those nobody has reported in yet (whose members all tie at
    0)."""
    return years.select_related("cluster").filter(year_has_scored_reports()).order_by("year")


def years_compared(*, years: list[EmulationYear]) -> tuple[list[EmulationYear], list[tuple]]:
    """Each unit's standing in each of these years, as (unit, [standing or None per year]), in
    the order of the latest year's ranking; the years without results (a baseline year with
    figures only, which would be an empty column) are left out."""
    standings = list(
        Standing.objects.filter(run__emulation_year__in=years, run__is_current=True)
        .select_related("unit", "run")
        .order_by("unit__name")
    )
    scored = {s.run.emulation_year_id for s in standings}
    years = [y for y in years if y.pk in scored]
    table: dict[int, dict] = {}
    for s in standings:
        row = table.setdefault(s.unit_id, {"unit": s.unit, "cells": {}})
        row["cells"][s.run.emulation_year_id] = s
    latest = {
        s.unit_id: s.rank for s in standings if years and s.run.emulation_year_id == years[-1].pk
    }
    rows = sorted(table.values(), key=lambda r: (latest.get(r["unit"].pk, 10**6), r["unit"].name))
    return years, [(r["unit"], [r["cells"].get(y.pk) for y in years]) for r in rows]


# --- the overview ----------------------------------------------------------------------------------


class OverviewRow(NamedTuple):
    """A year as the overview's key and its choice of year need it, without loading the year."""

    year: int
    pk: int
    input_version: int
    scored_version: int
    status: str
    cluster_id: int
    supervising_unit_id: int
    has_data: bool


def overview_rows(*, years: QuerySet[EmulationYear]) -> list[OverviewRow]:
    """These years as light rows, by cluster name, in one query."""
    return [
        OverviewRow(*row)
        for row in years.annotate(has_data=year_has_scored_reports())
        .order_by("cluster__name")
        .values_list(
            "year",
            "pk",
            "input_version",
            "scored_version",
            "status",
            "cluster_id",
            "cluster__supervising_unit_id",
            "has_data",
        )
    ]


def years_by_pk(*, pks: list[int]) -> list[EmulationYear]:
    """These years with their cluster and its supervising unit, in the order given."""
    found = EmulationYear.objects.select_related("cluster__supervising_unit").in_bulk(pks)
    return [found[pk] for pk in pks]


def current_runs(*, year_ids: list[int]) -> dict[int, int]:
    """The years' current runs, run id → year id (one current run per year: a partial unique
    index). Results are then read by run — an index lookup however many runs the years' history
    holds and however stale the planner's statistics are: through a join on the runs, PostgreSQL
    read every first place of every run (docs/performance.md)."""
    return dict(
        ScoringRun.objects.filter(emulation_year_id__in=year_ids, is_current=True).values_list(
            "pk", "emulation_year_id"
        )
    )


def first_places(*, runs: dict[int, int]) -> dict[int, Standing]:
    """Each year's first place in its current run (`runs`: run id → year id); on a tie, the first
    by name — the same unit in the overview's cards and in its next-level list."""
    return {
        runs[s.run_id]: s
        for s in Standing.objects.filter(run_id__in=list(runs), rank=1)
        .select_related("unit")
        .order_by("-unit__name")  # the last one written wins: the first by name
    }


def overview_cards(*, years: list[EmulationYear]) -> list[dict]:
    """Each year's card: members, reports submitted and verified, its leader, how many members
    met each criterion and the criteria no one met. Without a submitted report the year has no
    leader, no "met" to count and no alarm: its members all tie at 0. Five queries."""
    ids = [y.pk for y in years]
    members = dict(
        EmulationYear.objects.filter(pk__in=ids)
        .annotate(n=Count("memberships"))
        .values_list("pk", "n")
    )
    progress = _report_progress(ids)
    runs = current_runs(year_ids=ids)
    leaders = first_places(runs=runs)
    met = _criteria_met(runs)
    cards = []
    for y in years:
        submitted = progress.get(y.pk, {}).get("submitted", 0)
        criteria = met.get(y.pk, []) if submitted else []
        cards.append(
            {
                "year": y,
                "members": members.get(y.pk, 0),
                "submitted": submitted,
                "verified": progress.get(y.pk, {}).get("verified", 0),
                "has_data": submitted > 0,
                "leader": leaders.get(y.pk) if submitted else None,
                "criteria": criteria,
                "never_met": [r["label"] for r in criteria if r["met"] == 0],
            }
        )
    return cards


def _report_progress(year_ids: list[int]) -> dict[int, dict]:
    """Per year, how many reports are submitted (or verified since) and how many verified."""
    return {
        row["emulation_year"]: row
        for row in Report.objects.filter(emulation_year__in=year_ids)
        .values("emulation_year")
        .annotate(
            submitted=Count("pk", filter=Q(status__in=Report.SCORED_STATUSES)),
            verified=Count("pk", filter=Q(status=Report.Status.VERIFIED)),
        )
    }


def _criteria_met(runs: dict[int, int]) -> dict[int, list[dict]]:
    """Per year (`runs`: run id → year id), each criterion of its current run with its label and
    how many members met it, in one query."""
    met: dict[int, list] = {}
    for row in (
        Score.objects.filter(run_id__in=list(runs))
        .values("run_id", "run__scheme_id", "criterion_code")
        .annotate(
            # The criterion's name in the same query (the run's scheme version, by its key).
            name=Subquery(
                Criterion.objects.filter(
                    scheme_id=OuterRef("run__scheme_id"), code=OuterRef("criterion_code")
                ).values("name")[:1]
            ),
            met=Count("pk", filter=Q(met=True)),
            total=Count("pk"),
        )
        .order_by("run_id", "criterion_code")
    ):
        row["label"] = " ".join(part for part in (row["criterion_code"], row["name"]) if part)
        met.setdefault(runs[row["run_id"]], []).append(row)
    return met
