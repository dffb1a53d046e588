"""Recompute many emulation years at once, shared by every Celery worker: the years are queued in
chunks on the bulk queue and this command shows their progress until the last one is done."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from clusters.models import EmulationYear
from scoring.models import RecomputeBatch
from scoring.ranking.services.fan_out import recompute_fan_out
from scoring.ranking.services.recompute import CHUNK

BAR = 30


def progress_line(batch: RecomputeBatch, seconds: float) -> str:
    share = batch.years_done / batch.years_total if batch.years_total else 1.0
    filled = round(share * BAR)
    return (
        f"[{'#' * filled}{'.' * (BAR - filled)}] {batch.years_done:,}/{batch.years_total:,} "
        f"years ({share:.0%}), {batch.years_left:,} left, {seconds:.0f} s"
    )


class Command(BaseCommand):
    help = (
        "Recompute many years (every cluster, a supervising unit's, or some clusters'): queued "
        "in chunks on the bulk queue, shared by the workers; shows the progress until done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cluster", action="append", default=[], help="A cluster's code.")
        parser.add_argument(
            "--supervising", help="A supervising unit's code: every cluster it supervises."
        )
        parser.add_argument("--year", type=int, help="Only this calendar year.")
        parser.add_argument(
            "--all", action="store_true", help="Every cluster (the years not yet published)."
        )
        parser.add_argument("--force", action="store_true", help="Even if nothing changed.")
        parser.add_argument("--chunk", type=int, default=CHUNK, help="Years a task.")
        parser.add_argument("--reason", default="", help="Why (kept in the audit log).")
        parser.add_argument("--no-wait", action="store_true", help="Queue and return.")
        parser.add_argument("--timeout", type=float, default=3600, help="Seconds to wait.")

    def handle(self, *args, **options):
        if not (options["all"] or options["cluster"] or options["supervising"]):
            raise CommandError("Say which years: --all, --cluster CODE or --supervising CODE.")
        if not 1 <= options["chunk"] <= 1000:
            raise CommandError("--chunk must be between 1 and 1000.")
        years = EmulationYear.objects.exclude(status=EmulationYear.Status.PUBLISHED)
        if options["cluster"]:
            years = years.filter(cluster__code__in=options["cluster"])
        if options["supervising"]:
            years = years.filter(cluster__supervising_unit__code=options["supervising"])
        if options["year"]:
            years = years.filter(year=options["year"])
        ids = list(years.order_by("pk").values_list("pk", flat=True))
        started = time.monotonic()
        batch = recompute_fan_out(
            emulation_year_ids=ids,
            force=options["force"],
            chunk=options["chunk"],
            reason=options["reason"] or "manage.py recompute_all",
        )
        self.stdout.write(
            f"Batch {batch.pk}: {batch.years_total:,} years in {batch.chunks_total:,} chunks "
            "queued on the bulk queue."
        )
        if options["no_wait"]:
            return
        self._follow(batch, started, options["timeout"])

    def _follow(self, batch: RecomputeBatch, started: float, timeout: float) -> None:
        live = sys.stdout.isatty()
        shown = -1
        while True:
            batch.refresh_from_db()
            seconds = time.monotonic() - started
            step = batch.years_done * 10 // max(batch.years_total, 1)
            if live:
                self.stdout.write("\r" + progress_line(batch, seconds), ending="")
            elif step != shown:
                self.stdout.write(progress_line(batch, seconds))
                shown = step
            if batch.finished_at is not None:
                break
            if seconds > timeout:
                raise CommandError(
                    f"Batch {batch.pk} not finished after {timeout:.0f} s: "
                    f"{batch.years_left:,} years left (the workers go on)."
                )
            time.sleep(0.5)
        if live:
            self.stdout.write("")
        self.stdout.write(
            f"Done: {batch.years_done:,} years, {batch.years_written:,} with new results, "
            f"in {time.monotonic() - started:.1f} s."
        )
