from __future__ import annotations

import sys
from collections.abc import Callable
from typing import IO

from django.core.management.base import BaseCommand, CommandError

from scoring import engine
from scoring.management.base import BAD_INPUT, add_year_arguments, get_year
from scoring.ranking.selectors import run_to_result, year_current_run


class Command(BaseCommand):
    help = "Export an emulation year's current ranking (JSON, CSV or XLSX)."

    def add_arguments(self, parser):
        add_year_arguments(parser)
        parser.add_argument("--format", choices=["json", "csv", "xlsx", "table"], default="json")
        parser.add_argument(
            "--out", help="Write to this file instead of standard output (required for xlsx)."
        )
        parser.add_argument(
            "--language",
            choices=["vi", "en"],
            default="vi",
            help="The language of the explanations, warnings and band explanations.",
        )

    def handle(self, *args, **options):
        year = get_year(options)
        run = year_current_run(emulation_year=year)
        if run is None:
            raise CommandError(
                f"{year}: no scores yet — run `recompute` first.", returncode=BAD_INPUT
            )
        result = run_to_result(run=run, language=options["language"])
        write_result(result, options["format"], options.get("out"))


def write_result(result: engine.Result, fmt: str, out: str | None) -> None:
    if fmt == "xlsx":
        if not out:
            raise CommandError("--format xlsx needs --out FILE", returncode=BAD_INPUT)
        engine.write_xlsx(result, out)
        return
    writers: dict[str, Callable[[engine.Result, IO[str]], None]] = {
        "json": engine.write_json,
        "csv": engine.write_csv,
        "table": engine.write_table,
    }
    writer = writers[fmt]
    if out:
        newline = "" if fmt == "csv" else None
        with open(out, "w", encoding="utf-8", newline=newline) as stream:
            writer(result, stream)
    else:
        writer(result, sys.stdout)
