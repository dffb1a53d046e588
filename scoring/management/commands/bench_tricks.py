"""Measures the two speed tricks that stayed (#15 item 6) against what they replace, on the
demo (`load_demo` first; PostgreSQL is the production shape):

- a report's year, cluster, scheme version and unit read by the hand-written statement
  (`clusters.permissions._member_of_year`) or by the ORM's select_related;
- the report form's fields written by `FastInput` or through Django's widget templates.

The two ways run in turns, so that the machine's changing speed falls on both alike."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

import scoring.fields as fields
from clusters.models import EmulationYear, Membership, Unit
from clusters.permissions import _member_of_year
from scoring.dev.demo import CLUSTER_CODE, CURRENT_YEAR
from scoring.reporting.forms import ReportForm
from scoring.schemes.selectors import scheme_data_elements, scheme_in_force
from scoring.templatetags.scoring_extras import form_field


def _orm_member_of_year(pk: int, unit_id: int):
    membership = (
        Membership.objects.select_related("emulation_year__cluster", "unit")
        .filter(emulation_year_id=pk, unit_id=unit_id)
        .first()
    )
    return None if membership is None else (membership.emulation_year, membership.unit)


def _in_turns(ways: dict, rounds: int, calls: int) -> dict[str, float]:
    """Milliseconds a call of each way, `rounds` turns of `calls` calls each."""
    spent = dict.fromkeys(ways, 0.0)
    for way in ways.values():
        way()  # warm
    for _ in range(rounds):
        for name, way in ways.items():
            started = time.perf_counter()
            for _ in range(calls):
                way()
            spent[name] += time.perf_counter() - started
    return {name: total / (rounds * calls) * 1000 for name, total in spent.items()}


class Command(BaseCommand):
    help = "Times the kept speed tricks against what they replace (on the demo)."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=20)

    def handle(self, *args, **options):
        year = EmulationYear.objects.filter(cluster__code=CLUSTER_CODE, year=CURRENT_YEAR).first()
        scheme = scheme_in_force(year) if year is not None else None
        if year is None or scheme is None:
            raise CommandError("Load the demo first: manage.py load_demo")
        unit = Unit.objects.get(code="can-tho")
        rounds = options["rounds"]
        read = _in_turns(
            {
                "hand-written": lambda: _member_of_year(year.pk, unit.pk),
                "ORM": lambda: _orm_member_of_year(year.pk, unit.pk),
            },
            rounds,
            50,
        )
        elements = scheme_data_elements(scheme)
        fast = dict(fields.FAST_WIDGETS)

        def form(use_fast: bool):
            fields.FAST_WIDGETS.clear()
            if use_fast:
                fields.FAST_WIDGETS.update(fast)
            return "".join(str(form_field(bound)) for bound in ReportForm(elements=elements))

        try:
            written = _in_turns(
                {"FastInput": lambda: form(True), "widget templates": lambda: form(False)},
                rounds,
                10,
            )
        finally:
            fields.FAST_WIDGETS.update(fast)
        self.stdout.write("a report's year and unit: " + _line(read))
        self.stdout.write(f"the report form's {len(elements)} fields: " + _line(written))


def _line(figures: dict[str, float]) -> str:
    return ", ".join(f"{name} {ms:.2f} ms" for name, ms in figures.items())
