from __future__ import annotations

import json
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from scoring.dev import bench


class Command(BaseCommand):
    help = (
        "Benchmark the scoring: (a) the pure core on 500 members × 40 criteria; (b) a full "
        "recompute of N emulation years × 25 members × 40 criteria in the configured database, "
        "with its peak memory; (c) PostgreSQL's own COPY of the same rows; (d) one 7-member year "
        "after one report, in the task. Synthetic data under cluster codes bench-…, removed after."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=2000)
        parser.add_argument("--members", type=int, default=25)
        parser.add_argument("--criteria", type=int, default=40)
        parser.add_argument(
            "--keep", action="store_true", help="Keep the synthetic data afterwards."
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Measure the synthetic data a --keep run left (its years recomputed, forced) "
            "instead of building it again.",
        )
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="Run (b) in this process (its peak memory then includes the build's).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            nargs="*",
            default=[1, 2],
            help="(b') also fan the recompute out to this many worker processes (each a run).",
        )
        parser.add_argument("--phase", choices=["all", "recompute"], default="all", help="internal")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["phase"] == "recompute":
            self.stdout.write(json.dumps(bench.recompute_all(force=options["reuse"])))
            return
        out = self.stdout.write
        figures: dict = {"database": connection.vendor}
        core = bench.core()
        figures["core_500x40_s"] = core["seconds"]
        out(
            f"(a) pure core, 500 members × 40 criteria: {core['seconds'] * 1000:.1f} ms (best of 5; target < 200 ms)"
        )

        if not options["reuse"]:
            bench.cleanup()
        try:
            # On a quiet database first: the large build below leaves PostgreSQL busy with
            # autovacuum and checkpoints for minutes.
            if options["reuse"]:
                out("    reusing the synthetic data of a --keep run; (d) not measured")
            else:
                small = bench.small_year_after_one_report()
                figures["small_year"] = small
                out(
                    f"(d) one 7-member year after one report, in the task: median {small['median_ms']:.1f} ms, "
                    f"max {small['max_ms']:.1f} ms (target < 50 ms)"
                )
                built = bench.build(
                    clusters=options["years"],
                    members=options["members"],
                    criteria=options["criteria"],
                )
                out(
                    f"    built {built.years} years × {built.members} members × {built.criteria} criteria "
                    f"({built.values:,} figures) in {built.seconds:.1f} s"
                )
            started = time.perf_counter()
            force = options["reuse"]
            full = (
                bench.recompute_all(force=force)
                if options["in_process"]
                else bench.recompute_in_child(force=force)
            )
            figures["recompute"] = full
            out(
                f"(b) full recompute: {full['years']} years, {full['lines']:,} score lines in {full['seconds']:.1f} s "
                f"({full['seconds'] / max(full['years'], 1) * 1000:.1f} ms a year); peak memory {full['peak_rss_mb']:.0f} MB "
                f"(process, target < 500 MB); wall {time.perf_counter() - started:.1f} s"
            )
            fanned = []
            if settings.CELERY_TASK_ALWAYS_EAGER:
                out("(b') skipped: the fan-out over workers needs a broker (set CELERY_BROKER_URL)")
            else:
                for workers in options["workers"]:
                    run = bench.recompute_with_workers(
                        workers, log_path=str(settings.BASE_DIR / "var" / "bench-worker.log")
                    )
                    fanned.append(run)
                    out(
                        f"(b') fanned out to {workers} worker process(es): {run['years']} years "
                        f"in {run['seconds']:.1f} s; peak memory per worker "
                        f"{run['peak_rss_mb_per_worker']} MB (target < 500 MB)"
                    )
                figures["fan_out"] = fanned
            if connection.vendor == "postgresql":
                copy = bench.copy_baseline()
                figures["copy"] = copy
                ratio = full["seconds"] / copy["seconds"] if copy["seconds"] else float("inf")
                figures["ratio"] = ratio
                out(
                    f"(c) PostgreSQL COPY of the same {copy['rows']:,} rows: {copy['seconds']:.1f} s → "
                    f"recompute / COPY = {ratio:.2f}× (target ≤ 3×)"
                )
                for run in fanned:
                    out(
                        f"    {run['workers']} worker(s) / COPY = "
                        f"{run['seconds'] / copy['seconds']:.2f}× (target with 2 workers ≤ 2×)"
                    )
            else:
                out("(c) skipped: COPY needs PostgreSQL (set DATABASE_URL)")
        finally:
            if not options["keep"]:
                bench.cleanup()
        out(json.dumps(figures))
