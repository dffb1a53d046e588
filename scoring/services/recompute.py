"""Recompute one emulation year: read the inputs, score them with the pure engine, and write the
results of the run all at once — or not at all.

Guarantees (see docs/architecture.md):
- coalescing: a run reads the newest input version; queued duplicates find nothing to do;
- a run never overwrites the results of a newer input (checked under a row lock at commit);
- idempotence: identical inputs (same hash) do not write a second copy of the same results;
- no overlap: on PostgreSQL one advisory lock per year; a run that cannot take it retries later.
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from clusters.models import EmulationYear

from .. import engine
from ..models import Score, ScoringRun, Standing
from ..selectors import YearInputs, year_inputs

logger = logging.getLogger(__name__)

ADVISORY_NAMESPACE = 0x7E1D  # first key of pg_advisory_lock(int, int): "this app's year locks"


class RecomputeBusy(Exception):
    """Another process is recomputing the same year right now."""


@dataclass(frozen=True)
class RecomputeOutcome:
    status: str  # "written", "unchanged", "clean", "no_scheme", "stale"
    run_id: int | None = None
    seconds: float = 0.0


def year_recompute(*, emulation_year_id: int, force: bool = False) -> RecomputeOutcome:
    started = time.perf_counter()
    with _year_lock(emulation_year_id):
        year = EmulationYear.objects.select_related("scheme").get(pk=emulation_year_id)
        if not force and not year.is_dirty and year.scored_version > 0:
            return RecomputeOutcome("clean", seconds=time.perf_counter() - started)
        inputs = year_inputs(emulation_year=year)
        if inputs is None:
            _mark_scored(year_id=year.pk, version=year.input_version)
            return RecomputeOutcome("no_scheme", seconds=time.perf_counter() - started)
        digest = inputs.digest()
        current = ScoringRun.objects.filter(emulation_year_id=year.pk, is_current=True).first()
        if current is not None and current.input_hash == digest and not force:
            _mark_scored(year_id=year.pk, version=inputs.input_version)
            return RecomputeOutcome("unchanged", current.pk, time.perf_counter() - started)
        result = inputs.run()
        run_id = _write_run(inputs=inputs, digest=digest, result=result, started=started)
    seconds = time.perf_counter() - started
    if run_id is None:
        return RecomputeOutcome("stale", seconds=seconds)
    return RecomputeOutcome("written", run_id, seconds)


class _year_lock:
    """A PostgreSQL advisory lock per year, held for the run (not a cache key, not inspect()).
    Elsewhere (SQLite, the embedded default) tasks run in-process one at a time."""

    def __init__(self, year_id: int) -> None:
        self.year_id = year_id
        self.held = False

    def __enter__(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_NAMESPACE, self.year_id]
                )
                self.held = cursor.fetchone()[0]
            if not self.held:
                raise RecomputeBusy(self.year_id)
        return self

    def __exit__(self, *exc) -> None:
        if self.held:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_NAMESPACE, self.year_id]
                )


def _mark_scored(*, year_id: int, version: int) -> None:
    with transaction.atomic():
        year = EmulationYear.objects.select_for_update().get(pk=year_id)
        if version > year.scored_version:
            year.scored_version = version
            fields = ["scored_version"]
            if year.scored_version >= year.input_version:
                year.dirty_since = None
                fields.append("dirty_since")
            year.save(update_fields=fields)


def _write_run(
    *, inputs: YearInputs, digest: str, result: engine.Result, started: float
) -> int | None:
    warnings = [
        {"unit": w.unit, "criterion": w.criterion, "code": w.code, "message": w.message}
        for w in result.warnings
    ]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Results are derived data, and scored_version commits with them: a commit lost in a
            # crash leaves the year dirty, and the sweep computes it again. So this transaction
            # need not wait for its WAL flush (the database stays consistent either way).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        # The row lock orders this commit against other runs' commits of the same year.
        year = EmulationYear.objects.select_for_update().get(pk=inputs.emulation_year_id)
        if year.scored_version > inputs.input_version:
            logger.info(
                "run of year %s on input %s is stale (scored %s)",
                year.pk,
                inputs.input_version,
                year.scored_version,
            )
            return None
        ScoringRun.objects.filter(emulation_year=year, is_current=True).update(
            is_current=False, status=ScoringRun.Status.SUPERSEDED
        )
        run = ScoringRun.objects.create(
            emulation_year=year,
            scheme_id=inputs.scheme_id,
            input_version=inputs.input_version,
            input_hash=digest,
            status=ScoringRun.Status.DONE,
            is_current=False,
            warnings=warnings,
        )
        _write_lines(run_id=run.pk, inputs=inputs, result=result)
        run.is_current = True
        run.finished_at = timezone.now()
        run.duration_ms = int((time.perf_counter() - started) * 1000)
        run.save(update_fields=["is_current", "finished_at", "duration_ms"])
        year.scored_version = max(year.scored_version, inputs.input_version)
        fields = ["scored_version"]
        if year.scored_version >= year.input_version:
            year.dirty_since = None
            fields.append("dirty_since")
        year.save(update_fields=fields)
    return run.pk


def _write_lines(*, run_id: int, inputs: YearInputs, result: engine.Result) -> None:
    unit_ids = inputs.unit_ids
    if connection.vendor == "postgresql":
        _copy_lines(run_id=run_id, unit_ids=unit_ids, result=result)
    else:
        Score.objects.bulk_create(
            [
                Score(
                    run_id=run_id,
                    unit_id=unit_ids[line.unit],
                    criterion_code=line.criterion,
                    actual=line.actual,
                    target=line.target,
                    ratio=line.ratio,
                    met=line.met,
                    points=line.points,
                    explanation=line.explanation,
                )
                for line in result.lines.values()
            ],
            batch_size=2000,
        )
    Standing.objects.bulk_create(
        [
            Standing(
                run_id=run_id,
                unit_id=unit_ids[s.unit],
                total=s.total,
                regular=s.regular,
                bonus=s.bonus,
                deduction=s.deduction,
                met_count=s.met_count,
                rank=s.rank,
                band=s.band or "",
                eligible=s.eligible,
                group_points=dict(s.group_points),
            )
            for s in result.standings
        ]
    )


def _copy_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _copy_num(value: float | None) -> str:
    return "\\N" if value is None else repr(float(value))


def _copy_lines(*, run_id: int, unit_ids: dict[str, int], result: engine.Result) -> None:
    """COPY the score lines: the fastest way PostgreSQL takes rows, and still inside the run's
    transaction, so they appear with the run or not at all."""
    buffer = io.StringIO()
    write = buffer.write
    run = str(run_id)
    for line in result.lines.values():
        write(
            f"{run}\t{unit_ids[line.unit]}\t{_copy_text(line.criterion)}\t{_copy_num(line.actual)}\t"
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
