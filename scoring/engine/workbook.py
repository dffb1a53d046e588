"""The ranking as a workbook that reads as a document (docs/export-format.md).

Every sheet opens with a title block (what it is, the cluster, the year, the scheme, the status,
when it was made), names its members and criteria (codes under the names), keeps numbers as
numbers with a format (a Vietnamese Excel shows 1.234,50 by itself), sizes its columns, freezes
its headings and prints on landscape pages with the headings repeated. Sheets: the ranking with
the parts of each total; the score matrix (members × criteria); every line with its explanation;
the warnings; notes on how totals and bands are decided.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from copy import copy
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from scoring.engine.explain import templates
from scoring.engine.numbers import fmt_number, round2, round_opt
from scoring.engine.output import (
    ExportInfo,
    band_explanation_text,
    criterion_codes,
    headings,
)
from scoring.engine.types import Result, Scheme

TEXTS_VI: Mapping[str, str] = {
    "title_ranking": "KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG THI ĐUA",
    "title_matrix": "ĐIỂM TỪNG TIÊU CHÍ CỦA CÁC THÀNH VIÊN",
    "title_lines": "CHI TIẾT CHẤM ĐIỂM TỪNG TIÊU CHÍ",
    "title_warnings": "CẢNH BÁO KHI CHẤM ĐIỂM",
    "title_notes": "CÁCH TÍNH ĐIỂM VÀ XẾP LOẠI",
    "cluster": "Cụm, khối thi đua",
    "year": "Năm thi đua",
    "scheme": "Thang điểm",
    "status": "Trạng thái",
    "generated": "Ngày lập",
    "points_group": "Điểm",
    "sheet_matrix": "Ma trận điểm",
    "sheet_notes": "Ghi chú",
    "total_rule": "Tổng điểm = Điểm tiêu chí + Điểm thưởng − Điểm trừ",
    "met_rule": (
        "Số chỉ tiêu đạt: số tiêu chí (mọi loại) đơn vị đạt chỉ tiêu; với tiêu chí điểm trừ, "
        "đạt là không bị trừ điểm."
    ),
    "rounding_rule": "Điểm làm tròn đến 2 chữ số thập phân (từ 5 trở lên làm tròn lên).",
    "bands": "Xếp loại",
    "min_total": "Tổng điểm tối thiểu",
    "min_each": "Mỗi tiêu chí tối thiểu (% số điểm)",
    "condition": "Điều kiện",
    "knockout_rule": "Không đạt tiêu chí bắt buộc thì không được xếp loại: {criteria}",
    "tie_break": "Bằng tổng điểm thì xếp trên đơn vị có",
    "tie_met_count": "nhiều tiêu chí đạt hơn",
    "tie_group": "nhiều điểm hơn ở {group}",
    "tie_criterion": "nhiều điểm hơn ở tiêu chí {criterion}",
    "tie_shared": "Vẫn bằng nhau thì đồng hạng.",
    "criteria": "Tiêu chí",
    "group": "Nhóm",
    "kind": "Loại",
    "max_points": "Điểm tối đa",
    "knockout": "Bắt buộc",
    "kind_regular": "Tiêu chí chấm điểm",
    "kind_bonus": "Điểm thưởng",
    "kind_deduction": "Điểm trừ",
}

TEXTS_EN: Mapping[str, str] = {
    "title_ranking": "EMULATION SCORES AND RANKING",
    "title_matrix": "POINTS OF EACH MEMBER ON EACH CRITERION",
    "title_lines": "SCORING DETAILS BY CRITERION",
    "title_warnings": "SCORING WARNINGS",
    "title_notes": "HOW POINTS AND BANDS ARE DECIDED",
    "cluster": "Cluster",
    "year": "Year",
    "scheme": "Scoring scheme",
    "status": "Status",
    "generated": "Generated",
    "points_group": "Points",
    "sheet_matrix": "Score matrix",
    "sheet_notes": "Notes",
    "total_rule": "Total points = Criterion points + Bonus points − Deduction points",
    "met_rule": (
        "Targets met: the criteria (of every kind) whose target the member met; for a deduction, "
        "met means nothing was deducted."
    ),
    "rounding_rule": "Points are rounded to 2 decimals (half away from zero).",
    "bands": "Bands",
    "min_total": "Minimum total",
    "min_each": "Minimum on each criterion (% of its points)",
    "condition": "Condition",
    "knockout_rule": "A member that does not meet a knockout criterion gets no band: {criteria}",
    "tie_break": "Equal totals are ordered by",
    "tie_met_count": "more criteria met",
    "tie_group": "more points in {group}",
    "tie_criterion": "more points on criterion {criterion}",
    "tie_shared": "Members still equal share a rank.",
    "criteria": "Criteria",
    "group": "Group",
    "kind": "Kind",
    "max_points": "Maximum points",
    "knockout": "Knockout",
    "kind_regular": "Scoring criterion",
    "kind_bonus": "Bonus points",
    "kind_deduction": "Deduction points",
}

POINTS = "#,##0.00"
WHOLE = "0"
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _styles() -> list[NamedStyle]:
    """The cells' looks as named styles: a cell takes one by name, which costs a copy of a few
    numbers; setting a font, border and alignment on each cell hashes each of them (30 members ×
    40 criteria: 1.5 s of 2.2 s under the profiler; 0.2 s in all with named styles)."""
    top = Alignment(vertical="top")
    return [
        NamedStyle("export-title", font=Font(bold=True, size=14)),
        NamedStyle("export-bold", font=Font(bold=True)),
        NamedStyle(
            "export-heading",
            font=Font(bold=True),
            fill=PatternFill("solid", fgColor="DDEBF7"),
            border=_BOX,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle("export-text", border=_BOX, alignment=top),
        NamedStyle("export-wrap", border=_BOX, alignment=Alignment(vertical="top", wrap_text=True)),
        NamedStyle(
            "export-center", border=_BOX, alignment=Alignment(horizontal="center", vertical="top")
        ),
        NamedStyle(
            "export-whole",
            border=_BOX,
            number_format=WHOLE,
            alignment=Alignment(horizontal="center", vertical="top"),
        ),
        NamedStyle("export-points", border=_BOX, number_format=POINTS, alignment=top),
    ]


TEXT, WRAP, CENTER, WHOLE_CELL, POINTS_CELL = (
    "export-text",
    "export-wrap",
    "export-center",
    "export-whole",
    "export-points",
)


def texts(language: str) -> Mapping[str, str]:
    return TEXTS_EN if language == "en" else TEXTS_VI


class _Sheet:
    """A worksheet written row by row, in openpyxl's write-only mode: a national file's details
    sheet holds 200,000 lines, which the normal mode kept as 1.8 million cell objects (1.2 GB,
    docs/performance.md). Rows are collected as plain tuples while the sheet's layout (widths,
    frozen panes, print setup, merges) is decided, and streamed out by `close` — the layout must
    be known before the first row of a streamed sheet. The next row is counted here."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        # Any: a write-only sheet gets its dimensions, merges and print setup at run time
        # (`Worksheet._setup`), which the stubs do not list.
        self.sheet: Any = sheet
        self.row = 1
        self._rows: list[tuple[Sequence[Any], Sequence[str] | str | None]] = []
        self._heights: dict[int, float] = {}

    def put(self, values: Sequence[Any], styles: Sequence[str] | str | None = None) -> int:
        """One row from column A; `styles`: one named style for the row, or one per column."""
        while len(self._rows) < self.row - 1:
            self._rows.append(((), None))  # a blank row
        self._rows.append((values, styles))
        self.row += 1
        return self.row - 1

    def headings(self, values: Sequence[Any]) -> int:
        return self.put(values, "export-heading")

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        self.sheet.merged_cells.add(
            CellRange(min_row=first_row, min_col=first_col, max_row=last_row, max_col=last_col)
        )

    def blank(self) -> None:
        self.row += 1

    def height(self, row: int, points: float) -> None:
        self._heights[row] = points

    def size(self, widths: Mapping[int, float]) -> None:
        for column, width in widths.items():
            self.sheet.column_dimensions[get_column_letter(column)].width = width

    def freeze(self, row: int, column: int = 1) -> None:
        self.sheet.freeze_panes = f"{get_column_letter(column)}{row}"

    def print_landscape(self, title_rows: tuple[int, int] | None) -> None:
        setup = self.sheet.page_setup
        setup.orientation = "landscape"
        setup.paperSize = Worksheet.PAPERSIZE_A4
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        if title_rows:
            self.sheet.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"

    def close(self) -> None:
        """Stream the rows out, each cell with its named style; strings stay text (openpyxl
        reads any string starting with '=' as a formula)."""
        sheet = self.sheet
        for row, height in self._heights.items():
            sheet.row_dimensions[row].height = height
        looks: dict[str, Any] = {}
        for values, styles in self._rows:
            cells = []
            for i, value in enumerate(values):
                style = styles if isinstance(styles, str) or styles is None else styles[i]
                if style is None and not isinstance(value, str):
                    cells.append(value)
                    continue
                cell: Any = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                if style is not None:
                    cell._style = copy(looks.get(style) or _look(looks, sheet, style))
                cells.append(cell)
            sheet.append(cells)
        self._rows = []


def _look(looks: dict[str, Any], sheet: WriteOnlyWorksheet, style: str) -> Any:
    """A named style's cell look (openpyxl's `StyleArray`), found by name once a sheet: setting
    `cell.style` by name lists the workbook's style names on every cell (200,000 lines × 9
    cells: 5 s of a national workbook's CPU); a copy of the array is what it leaves on the
    cell."""
    model: Any = WriteOnlyCell(sheet)
    model.style = style
    looks[style] = model._style
    return model._style


def _fit(texts_: Sequence[str], low: float, high: float) -> float:
    """A column as wide as its longest text (in characters), within bounds."""
    longest = max((len(t) for t in texts_), default=0)
    return float(min(max(longest + 2, low), high))


def write_workbook(
    result: Result,
    path_or_stream: str | os.PathLike[str] | IO[bytes],
    *,
    language: str,
    info: ExportInfo,
) -> None:
    h, t = headings(language), texts(language)
    workbook = Workbook(write_only=True)
    for style in _styles():
        workbook.add_named_style(style)
    codes = criterion_codes(result)
    names = [info.unit_name(s.unit) for s in result.standings]

    def sheet(title: str) -> _Sheet:
        created = workbook.create_sheet(title)
        assert isinstance(created, WriteOnlyWorksheet)  # the workbook is write-only
        return _Sheet(created)

    ranking, matrix, lines, warnings, notes = (
        sheet(h["sheet_ranking"]),
        sheet(t["sheet_matrix"]),
        sheet(h["sheet_lines"]),
        sheet(h["sheet_warnings"]),
        sheet(t["sheet_notes"]),
    )
    _ranking(ranking, result, info, language, names)
    ranking.close()
    _matrix(matrix, result, info, language, names, codes)
    matrix.close()
    _lines(lines, result, info, language, codes)
    lines.close()
    _warnings(warnings, result, info, language)
    warnings.close()
    _notes(notes, result, info, language)
    notes.close()
    workbook.properties.title = f"{t['title_ranking']} {result.year}"
    workbook.properties.creator = info.cluster or None
    workbook.save(path_or_stream)


def _title_block(
    sheet: _Sheet, title: str, result: Result, info: ExportInfo, language: str
) -> None:
    t = texts(language)
    sheet.put([title], "export-title")
    lines = []
    if info.cluster:
        lines.append(f"{t['cluster']}: {info.cluster}")
    lines.append(f"{t['year']}: {result.year}")
    lines.append(f"{t['scheme']}: {result.scheme_name}")
    if info.status:
        lines.append(f"{t['status']}: {info.status}")
    if info.generated is not None:
        lines.append(f"{t['generated']}: {info.generated:%d/%m/%Y %H:%M}")
    for line in lines:
        sheet.put([line])
    sheet.blank()


def _ranking(
    sheet: _Sheet, result: Result, info: ExportInfo, language: str, names: list[str]
) -> None:
    h, t = headings(language), texts(language)
    _title_block(sheet, t["title_ranking"], result, info, language)
    top = sheet.headings(
        [
            h["rank"],
            h["unit"],
            t["points_group"],
            None,
            None,
            None,
            h["met_count"],
            h["band"],
            h["eligible"],
            h["band_explanation"],
        ]
    )
    # The second row in full: the cells under the merged headings keep the boxes and the fill.
    sheet.headings([None, None, h["total"], h["regular"], h["bonus"], h["deduction"], *[None] * 4])
    for column in (1, 2, 7, 8, 9, 10):
        sheet.merge(top, column, top + 1, column)
    sheet.merge(top, 3, top, 6)
    styles = [WHOLE_CELL, TEXT, *[POINTS_CELL] * 4, WHOLE_CELL, TEXT, CENTER, WRAP]
    for s, name in zip(result.standings, names, strict=True):
        sheet.put(
            [
                s.rank,
                name,
                round2(s.total),
                round2(s.regular),
                round2(s.bonus),
                round2(s.deduction),
                s.met_count,
                s.band or None,
                h["yes"] if s.eligible else h["no"],
                band_explanation_text(s.band_explanation, language) or None,
            ],
            styles,
        )
    bands = [s.band or "" for s in result.standings]
    sheet.size(
        {
            1: 7,
            2: _fit(names, 24, 45),
            3: 13,
            4: 13,
            5: 13,
            6: 13,
            7: 11,
            8: _fit([*bands, h["band"]], 10, 24),
            9: 12,
            10: 80,
        }
    )
    sheet.freeze(top + 2, 3)
    sheet.print_landscape((top, top + 1))


def _matrix(
    sheet: _Sheet,
    result: Result,
    info: ExportInfo,
    language: str,
    names: list[str],
    codes: list[str],
) -> None:
    h, t = headings(language), texts(language)
    criterion_names = info.criterion_names()
    _title_block(sheet, t["title_matrix"], result, info, language)
    titles = [criterion_names.get(code) or code for code in codes]
    top = sheet.headings([h["rank"], h["unit"], *titles, h["total"]])
    sheet.headings([None, None, *codes, None])
    last = len(codes) + 3
    for column in (1, 2, last):
        sheet.merge(top, column, top + 1, column)
    styles = [WHOLE_CELL, TEXT, *[POINTS_CELL] * (len(codes) + 1)]
    for s, name in zip(result.standings, names, strict=True):
        points = []
        for code in codes:
            line = result.lines.get((s.unit, code))
            points.append(round2(line.points) if line is not None else None)
        sheet.put([s.rank, name, *points, round2(s.total)], styles)
    width = 14
    sheet.size({1: 7, 2: _fit(names, 24, 45), **dict.fromkeys(range(3, last), width), last: 13})
    # Names wrap in their column; the row is made tall enough for the longest.
    lines = max((math.ceil(len(n) / (width - 2)) for n in titles), default=1)
    sheet.height(top, 15 * min(max(lines, 2), 8))
    sheet.freeze(top + 2, 3)
    sheet.print_landscape((top, top + 1))


def _lines(
    sheet: _Sheet, result: Result, info: ExportInfo, language: str, codes: list[str]
) -> None:
    h, t = headings(language), texts(language)
    criterion_names = info.criterion_names()
    _title_block(sheet, t["title_lines"], result, info, language)
    top = sheet.headings(
        [
            h["unit"],
            h["criterion_code"],
            h["criterion"],
            h["actual"],
            h["target"],
            h["ratio"],
            h["met"],
            h["points"],
            h["explanation"],
        ]
    )
    styles = [TEXT, TEXT, WRAP, POINTS_CELL, POINTS_CELL, POINTS_CELL, CENTER, POINTS_CELL, WRAP]
    units: list[str] = []
    for s in result.standings:
        name = info.unit_name(s.unit)
        units.append(name)
        for code in codes:
            line = result.lines.get((s.unit, code))
            if line is None:
                continue
            sheet.put(
                [
                    name,
                    line.criterion,
                    criterion_names.get(line.criterion) or None,
                    round_opt(line.actual),
                    round_opt(line.target),
                    round_opt(line.ratio),
                    h["yes"] if line.met else h["no"],
                    round2(line.points),
                    line.explanation,
                ],
                styles,
            )
    sheet.size(
        {
            1: _fit(units, 24, 45),
            2: 9,
            3: _fit(list(criterion_names.values()), 16, 40),
            4: 13,
            5: 13,
            6: 12,
            7: 8,
            8: 11,
            9: 80,
        }
    )
    sheet.sheet.auto_filter.ref = f"A{top}:I{max(sheet.row - 1, top)}"
    sheet.freeze(top + 1)
    sheet.print_landscape((top, top))


def _warnings(sheet: _Sheet, result: Result, info: ExportInfo, language: str) -> None:
    h, t = headings(language), texts(language)
    criterion_names = info.criterion_names()
    _title_block(sheet, t["title_warnings"], result, info, language)
    top = sheet.headings([h["unit"], h["criterion"], h["code"], h["message"]])
    units: list[str] = []
    for w in result.warnings:
        unit = info.unit_name(w.unit) if w.unit else ""
        units.append(unit)
        criterion = w.criterion or ""
        if criterion and criterion_names.get(criterion):
            criterion = f"{criterion} {criterion_names[criterion]}"
        sheet.put(
            [unit or None, criterion or None, w.code, w.message],
            [TEXT, WRAP, TEXT, WRAP],
        )
    sheet.size({1: _fit(units, 24, 45), 2: 36, 3: 22, 4: 80})
    sheet.freeze(top + 1)
    sheet.print_landscape((top, top))


def _notes(sheet: _Sheet, result: Result, info: ExportInfo, language: str) -> None:
    t = texts(language)
    _title_block(sheet, t["title_notes"], result, info, language)
    for rule in (t["total_rule"], t["met_rule"], t["rounding_rule"]):
        sheet.put([rule])
    scheme = info.scheme
    if scheme is not None:
        _notes_bands(sheet, scheme, language)
        _notes_tie_break(sheet, scheme, language)
        _notes_criteria(sheet, scheme, language)
    sheet.size({1: 26, 2: 14, 3: 48, 4: 60, 5: 14, 6: 11})
    sheet.print_landscape(None)


def _notes_bands(sheet: _Sheet, scheme: Scheme, language: str) -> None:
    t, e = texts(language), templates(language)
    sheet.blank()
    sheet.put([t["bands"]], "export-bold")
    if not scheme.classification:
        sheet.put([e["band_no_classification"]])
        return
    sheet.headings([t["bands"], t["min_total"], t["min_each"], t["condition"]])
    for band in scheme.classification:
        rule = e["band_needs"].format(
            band=band.band, min_total=fmt_number(band.min_total, language)
        )
        if band.min_each is not None:
            share = fmt_number(band.min_each * 100.0, language) + " %"
            rule += e["band_needs_each"].format(min_each=share)
        sheet.put(
            [
                band.band,
                round2(band.min_total),
                round2(band.min_each * 100.0) if band.min_each is not None else None,
                rule,
            ],
            [TEXT, POINTS_CELL, POINTS_CELL, WRAP],
        )
    knockouts = [f"{c.code} ({c.name})" for c in scheme.criteria if c.knockout]
    if knockouts:
        sheet.put([t["knockout_rule"].format(criteria="; ".join(knockouts))])


def _notes_tie_break(sheet: _Sheet, scheme: Scheme, language: str) -> None:
    if not scheme.tie_break:
        return
    t = texts(language)
    names = {c.code: c.name for c in scheme.criteria}
    keys = []
    for key in scheme.tie_break:
        if key == "met_count":
            keys.append(t["tie_met_count"])
        elif key.startswith("group:"):
            keys.append(t["tie_group"].format(group=key[6:]))
        elif key.startswith("criterion:"):
            code = key[10:]
            label = f"{code} ({names[code]})" if names.get(code) else code
            keys.append(t["tie_criterion"].format(criterion=label))
    sheet.blank()
    sheet.put([f"{t['tie_break']}: {'; '.join(keys)}. {t['tie_shared']}"])


def _notes_criteria(sheet: _Sheet, scheme: Scheme, language: str) -> None:
    h, t = headings(language), texts(language)
    sheet.blank()
    sheet.put([t["criteria"]], "export-bold")
    sheet.headings(
        [t["group"], h["criterion_code"], h["criterion"], t["kind"], t["max_points"], t["knockout"]]
    )
    for c in scheme.criteria:
        sheet.put(
            [
                c.group,
                c.code,
                c.name,
                t.get("kind_" + c.kind, c.kind),
                round2(c.points),
                h["yes"] if c.knockout else h["no"],
            ],
            [WRAP, TEXT, WRAP, TEXT, POINTS_CELL, CENTER],
        )
