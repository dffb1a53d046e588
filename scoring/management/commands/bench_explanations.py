"""What English explanations cost (#18 item 3, docs/performance.md): a run keeps the inputs it
was scored from, so that the engine writes its sentences again in the reader's language.

- (r) the recompute of `--years` years with what keeping their inputs adds to each (the zlib of
  the bytes the input hash is taken from, and the insert of the kept row);
- (t) a run's English texts, not cached: from its kept inputs, and the older way, from the year's
  current inputs once their hash is checked, in turns;
- (p) the English score sheet and ranking page in this process, the texts not cached (cold) and
  cached (warm).

Synthetic data under `bench-` clusters (`scoring.dev.bench`), removed afterwards."""

from __future__ import annotations

import statistics
import time
import zlib
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client
from django.urls import reverse

from clusters.models import EmulationYear, RoleGrant, Unit
from scoring.dev import bench
from scoring.models import RunInputs, ScoringRun
from scoring.ranking.selectors import run_inputs, year_inputs, years_inputs
from scoring.ranking.services.recompute import years_recompute


def _best(way, times: int) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        way()
        best = min(best, time.perf_counter() - started)
    return best * 1000


class Command(BaseCommand):
    help = "Times what keeping a run's inputs costs, and English texts from them (docs/performance.md)."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=50)
        parser.add_argument("--members", type=int, default=25)
        parser.add_argument("--criteria", type=int, default=40)
        parser.add_argument("--rounds", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        out = self.stdout.write
        bench.cleanup()
        user = None
        try:
            bench.build(
                clusters=options["years"], members=options["members"], criteria=options["criteria"]
            )
            years = list(
                EmulationYear.objects.filter(
                    cluster__code__startswith=bench.PREFIX, year=bench.YEAR
                ).order_by("pk")
            )
            ids = [y.pk for y in years]
            n = len(ids)
            per_year = _best(lambda: years_recompute(emulation_year_ids=ids, force=True), 3) / n
            inputs = list(years_inputs(emulation_years=years).values())
            raws = [i.canonical() for i in inputs]
            packing = _best(lambda: [zlib.compress(r, 1) for r in raws], 5) / n
            blobs = [i.pack(r) for i, r in zip(inputs, raws, strict=True)]
            runs = dict(
                ScoringRun.objects.filter(emulation_year_id__in=ids, is_current=True).values_list(
                    "emulation_year_id", "pk"
                )
            )
            rows = [
                RunInputs(run_id=runs[i.emulation_year_id], data=b)
                for i, b in zip(inputs, blobs, strict=True)
            ]
            inserting = _best(lambda: self._insert(rows), 5) / n
            kept = packing + inserting
            out(
                f"(r) recompute {per_year:.1f} ms a year ({options['members']} × "
                f"{options['criteria']}, best of 3); keeping its inputs adds {packing:.2f} ms zlib "
                f"+ {inserting:.2f} ms insert = {kept:.2f} ms ({kept / per_year * 100:.1f} %), "
                f"{statistics.median(map(len, blobs)) / 1024:.1f} KiB a run"
            )
            run = ScoringRun.objects.select_related("emulation_year").get(pk=runs[ids[0]])
            texts = self._texts(run, options["rounds"])
            out(
                f"(t) a run's English texts, not cached: {texts['kept']:.1f} ms from its kept "
                f"inputs, {texts['current']:.1f} ms from the year's current inputs (median of "
                f"{options['rounds']}, in turns)"
            )
            user, _ = get_user_model().objects.get_or_create(username="bench-explanations")
            RoleGrant.objects.get_or_create(
                user=user, role=RoleGrant.Role.SECRETARIAT, cluster_id=run.emulation_year.cluster_id
            )
            for name, cold, warm in self._pages(run, user, options["rounds"]):
                out(f"(p) {name} in English: {cold:.1f} ms cold, {warm:.1f} ms warm (median)")
        finally:
            if user is not None:
                user.delete()
            bench.cleanup()

    @staticmethod
    def _insert(rows: list[RunInputs]) -> None:
        with transaction.atomic():
            RunInputs.objects.filter(run_id__in=[r.run_id for r in rows]).delete()
            RunInputs.objects.bulk_create(rows)

    @staticmethod
    def _texts(run: ScoringRun, rounds: int) -> dict[str, float]:
        def from_kept() -> None:
            inputs = run_inputs(run=run)
            assert inputs is not None
            inputs.run(language="en")

        def from_current() -> None:
            inputs = year_inputs(emulation_year=run.emulation_year)
            assert inputs is not None and inputs.digest() == run.input_hash
            inputs.run(language="en")

        spent: dict[str, list[float]] = {"kept": [], "current": []}
        for turn in range(rounds):
            ways = [("kept", from_kept), ("current", from_current)]
            for name, way in ways if turn % 2 else ways[::-1]:
                spent[name].append(_best(way, 1))
        return {name: statistics.median(times) for name, times in spent.items()}

    @staticmethod
    def _pages(run: ScoringRun, user, rounds: int):
        client = Client()
        client.force_login(user)
        client.cookies["django_language"] = "en"
        unit = Unit.objects.filter(pk__in=run.standings.values("unit_id")).order_by("code").first()
        assert unit is not None
        year = run.emulation_year_id
        for name, address in (
            ("score sheet", reverse("year-unit-sheet", args=[year, unit.pk])),
            ("ranking page", reverse("year-detail", args=[year])),
        ):

            def get(address: str = address) -> None:
                response = client.get(address)
                assert response.status_code == 200 and b"points" in response.content

            get()
            cold, warm = [], []
            for _ in range(rounds):
                cache.clear()
                cold.append(_best(get, 1))
                warm.append(_best(get, 1))
            yield name, statistics.median(cold), statistics.median(warm)
