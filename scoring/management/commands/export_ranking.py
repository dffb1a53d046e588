from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from scoring import engine
from scoring.management.base import BAD_INPUT, add_year_arguments, get_year
from scoring.ranking.selectors import run_export_info, run_to_result, year_current_run


class Command(BaseCommand):
    help = (
        "Export an emulation year's current ranking (JSON, CSV or XLSX; the formats are in "
        "docs/export-format.md)."
    )

    def add_arguments(self, parser):
        add_year_arguments(parser)
        parser.add_argument("--format", choices=["json", "csv", "xlsx", "table"], default="json")
        add_output_arguments(parser)

    def handle(self, *args, **options):
        check_dialect(options)
        year = get_year(options)
        run = year_current_run(emulation_year=year)
        if run is None:
            raise CommandError(
                f"{year}: no scores yet — run `recompute` first.", returncode=BAD_INPUT
            )
        language = options["language"]
        write_result(
            run_to_result(run=run, language=language),
            options["format"],
            options.get("out"),
            dialect=options["dialect"] or "rfc4180",
            language=language,
            info=run_export_info(emulation_year=year, run=run, language=language),
        )


def add_output_arguments(parser) -> None:
    parser.add_argument(
        "--out", help="Write to this file instead of standard output (required for xlsx)."
    )
    parser.add_argument(
        "--dialect",
        choices=engine.CSV_DIALECTS,
        help=(
            "For --format csv: rfc4180 (the default: comma, '.' decimals, UTF-8 without BOM, "
            "CRLF; columns a stable contract) or excel-vn (UTF-8 with BOM, ';', ',' decimals, "
            "for a Vietnamese-locale Excel)."
        ),
    )
    parser.add_argument(
        "--language",
        choices=["vi", "en"],
        default="vi",
        help="Language of the explanations, and of the headings of xlsx and excel-vn CSV.",
    )


def check_dialect(options) -> None:
    if options["dialect"] and options["format"] != "csv":
        raise CommandError("--dialect applies to --format csv only", returncode=BAD_INPUT)


def write_result(
    result: engine.Result,
    fmt: str,
    out: str | None,
    *,
    dialect: str = "rfc4180",
    language: str | None = None,
    info: engine.ExportInfo | None = None,
) -> None:
    """`result` in `fmt` to the file `out` (or standard output); `info` names what the documents
    (xlsx, excel-vn CSV) show around the numbers."""
    if fmt == "xlsx":
        if not out:
            raise CommandError("--format xlsx needs --out FILE", returncode=BAD_INPUT)
        engine.write_xlsx(result, out, language=language, info=info)
        return
    if out and fmt == "json":
        with open(out, "wb") as binary:  # orjson's bytes as they are
            engine.write_json(result, binary, language=language)
    elif out:
        with open(out, "w", encoding="utf-8", newline="" if fmt == "csv" else None) as stream:
            _write_text(result, fmt, stream, dialect=dialect, language=language, info=info)
    else:
        _write_text(result, fmt, sys.stdout, dialect=dialect, language=language, info=info)


def _write_text(result, fmt, stream, *, dialect, language, info) -> None:
    if fmt == "csv":
        engine.write_csv(result, stream, language=language, dialect=dialect, info=info)
    elif fmt == "json":
        engine.write_json(result, stream, language=language)
    else:
        engine.write_table(result, stream)
