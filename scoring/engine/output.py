"""Results as JSON, CSV, a text table and XLSX. The only place where numbers are rounded."""

from __future__ import annotations

import csv
import json
import os
from typing import IO, Any

from scoring.engine.classification import band_explanation_lines
from scoring.engine.numbers import round2, round_opt
from scoring.engine.types import BandExplanation, Result

# Cells a spreadsheet would run as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

HEADINGS_VI = {
    "rank": "Hạng",
    "unit": "Đơn vị",
    "total": "Tổng điểm",
    "band": "Xếp loại",
    "band_explanation": "Giải thích xếp loại",
    "eligible": "Đủ điều kiện",
    "yes": "Có",
    "no": "Không",
    "criterion": "Tiêu chí",
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


def _criterion_codes(result: Result) -> list[str]:
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
    codes = _criterion_codes(result)
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


def write_json(result: Result, stream: IO[str], *, language: str | None = None) -> None:
    json.dump(result_to_dict(result, language=language), stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _rows(
    result: Result, *, explain_language: str | None = None
) -> tuple[list[str], list[list[Any]]]:
    """The ranking's rows; with `explain_language`, a last column explains each band (last,
    so that the columns before it keep their places)."""
    h = HEADINGS_VI
    codes = _criterion_codes(result)
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


def write_csv(result: Result, stream: IO[str], *, language: str | None = None) -> None:
    header, rows = _rows(result, explain_language=language or result.language)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([safe_text(c) for c in header])
    for row in rows:
        writer.writerow([safe_text(c) if isinstance(c, str) else _plain(c) for c in row])


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


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
) -> None:
    from openpyxl import Workbook  # only needed for spreadsheets
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    h = HEADINGS_VI
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook holds one worksheet
    sheet.title = h["sheet_ranking"]
    header, rows = _rows(result, explain_language=language or result.language)
    _append(sheet, header)
    for row in rows:
        _append(sheet, row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"

    details = workbook.create_sheet(h["sheet_lines"])
    _append(
        details,
        [
            h["unit"],
            h["criterion"],
            h["actual"],
            h["target"],
            h["ratio"],
            h["met"],
            h["points"],
            h["explanation"],
        ],
    )
    for s in result.standings:
        for code in _criterion_codes(result):
            line = result.lines.get((s.unit, code))
            if line is None:
                continue
            _append(
                details,
                [
                    line.unit,
                    line.criterion,
                    round_opt(line.actual),
                    round_opt(line.target),
                    round_opt(line.ratio),
                    h["yes"] if line.met else h["no"],
                    round2(line.points),
                    line.explanation,
                ],
            )
    details.freeze_panes = "A2"

    warnings = workbook.create_sheet(h["sheet_warnings"])
    _append(warnings, [h["unit"], h["criterion"], h["code"], h["message"]])
    for w in result.warnings:
        _append(warnings, [w.unit or "", w.criterion or "", w.code, w.message])
    warnings.freeze_panes = "A2"
    workbook.save(path_or_stream)


def _append(sheet: Any, values: list[Any]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            # openpyxl turns any string starting with '=' into a formula; force plain text.
            cell.data_type = "s"
