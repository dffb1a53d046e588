"""`manage.py score` on a national file, as a whole process, next to a lean vectorised scorer of
the same files (the target: within 2× of it, peak memory under 1 GB); also the table and xlsx
outputs. Builds its files in a temporary folder (scoring/dev/cli_bench.py)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.dev import cli_bench


class Command(BaseCommand):
    help = "Times `score` on 5,000 members × 40 criteria against a lean numpy scorer."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=5000)
        parser.add_argument("--criteria", type=int, default=40)
        parser.add_argument("--runs", type=int, default=3, help="Best of this many runs.")
        parser.add_argument("--phase", choices=["all", "lean"], default="all", help="internal")
        parser.add_argument("--folder", help="internal")

    def handle(self, *args, **options):
        count = options["criteria"]
        if options["phase"] == "lean":
            folder = Path(options["folder"])
            cli_bench.lean_score(
                folder / "scheme.yaml", folder / "figures.csv", folder / "lean.json", count
            )
            return
        try:
            import numpy  # noqa: F401 — the yardstick needs it
        except ImportError:
            raise CommandError("bench_cli needs numpy (pip install numpy)") from None
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            scheme, figures = cli_bench.write_files(folder, members=options["members"], count=count)
            rows = sum(1 for _ in figures.open(encoding="utf-8")) - 1
            self.stdout.write(
                f"{options['members']:,} members × {count} criteria, {rows:,} figure rows"
            )
            base = ["score", "--scheme", str(scheme), "--figures", str(figures)]
            base += ["--year", str(cli_bench.YEAR)]
            runs = {
                "score --format json": cli_bench.manage(
                    *base, "--format", "json", "--out", str(folder / "engine.json")
                ),
                "lean numpy scorer": [
                    sys.executable,
                    *cli_bench.manage("bench_cli", "--phase", "lean", "--folder", name)[1:],
                    "--criteria",
                    str(count),
                ],
                "score --format table": cli_bench.manage(
                    *base, "--format", "table", "--out", str(folder / "engine.txt")
                ),
                "score --format xlsx": cli_bench.manage(
                    *base, "--format", "xlsx", "--out", str(folder / "engine.xlsx")
                ),
            }
            figures_out: dict[str, dict] = {}
            for label, command in runs.items():
                best, best_cpu, peak = float("inf"), float("inf"), 0.0
                for _ in range(options["runs"]):
                    seconds, cpu, peak = cli_bench.timed(command)
                    best, best_cpu = min(best, seconds), min(best_cpu, cpu)
                figures_out[label] = {
                    "seconds": round(best, 2),
                    "cpu_seconds": round(best_cpu, 2),
                    "peak_mb": round(peak),
                }
                self.stdout.write(
                    f"{label}: {best:.2f} s, CPU {best_cpu:.2f} s (best of {options['runs']})"
                )
            same = cli_bench.same_ranking(folder / "engine.json", folder / "lean.json")
            ratio = figures_out["score --format json"]["seconds"] / max(
                figures_out["lean numpy scorer"]["seconds"], 1e-9
            )
            cpu_ratio = figures_out["score --format json"]["cpu_seconds"] / max(
                figures_out["lean numpy scorer"]["cpu_seconds"], 1e-9
            )
            self.stdout.write(
                f"score / lean = {ratio:.2f}× wall, {cpu_ratio:.2f}× CPU (target ≤ 2×); "
                f"same ranking: {'yes' if same else 'NO'}; "
                f"peak memory of the largest process {max(f['peak_mb'] for f in figures_out.values())} MB "
                "(target < 1 GB)"
            )
            summary = {"ratio": round(ratio, 2), "cpu_ratio": round(cpu_ratio, 2), "same": same}
            self.stdout.write(json.dumps({**summary, **figures_out}))
            if not same:
                raise CommandError("the engine and the lean scorer disagree on the ranking")
