"""Recompute emulation years: read the inputs, score them with the pure engine, and write each
year's results all at once — or not at all.

One path for one year (the task after a change) and for many (the sweep, a full recompute):
`years_recompute` takes a list and works in chunks, reading each chunk's inputs in a fixed number
of queries and writing its results in one transaction.

Guarantees (see docs/architecture.md):
- coalescing: a run reads the newest input version; queued duplicates find nothing to do;
- a run never overwrites the results of a newer input (checked under a row lock at commit);
- idempotence: identical inputs (same hash) do not write a second copy of the same results;
- no overlap: on PostgreSQL one advisory lock per year; a year another process holds is left
  for later (the task retries; the sweep comes back).
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from clusters.models import EmulationYear
from scoring import engine
from scoring.models import RunInputs, Score, ScoringRun, Standing
from scoring.ranking.selectors import YearInputs, years_inputs

logger = logging.getLogger(__name__)

# A year scored afresh: its inputs, their digest and the engine's result.
_Fresh = tuple[YearInputs, str, engine.Result]

ADVISORY_NAMESPACE = 0x7E1D  # first key of pg_advisory_lock(int, int): "this app's year locks"
CHUNK = 50


class RecomputeBusy(Exception):
    """Another process is recomputing the same year right now."""


@dataclass(frozen=True)
class RecomputeOutcome:
    emulation_year_id: int
    status: str  # "written", "unchanged", "clean", "published", "no_scheme", "stale", "busy"
    run_id: int | None = None
    seconds: float = 0.0


def year_recompute(*, emulation_year_id: int, force: bool = False) -> RecomputeOutcome:
    """Recompute one year now. Raises RecomputeBusy if another process holds it."""
    (outcome,) = years_recompute(emulation_year_ids=[emulation_year_id], force=force)
    if outcome.status == "busy":
        raise RecomputeBusy(emulation_year_id)
    return outcome


def years_recompute(
    *, emulation_year_ids: list[int], force: bool = False, chunk: int = CHUNK
) -> list[RecomputeOutcome]:
    outcomes: list[RecomputeOutcome] = []
    for start in range(0, len(emulation_year_ids), chunk):
        outcomes.extend(_recompute_chunk(emulation_year_ids[start : start + chunk], force=force))
    return outcomes


def _recompute_chunk(ids: list[int], *, force: bool) -> list[RecomputeOutcome]:
    started = time.perf_counter()
    with _year_locks(ids) as held:
        outcomes = {i: RecomputeOutcome(i, "busy") for i in ids if i not in held}
        years = list(EmulationYear.objects.filter(pk__in=held).order_by("pk"))
        todo = []
        for year in years:
            if year.is_published and year.scored_version > 0:
                # Published results are frozen; they change only after a recorded reopening.
                outcomes[year.pk] = RecomputeOutcome(year.pk, "published")
            elif not force and not year.is_dirty and year.scored_version > 0:
                outcomes[year.pk] = RecomputeOutcome(year.pk, "clean")
            else:
                todo.append(year)
        inputs = years_inputs(emulation_years=todo)
        for year in todo:
            if year.pk not in inputs:
                _mark_scored(year_id=year.pk, version=year.input_version)
                outcomes[year.pk] = RecomputeOutcome(year.pk, "no_scheme")
        current = {
            year_id: (digest, run_id, kept)
            for year_id, digest, run_id, kept in ScoringRun.objects.filter(
                emulation_year_id__in=list(inputs), is_current=True
            )
            .annotate(kept=Exists(RunInputs.objects.filter(run_id=OuterRef("pk"))))
            .values_list("emulation_year_id", "input_hash", "pk", "kept")
        }
        results: list[tuple[YearInputs, str, engine.Result]] = []
        to_keep: list[RunInputs] = []
        canonical: dict[int, bytes] = {}
        for year_id, year_inputs in inputs.items():
            canonical[year_id] = raw = year_inputs.canonical()
            digest = year_inputs.digest(raw)
            same = current.get(year_id)
            if not force and same is not None and same[0] == digest:
                _mark_scored(year_id=year_id, version=year_inputs.input_version)
                outcomes[year_id] = RecomputeOutcome(year_id, "unchanged")
                if not same[2]:  # a run written before runs kept their inputs
                    to_keep.append(RunInputs(run_id=same[1], data=year_inputs.pack(raw)))
                continue
            results.append((year_inputs, digest, year_inputs.run()))
        if to_keep:
            RunInputs.objects.bulk_create(to_keep, ignore_conflicts=True)
        if results:
            written = _write_runs(results, canonical=canonical, started=started)
            for year_inputs, _digest, _result in results:
                run_id = written.get(year_inputs.emulation_year_id)
                status = "written" if run_id else "stale"
                outcomes[year_inputs.emulation_year_id] = RecomputeOutcome(
                    year_inputs.emulation_year_id, status, run_id
                )
    seconds = time.perf_counter() - started
    return [
        RecomputeOutcome(o.emulation_year_id, o.status, o.run_id, seconds)
        for o in (outcomes[i] for i in ids)
    ]


@contextmanager
def _year_locks(ids: list[int]) -> Iterator[set[int]]:
    """PostgreSQL advisory locks, one per year, held for the run (not a cache key, not
    inspect()). Yields the ids this process holds. Elsewhere (SQLite, the embedded default)
    tasks run in-process one at a time and every id is held."""
    if connection.vendor != "postgresql":
        yield set(ids)
        return
    held: set[int] = set()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM unnest(%s::bigint[]) AS id WHERE pg_try_advisory_lock(%s, id::int)",
                [ids, ADVISORY_NAMESPACE],
            )
            held = {row[0] for row in cursor.fetchall()}
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s, id::int) FROM unnest(%s::bigint[]) AS id",
                        [ADVISORY_NAMESPACE, sorted(held)],
                    )
            except DatabaseError:
                # A worker keeps its connection between tasks: one that cannot say unlock is
                # closed, which releases the locks, rather than kept holding them.
                connection.close()
                raise


def _mark_scored(*, year_id: int, version: int) -> None:
    """Record that `version` of the inputs is scored (a conditional UPDATE: never backwards)."""
    with transaction.atomic():
        EmulationYear.objects.filter(pk=year_id, scored_version__lt=version).update(
            scored_version=version
        )
        EmulationYear.objects.filter(pk=year_id, scored_version=F("input_version")).update(
            dirty_since=None
        )


def _write_runs(
    results: list[tuple[YearInputs, str, engine.Result]],
    *,
    canonical: dict[int, bytes] | None = None,
    started: float,
) -> dict[int, int]:
    """Write the runs of a chunk in one transaction, each with the inputs it was scored from
    (`canonical`: their bytes by year id, made for the hash already); return {year id: run id}
    of those written."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Results are derived data, and scored_version commits with them: a commit lost in a
            # crash leaves the year dirty, and the sweep computes it again. So this transaction
            # need not wait for its WAL flush (the database stays consistent either way).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        ids = [inputs.emulation_year_id for inputs, _d, _r in results]
        # The row locks order this commit against other runs' commits of the same years.
        years = {
            y.pk: y
            for y in EmulationYear.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        fresh: list[_Fresh] = []
        for inputs, digest, result in results:
            year = years[inputs.emulation_year_id]
            if year.scored_version > inputs.input_version:
                logger.info(
                    "run of year %s on input %s is stale (scored %s)",
                    year.pk,
                    inputs.input_version,
                    year.scored_version,
                )
                continue
            fresh.append((inputs, digest, result))
        if not fresh:
            return {}
        fresh_ids = [inputs.emulation_year_id for inputs, _d, _r in fresh]
        ScoringRun.objects.filter(emulation_year_id__in=fresh_ids, is_current=True).update(
            is_current=False, status=ScoringRun.Status.SUPERSEDED
        )
        now = timezone.now()
        runs = ScoringRun.objects.bulk_create(
            [
                ScoringRun(
                    emulation_year_id=inputs.emulation_year_id,
                    scheme_id=inputs.scheme_id,
                    input_version=inputs.input_version,
                    input_hash=digest,
                    status=ScoringRun.Status.DONE,
                    is_current=True,
                    warnings=[
                        {
                            "unit": w.unit,
                            "criterion": w.criterion,
                            "code": w.code,
                            "message": w.message,
                        }
                        for w in result.warnings
                    ],
                    finished_at=now,
                    duration_ms=int((time.perf_counter() - started) * 1000),
                )
                for inputs, digest, result in fresh
            ]
        )
        _write_lines(list(zip(runs, fresh, strict=True)))
        RunInputs.objects.bulk_create(
            [
                RunInputs(
                    run_id=run.pk,
                    data=inputs.pack((canonical or {}).get(inputs.emulation_year_id)),
                )
                for run, (inputs, _digest, _result) in zip(runs, fresh, strict=True)
            ]
        )
        for inputs, _digest, _result in fresh:
            year = years[inputs.emulation_year_id]
            year.scored_version = max(year.scored_version, inputs.input_version)
            if year.scored_version >= year.input_version:
                year.dirty_since = None
        EmulationYear.objects.bulk_update(
            [years[i] for i in fresh_ids], ["scored_version", "dirty_since"]
        )
    return {run.emulation_year_id: run.pk for run in runs}


def _write_lines(pairs: list[tuple[ScoringRun, _Fresh]]) -> None:
    if connection.vendor == "postgresql":
        _copy_lines(pairs)
    else:
        Score.objects.bulk_create(
            [
                Score(
                    run_id=run.pk,
                    unit_id=inputs.unit_ids[line.unit],
                    criterion_code=line.criterion,
                    actual=line.actual,
                    target=line.target,
                    ratio=line.ratio,
                    met=line.met,
                    points=line.points,
                    explanation=line.explanation,
                )
                for run, (inputs, _digest, result) in pairs
                for line in result.lines.values()
            ],
            batch_size=2000,
        )
    Standing.objects.bulk_create(
        [
            Standing(
                run_id=run.pk,
                unit_id=inputs.unit_ids[s.unit],
                total=s.total,
                regular=s.regular,
                bonus=s.bonus,
                deduction=s.deduction,
                met_count=s.met_count,
                rank=s.rank,
                band=s.band or "",
                eligible=s.eligible,
                group_points=dict(s.group_points),
                band_explanation=(
                    s.band_explanation.to_dict() if s.band_explanation is not None else None
                ),
            )
            for run, (inputs, _digest, result) in pairs
            for s in result.standings
        ],
        batch_size=2000,
    )


def _copy_text(value: str) -> str:
    """COPY's text format: backslash, tab, newline and carriage return escaped (rare: look first)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _copy_num(value: float | None) -> str:
    # The engine's numbers are floats already; repr round-trips them exactly.
    return "\\N" if value is None else repr(value)


def _copy_lines(pairs: list[tuple[ScoringRun, _Fresh]]) -> None:
    """COPY the score lines: the fastest way PostgreSQL takes rows, and still inside the runs'
    transaction, so they appear with the runs or not at all."""
    buffer = io.StringIO()
    write = buffer.write
    for run, (inputs, _digest, result) in pairs:
        run_id = str(run.pk)
        unit_ids = inputs.unit_ids
        for line in result.lines.values():
            write(
                f"{run_id}\t{unit_ids[line.unit]}\t{_copy_text(line.criterion)}\t{_copy_num(line.actual)}\t"
                f"{_copy_num(line.target)}\t{_copy_num(line.ratio)}\t{'t' if line.met else 'f'}\t"
                f"{_copy_num(line.points)}\t{_copy_text(line.explanation)}\n"
            )
    buffer.seek(0)
    table = Score._meta.db_table
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} (run_id, unit_id, criterion_code, actual, target, ratio, met, points, explanation) "
            "FROM STDIN",
            buffer,
        )
