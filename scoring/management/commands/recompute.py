from __future__ import annotations

from django.core.management.base import BaseCommand

from scoring.management.base import add_year_arguments, get_year
from scoring.ranking.selectors import year_standings
from scoring.ranking.services.recompute import year_recompute


class Command(BaseCommand):
    help = "Recompute an emulation year's scores and ranks now, in this process."

    def add_arguments(self, parser):
        add_year_arguments(parser)
        parser.add_argument(
            "--force", action="store_true", help="Recompute even if nothing changed."
        )

    def handle(self, *args, **options):
        year = get_year(options)
        outcome = year_recompute(emulation_year_id=year.pk, force=options["force"])
        self.stdout.write(f"{year}: {outcome.status} in {outcome.seconds * 1000:.1f} ms")
        for s in year_standings(emulation_year=year):
            self.stdout.write(f"{s.rank:>3}. {s.unit.code:<20} {s.total:8.2f}  {s.band or '—'}")
