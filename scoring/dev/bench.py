"""Synthetic data and timings for `manage.py bench_scoring` (see docs/performance.md).

Builds clusters whose members report figures for two years, in the configured database, under
cluster codes starting with `bench-`, and removes them afterwards.
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from clusters.models import Cluster, EmulationYear, Membership, Unit
from scoring.engine.bench import bench_core, synthetic_block
from scoring.models import (
    Criterion,
    CriterionGroup,
    DataElement,
    Report,
    ReportValue,
    Scheme,
    Score,
    ScoringRun,
)
from scoring.ranking.services.fan_out import recompute_fan_out
from scoring.ranking.services.recompute import year_recompute, years_recompute
from scoring.tasks import recompute_year

PREFIX = "bench-"
PRIOR, YEAR = 2024, 2025


@dataclass
class BuildStats:
    years: int
    members: int
    criteria: int
    values: int
    seconds: float


def peak_rss_mb() -> float:
    """This process's own peak resident memory. VmHWM belongs to the address space, which exec
    makes new; ru_maxrss would still carry the parent's peak into a child started with
    subprocess (Linux keeps it across fork and exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cleanup() -> None:
    """Remove every bench- cluster with its years, reports, schemes and runs (raw SQL: millions
    of rows would take the ORM's collector minutes)."""
    year_ids = list(
        EmulationYear.objects.filter(cluster__code__startswith=PREFIX).values_list("pk", flat=True)
    )
    if year_ids:
        runs = "SELECT id FROM scoring_scoringrun WHERE emulation_year_id = ANY(%s)"
        reports = "SELECT id FROM scoring_report WHERE emulation_year_id = ANY(%s)"
        schemes = "SELECT id FROM scoring_scheme WHERE emulation_year_id = ANY(%s)"
        statements = [
            f"DELETE FROM scoring_score WHERE run_id IN ({runs})",
            f"DELETE FROM scoring_standing WHERE run_id IN ({runs})",
            f"DELETE FROM scoring_runinputs WHERE run_id IN ({runs})",
            "DELETE FROM scoring_scoringrun WHERE emulation_year_id = ANY(%s)",
            f"DELETE FROM scoring_reportvalue WHERE report_id IN ({reports})",
            "DELETE FROM scoring_report WHERE emulation_year_id = ANY(%s)",
            f"DELETE FROM scoring_criterion WHERE scheme_id IN ({schemes})",
            f"DELETE FROM scoring_criteriongroup WHERE scheme_id IN ({schemes})",
            f"DELETE FROM scoring_dataelement WHERE scheme_id IN ({schemes})",
            f"DELETE FROM scoring_band WHERE scheme_id IN ({schemes})",
            "DELETE FROM scoring_scheme WHERE emulation_year_id = ANY(%s)",
            "DELETE FROM clusters_membership WHERE emulation_year_id = ANY(%s)",
            "DELETE FROM clusters_emulationyear WHERE id = ANY(%s)",
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                if connection.vendor == "postgresql":
                    cursor.execute(statement, [year_ids])
                else:
                    # SQLite has no arrays: spell the (integer) ids out as IN lists.
                    marks = ",".join("%s" for _ in year_ids)
                    cursor.execute(statement.replace("= ANY(%s)", f"IN ({marks})"), year_ids)
    if year_ids and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Millions of dead rows would otherwise slow every later query on these tables.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) scoring_score, scoring_reportvalue, scoring_standing")
    Cluster.objects.filter(code__startswith=PREFIX).delete()
    Unit.objects.filter(code__startswith=PREFIX, kind=Unit.Kind.PROVINCIAL_ALLIANCE).delete()
    Unit.objects.filter(code__startswith=PREFIX).delete()


def build(*, clusters: int, members: int, criteria: int, tag: str = "") -> BuildStats:
    """`clusters` clusters with a scored year and the year before, `members` members each."""
    started = time.perf_counter()
    scheme, figures, _targets = synthetic_block(members, criteria, seed=7)
    elements = [e.code for e in scheme.data_elements]
    supervising, _ = Unit.objects.get_or_create(
        code=f"{PREFIX}sup",
        defaults={"name": "Bench supervising body", "kind": Unit.Kind.SUPERVISING_BODY},
    )
    cluster_rows = Cluster.objects.bulk_create(
        [
            Cluster(
                code=f"{PREFIX}{tag}c{c}",
                name=f"Bench cluster {tag}{c}",
                supervising_unit=supervising,
            )
            for c in range(clusters)
        ]
    )
    unit_rows = Unit.objects.bulk_create(
        [
            Unit(
                code=f"{PREFIX}{tag}c{c}-u{m}",
                name=f"Bench unit {c}/{m}",
                kind=Unit.Kind.PROVINCIAL_ALLIANCE,
            )
            for c in range(clusters)
            for m in range(members)
        ],
        batch_size=5000,
    )
    years = EmulationYear.objects.bulk_create(
        [EmulationYear(cluster=cl, year=y) for cl in cluster_rows for y in (PRIOR, YEAR)],
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        [
            Membership(emulation_year=years[2 * c + k], unit=unit_rows[c * members + m])
            for c in range(clusters)
            for k in (0, 1)
            for m in range(members)
        ],
        batch_size=10000,
    )
    reports = Report.objects.bulk_create(
        [
            Report(
                emulation_year=years[2 * c + k],
                unit=unit_rows[c * members + m],
                status=Report.Status.VERIFIED,
            )
            for c in range(clusters)
            for k in (0, 1)
            for m in range(members)
        ],
        batch_size=10000,
    )
    # The synthetic block names its units U0000…; every cluster reports the same figures.
    template: dict[tuple[int, int], list[tuple[str, float]]] = {}
    for (unit, year, element), value in figures.items():
        template.setdefault((int(unit[1:]), year), []).append((element, value))
    values = _write_values(reports, template, clusters=clusters, members=members)
    _bulk_schemes([years[2 * c + 1] for c in range(clusters)], scheme)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a real database
    assert len(elements) == 2 * criteria
    return BuildStats(clusters, members, criteria, values, time.perf_counter() - started)


def _bulk_schemes(years: list[EmulationYear], scheme) -> None:
    """The same scheme stored for every year, in bulk and without queueing recomputes: the
    bench runs the recompute itself and times it."""
    rows = Scheme.objects.bulk_create(
        [
            Scheme(
                emulation_year=y,
                version=1,
                in_force=True,
                name=scheme.name,
                scale=Decimal(str(scheme.scale)),
            )
            for y in years
        ],
        batch_size=5000,
    )
    DataElement.objects.bulk_create(
        [
            DataElement(
                scheme=row,
                position=i,
                code=e.code,
                name=e.name,
                type=e.type,
                min_value=0,
                max_element=e.max_element or "",
            )
            for row in rows
            for i, e in enumerate(scheme.data_elements)
        ],
        batch_size=10000,
    )
    groups = CriterionGroup.objects.bulk_create(
        [
            CriterionGroup(scheme=row, position=i, name=name)
            for row in rows
            for i, name in enumerate(scheme.groups)
        ],
        batch_size=10000,
    )
    by_key = {(g.scheme_id, g.name): g for g in groups}
    Criterion.objects.bulk_create(
        [
            Criterion(
                scheme=row,
                group=by_key[(row.pk, c.group)],
                position=i,
                code=c.code,
                name=c.name,
                measure=c.measure,
                target=None if c.target is None else Decimal(str(c.target)),
                unit=c.unit or "",
                direction=c.direction,
                points=Decimal(str(c.points)),
                kind=c.kind,
                rule=c.rule,
                params=dict(c.params),
                knockout=c.knockout,
            )
            for row in rows
            for i, c in enumerate(scheme.criteria)
        ],
        batch_size=10000,
    )
    EmulationYear.objects.filter(pk__in=[y.pk for y in years]).update(input_version=1)


def _write_values(reports, template, *, clusters: int, members: int) -> int:
    count = 0
    if connection.vendor == "postgresql":
        # In slices of 5,000 reports, so the build's own memory stays small too.
        for first in range(0, len(reports), 5000):
            buffer = io.StringIO()
            for index in range(first, min(first + 5000, len(reports))):
                report = reports[index]
                _c, rest = divmod(index, 2 * members)
                k, m = divmod(rest, members)
                for element, value in template.get((m, PRIOR if k == 0 else YEAR), []):
                    buffer.write(f"{report.pk}\t{element}\t{value}\t\\N\t\t\n")
                    count += 1
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(
                    "COPY scoring_reportvalue (report_id, element_code, value, verified_value, verify_note, note) FROM STDIN",
                    buffer,
                )
        return count
    rows = []
    for index, report in enumerate(reports):
        c, rest = divmod(index, 2 * members)
        k, m = divmod(rest, members)
        for element, value in template.get((m, PRIOR if k == 0 else YEAR), []):
            rows.append(ReportValue(report=report, element_code=element, value=Decimal(str(value))))
    ReportValue.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def recompute_all(*, force: bool = False) -> dict:
    """(b): recompute every bench year that has a scheme, as the sweep does: in chunks of years,
    each chunk's inputs read in a fixed number of queries and its results written in one
    transaction (`force`: also the years already scored, as a rerun on kept data needs)."""
    ids = list(
        EmulationYear.objects.filter(cluster__code__startswith=f"{PREFIX}c", year=YEAR)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    started = time.perf_counter()
    outcomes = []
    trace = []
    for start in range(0, len(ids), 500):
        outcomes += years_recompute(emulation_year_ids=ids[start : start + 500], force=force)
        trace.append(round(peak_rss_mb()))
    written = sum(o.status == "written" for o in outcomes)
    seconds = time.perf_counter() - started
    run_ids = list(
        ScoringRun.objects.filter(emulation_year_id__in=ids, is_current=True).values_list(
            "pk", flat=True
        )
    )
    lines = Score.objects.filter(run_id__in=run_ids).count()
    return {
        "years": len(ids),
        "written": written,
        "lines": lines,
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "peak_rss_mb_every_500_years": trace,
    }


def production_env() -> dict[str, str]:
    """The environment of a process measured as production runs it: DEBUG off (with DEBUG on,
    Django keeps the text of the last 9,000 statements, the kept inputs' bytes among them: the
    recompute's memory grew 48 MB every 500 years), on this connection's database."""
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECRET_KEY=settings.SECRET_KEY,  # this process's (a development key is made per process)
        DATABASE_URL=_database_url(),
    )
    return env


def recompute_in_child(*, force: bool = False) -> dict:
    """Run (b) in a fresh process so that its peak memory is the recompute's, not the build's."""
    done = subprocess.run(  # noqa: S603 — our own interpreter and manage.py
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "bench_scoring",
            "--phase",
            "recompute",
            *(["--reuse"] if force else []),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=production_env(),
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _peak_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as found:
            return [int(x) for x in found.read().split()]
    except OSError:
        return []


def recompute_with_workers(workers: int, *, log_path: str, timeout: float = 1800) -> dict:
    """(b) fanned out: `celery worker` with `workers` processes on the bulk queue, the bench
    years queued by recompute_fan_out (forced, so every year is written again), timed from the
    queueing to the batch's end; the peak memory of each worker process. Needs a real broker."""
    queue = settings.RECOMPUTE_BULK_QUEUE
    env = production_env()
    os.makedirs(os.path.dirname(log_path) or ".", exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as log:
        worker = subprocess.Popen(  # noqa: S603 — our own interpreter and celery
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "emulation",
                "worker",
                f"--queues={queue}",
                "--pool=prefork",
                f"--concurrency={workers}",
                "--loglevel=WARNING",
                f"--hostname=bench-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while len(_children(worker.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # the children connect to the broker
        ids = list(
            EmulationYear.objects.filter(cluster__code__startswith=f"{PREFIX}c", year=YEAR)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        started = time.perf_counter()
        batch = recompute_fan_out(emulation_year_ids=ids, force=True, reason="bench")
        peaks: dict[int, float] = {}
        while True:
            batch.refresh_from_db()
            for child in _children(worker.pid):
                peaks[child] = max(peaks.get(child, 0.0), _peak_mb(child))
            if batch.finished_at is not None or time.perf_counter() - started > timeout:
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        return {
            "workers": workers,
            "years": batch.years_done,
            "written": batch.years_written,
            "seconds": seconds,
            "peak_rss_mb_per_worker": round(max(peaks.values(), default=0.0)),
        }
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    return (
        f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def copy_baseline() -> dict:
    """(c): PostgreSQL's own time to COPY the same score lines into a table shaped like ours
    (indexes, checks and foreign keys), committed."""
    ids = "SELECT id FROM scoring_scoringrun WHERE is_current AND emulation_year_id IN (SELECT y.id FROM clusters_emulationyear y JOIN clusters_cluster c ON c.id = y.cluster_id WHERE c.code LIKE 'bench-c%%')"
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            "COPY (SELECT run_id, unit_id, criterion_code, actual, target, ratio, met, points, explanation "
            f"FROM scoring_score WHERE run_id IN ({ids.replace('%%', '%')})) TO STDOUT",
            buffer,
        )
        rows = buffer.getvalue().count("\n")
        buffer.seek(0)
        cursor.execute("DROP TABLE IF EXISTS bench_copy_score")
        # The same shape as scoring_score: its columns, indexes, checks and foreign keys.
        cursor.execute("CREATE TABLE bench_copy_score (LIKE scoring_score INCLUDING ALL)")
        cursor.execute(
            "ALTER TABLE bench_copy_score "
            "ADD FOREIGN KEY (run_id) REFERENCES scoring_scoringrun (id) DEFERRABLE INITIALLY DEFERRED, "
            "ADD FOREIGN KEY (unit_id) REFERENCES clusters_unit (id) DEFERRABLE INITIALLY DEFERRED"
        )
        started = time.perf_counter()
        with transaction.atomic():
            cursor.cursor.copy_expert(
                "COPY bench_copy_score (run_id, unit_id, criterion_code, actual, target, ratio, met, points, explanation) FROM STDIN",
                buffer,
            )
            # Check the deferred foreign keys now (a commit would), also when an outer
            # transaction (a test) keeps this one from committing.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy_score")
    return {"rows": rows, "seconds": seconds}


def small_year_after_one_report(*, repeats: int = 7) -> dict:
    """One 7-member year: the task's time to recompute after one member's figure changed."""

    build(clusters=1, members=7, criteria=40, tag="small-")
    year = EmulationYear.objects.get(cluster__code=f"{PREFIX}small-c0", year=YEAR)
    year_recompute(emulation_year_id=year.pk)
    value = ReportValue.objects.filter(report__emulation_year=year).order_by("pk").first()
    assert value is not None  # the block just built has figures
    timings = []
    rng = random.Random(3)
    for _ in range(repeats):
        with transaction.atomic():
            ReportValue.objects.filter(pk=value.pk).update(value=Decimal(rng.randint(1, 80)))
            year_mark_dirty_now(year.pk)
        started = time.perf_counter()
        result = recompute_year.apply(args=[year.pk]).get()
        timings.append(time.perf_counter() - started)
        assert result["status"] == "written", result
    return {"median_ms": statistics.median(timings) * 1000, "max_ms": max(timings) * 1000}


def year_mark_dirty_now(year_id: int) -> None:
    """Mark dirty without queueing: the bench runs the task itself and times it."""

    EmulationYear.objects.filter(pk=year_id).update(input_version=F("input_version") + 1)


def core() -> dict:
    return {"seconds": bench_core(500, 40)}


__all__ = [
    "build",
    "cleanup",
    "copy_baseline",
    "core",
    "recompute_all",
    "recompute_in_child",
    "small_year_after_one_report",
]
