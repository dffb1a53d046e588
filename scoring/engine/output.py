"""Results as JSON, CSV, a text table and XLSX. The only place where numbers are rounded.

The CSV comes in two dialects (docs/export-format.md): "rfc4180" for programs — its columns are
a contract, their headings the same in either language — and "excel-vn" for a person opening it
in a Vietnamese Excel. The workbook (scoring/engine/workbook.py) reads as a document.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import orjson

from scoring.engine.classification import band_explanation_lines
from scoring.engine.numbers import round2, round_opt
from scoring.engine.types import BandExplanation, Result, Scheme

# Cells a spreadsheet would run as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_DIALECTS = ("rfc4180", "excel-vn")

HEADINGS_VI: Mapping[str, str] = {
    "rank": "Hạng",
    "unit": "Đơn vị",
    "unit_name": "Tên đơn vị",
    "total": "Tổng điểm",
    "regular": "Điểm tiêu chí",
    "bonus": "Điểm thưởng",
    "deduction": "Điểm trừ",
    "met_count": "Số chỉ tiêu đạt",
    "band": "Xếp loại",
    "band_explanation": "Giải thích xếp loại",
    "eligible": "Đủ điều kiện",
    "yes": "Có",
    "no": "Không",
    "criterion": "Tiêu chí",
    "criterion_code": "Mã tiêu chí",
    "actual": "Thực hiện",
    "target": "Chỉ tiêu",
    "ratio": "Tỷ lệ so với chỉ tiêu",
    "met": "Đạt",
    "points": "Điểm",
    "explanation": "Diễn giải",
    "code": "Mã",
    "message": "Nội dung",
    "sheet_ranking": "Xếp hạng",
    "sheet_lines": "Chi tiết",
    "sheet_warnings": "Cảnh báo",
}

HEADINGS_EN: Mapping[str, str] = {
    "rank": "Rank",
    "unit": "Unit",
    "unit_name": "Unit name",
    "total": "Total points",
    "regular": "Criterion points",
    "bonus": "Bonus points",
    "deduction": "Deduction points",
    "met_count": "Targets met",
    "band": "Band",
    "band_explanation": "Band explanation",
    "eligible": "Eligible",
    "yes": "Yes",
    "no": "No",
    "criterion": "Criterion",
    "criterion_code": "Criterion code",
    "actual": "Actual",
    "target": "Target",
    "ratio": "Ratio to target",
    "met": "Met",
    "points": "Points",
    "explanation": "Explanation",
    "code": "Code",
    "message": "Message",
    "sheet_ranking": "Ranking",
    "sheet_lines": "Details",
    "sheet_warnings": "Warnings",
}


def headings(language: str) -> Mapping[str, str]:
    return HEADINGS_EN if language == "en" else HEADINGS_VI


@dataclass(frozen=True, slots=True)
class ExportInfo:
    """What a document says around the numbers, given by its caller as plain values (the engine
    reads no database): the cluster's name, the year's status already in the reader's language,
    when the file was made, the members' names by code and the scheme scored (the criteria's
    names and groups, the bands' rules). Whatever is left empty is left out of the document."""

    cluster: str = ""
    status: str = ""
    generated: datetime.datetime | None = None
    unit_names: Mapping[str, str] = field(default_factory=dict)
    scheme: Scheme | None = None

    def unit_name(self, code: str) -> str:
        return self.unit_names.get(code) or code

    def criterion_names(self) -> dict[str, str]:
        return {c.code: c.name for c in self.scheme.criteria} if self.scheme else {}


def criterion_codes(result: Result) -> list[str]:
    # Scheme order: lines were inserted criterion by criterion.
    seen: dict[str, None] = {}
    for _unit, code in result.lines:
        seen.setdefault(code, None)
    return list(seen)


def band_explanation_to_dict(
    explanation: BandExplanation | None, language: str
) -> dict[str, Any] | None:
    """The band explanation as output: its checks (totals to 2 decimals, shares of points as
    fractions to 4, i.e. percentages to 2) and its sentences in `language`."""
    if explanation is None:
        return None
    data = explanation.to_dict()
    for check in data["checks"]:
        check["total"] = round2(check["total"])
        check["min_total"] = round2(check["min_total"])
        if check["share"] is not None:
            check["share"] = round(check["share"], 4)
    data["text"] = band_explanation_lines(explanation, language)
    return data


def band_explanation_text(explanation: BandExplanation | None, language: str) -> str:
    """The sentences on one line, for a spreadsheet cell."""
    return "; ".join(band_explanation_lines(explanation, language))


def result_to_dict(result: Result, *, language: str | None = None) -> dict[str, Any]:
    """`language` of the band explanations' sentences; the result's own by default."""
    language = language or result.language
    codes = criterion_codes(result)
    ranking = []
    for s in result.standings:
        criteria = {}
        for code in codes:
            line = result.lines.get((s.unit, code))
            if line is None:
                continue
            criteria[code] = {
                "actual": round_opt(line.actual),
                "target": round_opt(line.target),
                "ratio": round_opt(line.ratio),
                "met": line.met,
                "points": round2(line.points),
                "explanation": line.explanation,
            }
        ranking.append(
            {
                "unit": s.unit,
                "rank": s.rank,
                "total": round2(s.total),
                "regular": round2(s.regular),
                "bonus": round2(s.bonus),
                "deduction": round2(s.deduction),
                "met_count": s.met_count,
                "band": s.band,
                "eligible": s.eligible,
                "criteria": criteria,
                "band_explanation": band_explanation_to_dict(s.band_explanation, language),
            }
        )
    return {
        "year": result.year,
        "scheme": result.scheme_name,
        "warnings": [
            {"unit": w.unit, "criterion": w.criterion, "code": w.code, "message": w.message}
            for w in result.warnings
        ],
        "ranking": ranking,
    }


def json_bytes(data: Any) -> bytes:
    """JSON as `json.dumps(data, ensure_ascii=False, indent=2)` writes it (UTF-8, a final line
    end), by orjson's C encoder: the standard encoder is pure Python once `indent` is asked for,
    and was 40 % of a national what-if run (issue #18). NaN and infinities, never in a result,
    would be written as null."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def write_json(result: Result, stream: IO[str] | IO[bytes], *, language: str | None = None) -> None:
    """To a text stream, or — a national file's 30 MB, neither decoded nor encoded again — to a
    binary one."""
    data = json_bytes(result_to_dict(result, language=language))
    if isinstance(stream, io.TextIOBase):
        stream.write(data.decode("utf-8"))
    else:
        stream.write(data)  # type: ignore[arg-type]


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _rows(
    result: Result, *, explain_language: str | None = None
) -> tuple[list[str], list[list[Any]]]:
    """The ranking's rows with the machine CSV's first columns (their headings always in
    Vietnamese: a program reads them by name); with `explain_language`, a column explains each
    band."""
    h = HEADINGS_VI
    codes = criterion_codes(result)
    header = [h["rank"], h["unit"], h["total"], h["band"], h["eligible"], *codes]
    if explain_language:
        header.append(h["band_explanation"])
    rows = []
    for s in result.standings:
        row: list[Any] = [
            s.rank,
            s.unit,
            round2(s.total),
            s.band or "",
            h["yes"] if s.eligible else h["no"],
        ]
        for code in codes:
            line = result.lines.get((s.unit, code))
            row.append(round2(line.points) if line is not None else None)
        if explain_language:
            row.append(band_explanation_text(s.band_explanation, explain_language))
        rows.append(row)
    return header, rows


def _machine_rows(
    result: Result, language: str, info: ExportInfo
) -> tuple[list[str], list[list[Any]]]:
    """The rfc4180 dialect: the columns of the first version, then the columns added since, in
    the order they were added — never moved, so that a program reading by position keeps working
    (docs/export-format.md)."""
    header, rows = _rows(result, explain_language=language)
    h = HEADINGS_VI
    header += [h["unit_name"], h["regular"], h["bonus"], h["deduction"], h["met_count"]]
    for row, s in zip(rows, result.standings, strict=True):
        row += [
            info.unit_names.get(s.unit, ""),
            round2(s.regular),
            round2(s.bonus),
            round2(s.deduction),
            s.met_count,
        ]
    return header, rows


def reading_rows(
    result: Result, language: str, info: ExportInfo
) -> tuple[list[str], list[list[Any]]]:
    """The ranking as a person reads it: names, the parts of the total, the criteria named,
    headings in `language` (the excel-vn CSV)."""
    h = headings(language)
    codes = criterion_codes(result)
    names = info.criterion_names()
    header = [
        h["rank"],
        h["unit"],
        h["total"],
        h["regular"],
        h["bonus"],
        h["deduction"],
        h["met_count"],
        h["band"],
        h["eligible"],
        *(f"{code} {names[code]}" if names.get(code) else code for code in codes),
        h["band_explanation"],
    ]
    rows = []
    for s in result.standings:
        row: list[Any] = [
            s.rank,
            info.unit_name(s.unit),
            round2(s.total),
            round2(s.regular),
            round2(s.bonus),
            round2(s.deduction),
            s.met_count,
            s.band or "",
            h["yes"] if s.eligible else h["no"],
        ]
        for code in codes:
            line = result.lines.get((s.unit, code))
            row.append(round2(line.points) if line is not None else None)
        row.append(band_explanation_text(s.band_explanation, language))
        rows.append(row)
    return header, rows


def write_csv(
    result: Result,
    stream: IO[str],
    *,
    language: str | None = None,
    dialect: str = "rfc4180",
    info: ExportInfo | None = None,
) -> None:
    """The ranking as CSV in `dialect` (CSV_DIALECTS); open a file with newline="".

    rfc4180: ",", "." decimals, CRLF, UTF-8 without a BOM — for programs. excel-vn: a BOM (so that
    Excel reads UTF-8), ";" and "," decimals — what a Vietnamese-locale Excel expects."""
    if dialect not in CSV_DIALECTS:
        raise ValueError(f"unknown CSV dialect {dialect!r} (one of: {', '.join(CSV_DIALECTS)})")
    language = language or result.language
    info = info or ExportInfo()
    if dialect == "rfc4180":
        header, rows = _machine_rows(result, language, info)
        writer = csv.writer(stream, lineterminator="\r\n")
        number = _plain
    else:
        header, rows = reading_rows(result, language, info)
        stream.write("\ufeff")
        writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
        number = _decimal_comma
    writer.writerow([safe_text(c) for c in header])
    for row in rows:
        writer.writerow([safe_text(c) if isinstance(c, str) else number(c) for c in row])


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def _decimal_comma(value: Any) -> Any:
    value = _plain(value)
    if not isinstance(value, float):
        return value
    # Rounded to 2 decimals already, so never an exponent: 39.5 → "39,5". No grouping: "1234,5"
    # is a number to a Vietnamese Excel, which reads "6.1" as a date (6 January).
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def write_table(result: Result, stream: IO[str]) -> None:
    """A fixed-width table for a terminal."""
    header, rows = _rows(result)
    cells = [header] + [[_cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for index, row in enumerate(cells):
        parts = [
            c.rjust(w) if index and i not in (1, 3, 4) else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        stream.write("  ".join(parts).rstrip() + "\n")
        if index == 0:
            stream.write("  ".join("-" * w for w in widths) + "\n")
    for w in result.warnings:
        where = " ".join(x for x in (w.unit, w.criterion) if x)
        stream.write(f"! {w.code}{' [' + where + ']' if where else ''}: {w.message}\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def write_xlsx(
    result: Result,
    path_or_stream: str | os.PathLike[str] | IO[bytes],
    *,
    language: str | None = None,
    info: ExportInfo | None = None,
) -> None:
    """The ranking as a workbook that reads as a document (scoring/engine/workbook.py)."""
    # Imported here: the workbook module uses this one's headings (and openpyxl is only needed
    # for spreadsheets).
    from scoring.engine.workbook import write_workbook

    write_workbook(
        result, path_or_stream, language=language or result.language, info=info or ExportInfo()
    )
