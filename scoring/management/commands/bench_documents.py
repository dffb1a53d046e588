"""Time the whole conference pack — the minutes, the report of results and every member's score
sheet, each as Word and PDF, stored — for a year of N members (30 unless told), as the
secretariat's "generate" does it (docs/performance.md). Everything is built and generated in one
transaction that is rolled back: the database is left as it was.

    .venv/bin/python manage.py bench_documents                  # 30 members, 3 rounds
    .venv/bin/python manage.py bench_documents --members 7 --rounds 1
    .venv/bin/python manage.py bench_documents --parts          # and each kind's CPU
"""

from __future__ import annotations

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from scoring.dev.documents_bench import build
from scoring.documents.render import docx_render, render_documents
from scoring.documents.selectors import default_template, document_contexts
from scoring.documents.services import PACK, documents_generate

TARGET_SECONDS = 3.0


class _Rollback(Exception):
    pass


def _subsetter() -> str:
    """Which library WeasyPrint subsets the PDFs' fonts with: HarfBuzz's (Debian's
    libharfbuzz-subset0), or fontTools without it: writing the pack's PDFs 1.0 → 5.8 s of CPU,
    the whole pack's about twice over (2026-11-28, docs/performance.md)."""
    from weasyprint.pdf import fonts

    if fonts.harfbuzz_subset and fonts.harfbuzz.hb_version_atleast(4, 1, 0):
        return "HarfBuzz"
    return "fontTools (the pack's CPU about twice over: install Debian's libharfbuzz-subset0)"


class Command(BaseCommand):
    help = "Time the conference pack (minutes, results, N score sheets) as Word and PDF."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=30)
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument(
            "--parts",
            action="store_true",
            help="also time each kind's documents in this process alone (CPU, Word and PDF)",
        )

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                year = self._run(options["members"], options["rounds"])
                if options["parts"]:
                    self._parts(year, options["rounds"])
                raise _Rollback
        except _Rollback:
            pass

    def _run(self, members: int, rounds: int):
        self.stdout.write(f"PDF fonts subset by {_subsetter()}")
        started = time.perf_counter()
        year = build(members)
        self.stdout.write(f"built a {members}-member year in {time.perf_counter() - started:.1f} s")
        totals, cpus = [], []
        for round_ in range(1, rounds + 1):
            wall, cpu = time.perf_counter(), time.process_time()
            count = len(documents_generate(emulation_year=year, kind="pack"))
            totals.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            self.stdout.write(
                f"round {round_}: {count} documents × (Word + PDF) in {totals[-1]:.2f} s "
                f"(CPU of this process {cpus[-1]:.2f} s; "
                f"{settings.DOCUMENT_RENDER_PROCESSES} rendering processes)"
            )
        best = min(totals)
        self.stdout.write(
            f"conference pack, {members} members: best {best:.2f} s, median "
            f"{statistics.median(totals):.2f} s "
            f"(target < {TARGET_SECONDS:.0f} s: {'met' if best < TARGET_SECONDS else 'NOT met'})"
        )
        return year

    def _parts(self, year, rounds: int) -> None:
        """Each kind of the pack rendered in this process alone, Word and PDF as the pack renders
        them, and its Word files alone: CPU seconds, the best of `rounds`."""
        parts = []
        for kind in PACK:
            jobs = [
                (p.kind, default_template(p.kind), p.context)
                for p in document_contexts(emulation_year=year, kind=kind)
            ]
            both, word = [], []
            for _round in range(rounds):
                cpu = time.process_time()
                with override_settings(DOCUMENT_RENDER_PROCESSES=1):
                    render_documents(jobs)
                both.append(time.process_time() - cpu)
                cpu = time.process_time()
                for _kind, template, context in jobs:
                    docx_render(template, context)
                word.append(time.process_time() - cpu)
            parts.append(f"{len(jobs)} {kind} {min(both):.2f} s (Word {min(word):.2f} s)")
        self.stdout.write("in this process alone, CPU, best of the rounds: " + "; ".join(parts))
