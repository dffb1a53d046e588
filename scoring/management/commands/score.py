from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scoring import engine
from scoring.engine.input_files import LOCAL_LIMITS
from scoring.management.base import BAD_INPUT
from scoring.management.commands.export_ranking import check_dialect, write_result


class Command(BaseCommand):
    help = (
        "Score a scheme against figures from files, without the database: a what-if tool. "
        "Its JSON is the same as export_ranking's for the same inputs."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--scheme", required=True)
        parser.add_argument("--figures", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--targets")
        parser.add_argument("--units")
        parser.add_argument("--manual")
        parser.add_argument(
            "--members",
            help="Comma-separated unit codes (default: every unit with figures that year).",
        )
        parser.add_argument("--format", choices=["json", "table", "csv", "xlsx"], default="table")
        parser.add_argument("--out")
        parser.add_argument("--language", choices=["vi", "en"], default="vi")
        parser.add_argument(
            "--dialect",
            choices=engine.CSV_DIALECTS,
            help="For --format csv: rfc4180 (the default) or excel-vn (docs/export-format.md).",
        )

    def handle(self, *args, **options):
        check_dialect(options)
        try:
            path = Path(options["scheme"])
            try:
                text = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}", returncode=BAD_INPUT) from None
            scheme, warnings = engine.parse_scheme(text, filename=path.name)
            figures = engine.read_figures(options["figures"], limits=LOCAL_LIMITS)
            targets = engine.read_targets(options["targets"]) if options["targets"] else {}
            successions = engine.read_units(options["units"]) if options["units"] else []
            manual = engine.read_manual(options["manual"]) if options["manual"] else {}
        except (engine.SchemeError, engine.InputFileError) as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        year = options["year"]
        if options["members"]:
            members = sorted({m.strip() for m in options["members"].split(",") if m.strip()})
        else:
            members = sorted({u for (u, y, _e) in figures if y == year})
        if not members:
            raise CommandError(
                f"{options['figures']}: no figures for year {year}", returncode=BAD_INPUT
            )
        for warning in warnings:
            self.stderr.write(f"warning: {warning}")
        result = engine.score(
            scheme,
            year=year,
            members=members,
            figures=figures,
            targets=targets,
            manual=manual,
            successions=successions,
            language=options["language"],
        )
        out = options.get("out")
        # No names without the database: the documents show the units' codes.
        info = engine.ExportInfo(scheme=scheme, generated=timezone.localtime())
        dialect = options["dialect"] or "rfc4180"
        if out:
            # Write next to the target and rename: a failed write leaves no half file behind.
            directory = os.path.dirname(os.path.abspath(out))
            fd, temp = tempfile.mkstemp(dir=directory, suffix=Path(out).suffix)
            os.close(fd)
            try:
                write_result(result, options["format"], temp, dialect=dialect, info=info)
                os.replace(temp, out)
            finally:
                if os.path.exists(temp):
                    os.unlink(temp)
        else:
            write_result(result, options["format"], None, dialect=dialect, info=info)
