from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from scoring import engine
from scoring.errors import ScoringError
from scoring.management.base import BAD_INPUT, add_year_arguments, get_year
from scoring.reporting.services.figures import figures_import


class Command(BaseCommand):
    help = "Import members' figures (CSV or XLSX: unit,year,element,value) into a cluster's years."

    def add_arguments(self, parser):
        parser.add_argument("file")
        add_year_arguments(parser)

    def handle(self, *args, **options):
        year = get_year(options)
        try:
            figures = engine.read_figures(options["file"])
        except engine.InputFileError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        later = sorted({y for (_u, y, _e) in figures if y > year.year})
        if later:
            raise CommandError(
                f"{options['file']}: rows of a later year than {year.year} ({', '.join(map(str, later))})",
                returncode=BAD_INPUT,
            )
        try:
            written = figures_import(
                cluster_id=year.cluster_id, figures=figures, filename=options["file"]
            )
        except ScoringError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{sum(written.values())} figures written into {len(written)} year(s) of {year.cluster}."
            )
        )
