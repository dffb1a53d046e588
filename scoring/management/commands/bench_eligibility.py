"""Times the eligibility of every unit of a national deployment for one award kind (#17's target:
1,400 clusters, under 5 s), in memory: ten years of records and decisions a unit, read against
the rule set in force on the day of receipt."""

from __future__ import annotations

import datetime as dt
import random
import time

from django.core.management.base import BaseCommand

from scoring.awards.rule_sets import shipped_rule_sets
from scoring.engine.awards import AwardRecord, UnitHistory, YearRecord, judge_all, rule_set_for

BANDS = ("Xuất sắc", "Tốt", "Khá", "Trung bình")


def histories(clusters: int, members: int, seed: int = 1) -> list[UnitHistory]:
    rng = random.Random(seed)
    units = []
    for c in range(clusters):
        for m in range(members):
            years = {
                y: YearRecord(
                    y,
                    cluster=f"bench-{c}",
                    rank=m + 1,
                    band=rng.choice(BANDS),
                    bands=BANDS,
                    knockouts_met=rng.random() < 0.9,
                    leads_cluster=m == 0,
                    rating=rng.choice(("htxsnv", "httnv")),
                )
                for y in range(2016, 2026)
            }
            awards = tuple(
                AwardRecord("co-thi-dua-tinh", y, decision=f"{y}/QĐ")
                for y in range(2016, 2026)
                if rng.random() < 0.2
            )
            units.append(UnitHistory(f"bench-{c}-{m}", years=years, awards=awards))
    return units


class Command(BaseCommand):
    help = "Times every unit's eligibility for one award kind (in memory)."

    def add_arguments(self, parser):
        parser.add_argument("--clusters", type=int, default=1400)
        parser.add_argument("--members", type=int, default=7)
        parser.add_argument(
            "--award", action="append", help="Award kind codes (default: two of them)."
        )

    def handle(self, *args, **options):
        received = dt.date(2026, 1, 20)
        rules = rule_set_for(shipped_rule_sets(), received)
        units = histories(options["clusters"], options["members"])
        for award in options["award"] or ["co-thi-dua-chinh-phu", "bang-khen-tinh-tap-the"]:
            started = time.perf_counter()
            verdicts = judge_all(rules, award, units, 2025, received_on=received)
            spent = time.perf_counter() - started
            eligible = sum(v.eligible for v in verdicts)
            self.stdout.write(
                f"{award}: {len(verdicts):,} units, {eligible:,} eligible, {spent:.2f} s "
                f"({rules.code})"
            )
