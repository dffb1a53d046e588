from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring import engine
from scoring.engine import scheme_load
from scoring.errors import ScoringError
from scoring.management.base import BAD_INPUT, add_year_arguments, get_year
from scoring.schemes.services import scheme_import


class Command(BaseCommand):
    help = "Import a scheme file (YAML or JSON) into an emulation year as its next version."

    def add_arguments(self, parser):
        parser.add_argument("file")
        add_year_arguments(parser)
        parser.add_argument(
            "--reason", default="", help="Required when the year already has a scheme."
        )

    def handle(self, *args, **options):
        year = get_year(options)
        path = Path(options["file"])
        try:
            # The size first: a huge file is refused without being read into memory.
            if path.stat().st_size > scheme_load.MAX_BYTES:
                raise CommandError(
                    f"{path.name}: file larger than {scheme_load.MAX_BYTES:,} bytes",
                    returncode=BAD_INPUT,
                )
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}", returncode=BAD_INPUT) from None
        try:
            row, warnings = scheme_import(
                emulation_year=year, data=data, filename=path.name, reason=options["reason"]
            )
        except engine.SchemeError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        except ScoringError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        for warning in warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{year}: scheme “{row.name}” version {row.version} in force "
                f"({row.criteria.count()} criteria, {row.data_elements.count()} data elements)."
            )
        )
