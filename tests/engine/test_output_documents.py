"""Exports that read as documents (issue 16, item 4): the workbook's title block, names, two
header rows, number formats, widths and frozen panes; the CSV's two dialects (docs/export-format.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from scoring.engine import Band, ExportInfo, score, write_csv, write_xlsx
from scoring.engine.numbers import round2
from tests.engine.builders import criterion, figures, scheme

Y = 2025
GENERATED = dt.datetime(2025, 12, 31, 16, 5)


def banded():
    s = scheme(
        criterion("1.1", "x", 10, group="Nội dung 1", name="Phát triển HTX", points=60),
        criterion("2.1", "y", 10, group="Nội dung 2", name="Đào tạo, bồi dưỡng", points=40),
        criterion("K.1", "award", 1, group="Khen thưởng", name="Được khen", points=5, kind="bonus"),
        criterion(
            "T.1",
            "late",
            0,
            group="Điểm trừ",
            name="Nộp chậm",
            points=5,
            kind="deduction",
            direction="lower",
            rule="threshold",
        ),
        classification=(Band("Xuất sắc", 90, 0.5), Band("Tốt", 50)),
        name="Thang điểm 2025",
    )
    return s, score(
        s,
        year=Y,
        members=["ag", "ct", "cm"],
        figures=figures(
            Y,
            ag={"x": 10, "y": 9.876, "award": 1, "late": 0},
            ct={"x": 12345.5, "y": 2, "award": 0, "late": 3},
            cm={"x": 5, "y": 10, "late": 0},  # no "award": a warning,
        ),
    )


NAMES = {"ag": "Liên minh HTX An Giang", "ct": "Liên minh HTX Cần Thơ", "cm": 'HTX "Cà Mau", số 1'}


def info(s, **kw):
    kw.setdefault("cluster", "Cụm thi đua Tây Nam sông Hậu")
    kw.setdefault("status", "Đã công bố")
    kw.setdefault("generated", GENERATED)
    kw.setdefault("unit_names", NAMES)
    return ExportInfo(scheme=s, **kw)


# The workbook's ranking sheet, first heading row ("Điểm" is merged over the four parts below).
RANKING_HEADINGS = [
    "Hạng",
    "Đơn vị",
    "Điểm",
    None,
    None,
    None,
    "Số chỉ tiêu đạt",
    "Xếp loại",
    "Đủ điều kiện",
    "Giải thích xếp loại",
]
# The excel-vn CSV's headings before the criteria.
READING_HEADINGS = [
    "Hạng",
    "Đơn vị",
    "Tổng điểm",
    "Điểm tiêu chí",
    "Điểm thưởng",
    "Điểm trừ",
    "Số chỉ tiêu đạt",
    "Xếp loại",
    "Đủ điều kiện",
]


# --- CSV ---------------------------------------------------------------------------------------


# The rfc4180 CSV's contract (docs/export-format.md): the first columns, one per criterion, then
# the explanation and the columns added since.
def machine_headings(*codes: str) -> list[str]:
    return [
        *["Hạng", "Đơn vị", "Tổng điểm", "Xếp loại", "Đủ điều kiện"],
        *codes,
        *["Giải thích xếp loại", "Tên đơn vị", "Điểm tiêu chí", "Điểm thưởng", "Điểm trừ"],
        "Số chỉ tiêu đạt",
    ]


MACHINE_HEADER = machine_headings("1.1", "2.1", "K.1", "T.1")


def excel_vn_rows(text: str) -> list[list[str]]:
    """The excel-vn dialect read back: a BOM, CRLF, ";" between fields."""
    assert text.startswith("\ufeff") and text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def test_the_machine_csv_is_rfc_4180_with_the_documented_columns_in_either_language():
    s, result = banded()
    for language in ("vi", "en"):
        stream = io.StringIO(newline="")
        write_csv(result, stream, language=language, dialect="rfc4180", info=info(s))
        text = stream.getvalue()
        assert not text.startswith("\ufeff")
        assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        # The header is the contract: the same words whatever the reader's language.
        assert rows[0] == MACHINE_HEADER
        by_code = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
        ct = by_code["ct"]
        standing = result.standing("ct")
        assert (ct["Hạng"], ct["Tổng điểm"], ct["Điểm tiêu chí"]) == ("3", "63", "68")
        assert (ct["1.1"], ct["2.1"], ct["K.1"], ct["T.1"]) == ("60", "8", "0", "-5")
        assert (ct["Điểm thưởng"], ct["Điểm trừ"]) == ("0", "5")
        assert ct["Số chỉ tiêu đạt"] == str(standing.met_count) == "1"
        assert ct["Tên đơn vị"] == "Liên minh HTX Cần Thơ"
        assert ct["Đủ điều kiện"] == "Có"
        # A name with a quote and a comma is quoted, the quote doubled (RFC 4180, 2.7).
        assert '"HTX ""Cà Mau"", số 1"' in text
        assert by_code["cm"]["Tên đơn vị"] == 'HTX "Cà Mau", số 1'
    assert by_code["ag"]["Tổng điểm"] == "104.5"  # 60 + 39.504 + 5, two decimals
    english = by_code["ag"]["Giải thích xếp loại"]
    assert english.startswith("Reached “Xuất sắc”: total 104.5 ≥ 90")


def test_the_machine_csv_without_names_leaves_the_name_column_empty():
    s, result = banded()
    stream = io.StringIO(newline="")
    write_csv(result, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue(), newline="")))
    assert rows[0] == MACHINE_HEADER
    assert [r[MACHINE_HEADER.index("Tên đơn vị")] for r in rows[1:]] == ["", "", ""]


def test_the_excel_vn_csv_has_a_bom_semicolons_decimal_commas_and_names():
    s, result = banded()
    stream = io.StringIO(newline="")
    write_csv(result, stream, language="vi", dialect="excel-vn", info=info(s))
    text = stream.getvalue()
    rows = excel_vn_rows(text)
    assert rows[0] == [
        *READING_HEADINGS,
        "1.1 Phát triển HTX",
        "2.1 Đào tạo, bồi dưỡng",
        "K.1 Được khen",
        "T.1 Nộp chậm",
        "Giải thích xếp loại",
    ]
    by_name = {r[1]: r for r in rows[1:]}
    assert set(by_name) == set(NAMES.values())
    ag = by_name["Liên minh HTX An Giang"]
    standing = result.standing("ag")
    assert ag[0] == str(standing.rank)
    assert ag[2] == "104,5" and ag[10] == "39,5"  # 9.876 of 10 → 0.9876 × 40 = 39.504
    assert ag[7] == "Xuất sắc" and ag[8] == "Có"
    assert ag[13].startswith("Đạt “Xuất sắc”: tổng 104,5 ≥ 90")
    ct = by_name["Liên minh HTX Cần Thơ"]
    assert ct[12] == "-5" and ct[5] == "5"
    # A semicolon inside a cell (the band sentences are joined by "; ") is quoted.
    assert '"' + ag[13] + '"' in text or ";" not in ag[13]


def test_the_excel_vn_csv_speaks_english_headers_but_keeps_decimal_commas():
    s, result = banded()
    stream = io.StringIO(newline="")
    write_csv(result, stream, language="en", dialect="excel-vn", info=info(s))
    rows = excel_vn_rows(stream.getvalue())
    assert rows[0][:9] == [
        "Rank",
        "Unit",
        "Total points",
        "Criterion points",
        "Bonus points",
        "Deduction points",
        "Targets met",
        "Band",
        "Eligible",
    ]
    assert rows[0][-1] == "Band explanation"
    ag = next(r for r in rows[1:] if r[1] == "Liên minh HTX An Giang")
    assert ag[2] == "104,5" and ag[8] == "Yes"
    assert ag[-1].startswith("Reached “Xuất sắc”: total 104.5 ≥ 90")


def test_an_unknown_dialect_is_refused():
    _s, result = banded()
    with pytest.raises(ValueError, match="excel"):
        write_csv(result, io.StringIO(), dialect="excel")


def test_the_excel_vn_csv_defuses_formulas_in_names():
    s, result = banded()
    hostile = {**NAMES, "ag": '=HYPERLINK("http://x")', "ct": "-2+3"}
    stream = io.StringIO(newline="")
    write_csv(result, stream, dialect="excel-vn", info=info(s, unit_names=hostile))
    rows = excel_vn_rows(stream.getvalue())
    names = {r[1] for r in rows[1:]}
    assert '\'=HYPERLINK("http://x")' in names and "'-2+3" in names


# --- XLSX --------------------------------------------------------------------------------------


def workbook(s, result, language="vi", **kw):
    stream = io.BytesIO()
    write_xlsx(result, stream, language=language, info=info(s, **kw))
    return load_workbook(io.BytesIO(stream.getvalue()))


def test_the_workbook_has_a_title_block_on_each_sheet():
    s, result = banded()
    book = workbook(s, result)
    assert book.sheetnames == ["Xếp hạng", "Ma trận điểm", "Chi tiết", "Cảnh báo", "Ghi chú"]
    sheet = book["Xếp hạng"]
    block = [sheet.cell(row=r, column=1).value for r in range(1, 8)]
    assert block == [
        "KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG THI ĐUA",
        "Cụm, khối thi đua: Cụm thi đua Tây Nam sông Hậu",
        "Năm thi đua: 2025",
        "Thang điểm: Thang điểm 2025",
        "Trạng thái: Đã công bố",
        "Ngày lập: 31/12/2025 16:05",
        None,
    ]
    assert sheet["A1"].font.b and sheet["A1"].font.sz >= 14
    for name in book.sheetnames:
        assert book[name]["A3"].value == "Năm thi đua: 2025", name


def test_the_title_block_leaves_out_what_the_caller_does_not_know():
    s, result = banded()
    stream = io.BytesIO()
    write_xlsx(result, stream, info=ExportInfo(scheme=s))
    sheet = load_workbook(io.BytesIO(stream.getvalue()))["Xếp hạng"]
    assert [sheet.cell(row=r, column=1).value for r in range(1, 5)] == [
        "KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG THI ĐUA",
        "Năm thi đua: 2025",
        "Thang điểm: Thang điểm 2025",
        None,
    ]
    assert sheet["A5"].value == "Hạng" and sheet.freeze_panes == "C7"


def test_the_ranking_sheet_has_names_the_parts_and_two_header_rows():
    s, result = banded()
    sheet = workbook(s, result)["Xếp hạng"]
    assert [c.value for c in sheet[8]] == RANKING_HEADINGS
    assert [c.value for c in sheet[9]][2:6] == [
        "Tổng điểm",
        "Điểm tiêu chí",
        "Điểm thưởng",
        "Điểm trừ",
    ]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A8:A9", "B8:B9", "C8:F8", "G8:G9", "J8:J9"} <= merged
    assert sheet.freeze_panes == "C10"
    assert sheet.max_row == 9 + len(result.standings)
    for row, standing in zip(
        sheet.iter_rows(min_row=10, values_only=True), result.standings, strict=True
    ):
        assert row[:9] == (
            standing.rank,
            NAMES[standing.unit],
            round2(standing.total),
            round2(standing.regular),
            round2(standing.bonus),
            round2(standing.deduction),
            standing.met_count,
            standing.band or None,
            "Có" if standing.eligible else "Không",
        )
    # Numbers are numbers, shown with two decimals; ranks and counts as whole numbers.
    assert sheet["C10"].data_type == "n" and sheet["C10"].number_format == "#,##0.00"
    assert sheet["F10"].number_format == "#,##0.00"
    assert sheet["A10"].number_format == "0" and sheet["G10"].number_format == "0"
    assert sheet["C9"].font.b and sheet["A8"].font.b
    # Widths: the names fit, the sentences get a wide wrapped column.
    width = sheet.column_dimensions
    assert width["B"].width >= len("Liên minh HTX An Giang")
    assert width["A"].width < width["C"].width < width["B"].width
    assert width["J"].width >= 60 and sheet["J10"].alignment.wrap_text


def test_the_matrix_sheet_has_criterion_names_over_their_codes_and_the_points():
    s, result = banded()
    sheet = workbook(s, result)["Ma trận điểm"]
    assert sheet["A1"].value == "ĐIỂM TỪNG TIÊU CHÍ CỦA CÁC THÀNH VIÊN"
    assert [c.value for c in sheet[8]] == [
        "Hạng",
        "Đơn vị",
        "Phát triển HTX",
        "Đào tạo, bồi dưỡng",
        "Được khen",
        "Nộp chậm",
        "Tổng điểm",
    ]
    assert [c.value for c in sheet[9]] == [None, None, "1.1", "2.1", "K.1", "T.1", None]
    assert sheet.freeze_panes == "C10"
    assert sheet["C8"].alignment.wrap_text
    codes = ["1.1", "2.1", "K.1", "T.1"]
    for row, standing in zip(
        sheet.iter_rows(min_row=10, values_only=True), result.standings, strict=True
    ):
        assert row[1] == NAMES[standing.unit]
        assert list(row[2:6]) == [round2(result.lines[(standing.unit, c)].points) for c in codes]
        assert row[6] == round2(standing.total)
    assert all(sheet.cell(row=10, column=c).number_format == "#,##0.00" for c in range(3, 8))


def test_the_details_sheet_lists_every_line_by_name_and_the_warnings_name_their_unit():
    s, result = banded()
    book = workbook(s, result)
    details = book["Chi tiết"]
    assert [c.value for c in details[8]] == [
        "Đơn vị",
        "Mã tiêu chí",
        "Tiêu chí",
        "Thực hiện",
        "Chỉ tiêu",
        "Tỷ lệ so với chỉ tiêu",
        "Đạt",
        "Điểm",
        "Diễn giải",
    ]
    rows = list(details.iter_rows(min_row=9, values_only=True))
    assert len(rows) == len(result.lines)
    ct = next(r for r in rows if r[0] == "Liên minh HTX Cần Thơ" and r[1] == "1.1")
    assert ct[2:8] == ("Phát triển HTX", 12345.5, 10, 1234.55, "Có", 60)
    assert details["D9"].number_format == "#,##0.00"
    assert details.auto_filter.ref and details.auto_filter.ref.startswith("A8:")
    assert details.freeze_panes == "A9"
    warnings = book["Cảnh báo"]
    assert [c.value for c in warnings[8]] == ["Đơn vị", "Tiêu chí", "Mã", "Nội dung"]
    listed = list(warnings.iter_rows(min_row=9, values_only=True))
    assert len(result.warnings) == 1
    assert listed == [
        ('HTX "Cà Mau", số 1', "K.1 Được khen", "missing_figure", result.warnings[0].message)
    ]


def test_the_notes_sheet_states_the_bands_rules_and_the_criteria():
    s, result = banded()
    notes = workbook(s, result)["Ghi chú"]
    texts = [c for row in notes.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "Tổng điểm = Điểm tiêu chí + Điểm thưởng − Điểm trừ" in texts
    assert "Xuất sắc cần tổng ≥ 90 và mỗi tiêu chí ≥ 50 % số điểm" in texts
    assert "Tốt cần tổng ≥ 50" in texts
    rows = [tuple(r) for r in notes.iter_rows(values_only=True)]
    assert ("Nội dung 2", "2.1", "Đào tạo, bồi dưỡng", "Tiêu chí chấm điểm", 40, "Không") in rows
    assert ("Điểm trừ", "T.1", "Nộp chậm", "Điểm trừ", 5, "Không") in rows


def test_the_workbook_in_english_has_english_headings_and_sheet_names():
    s, result = banded()
    book = workbook(s, result, language="en", status="Published")
    assert book.sheetnames == ["Ranking", "Score matrix", "Details", "Warnings", "Notes"]
    sheet = book["Ranking"]
    assert [sheet.cell(row=r, column=1).value for r in range(1, 7)] == [
        "EMULATION SCORES AND RANKING",
        "Cluster: Cụm thi đua Tây Nam sông Hậu",
        "Year: 2025",
        "Scoring scheme: Thang điểm 2025",
        "Status: Published",
        "Generated: 31/12/2025 16:05",
    ]
    assert [c.value for c in sheet[8]][:3] == ["Rank", "Unit", "Points"]
    assert [c.value for c in sheet[9]][2:6] == [
        "Total points",
        "Criterion points",
        "Bonus points",
        "Deduction points",
    ]
    assert sheet["I10"].value == "Yes"
    assert sheet["J10"].value.startswith("Reached “Xuất sắc”: total 104.5 ≥ 90")
    assert book["Notes"]["A1"].value == "HOW POINTS AND BANDS ARE DECIDED"


def test_hostile_names_stay_text_in_the_workbook():
    s, result = banded()
    hostile = {**NAMES, "ag": '=HYPERLINK("http://x","y")'}
    book = workbook(s, result, unit_names=hostile, cluster="=1+1")
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert any(c.value == '=HYPERLINK("http://x","y")' and c.data_type == "s" for c in cells)


def test_the_streamed_workbook_keeps_its_print_setup_heading_height_and_plain_text():
    """The workbook is written in openpyxl's write-only mode (a national file's 200,000 lines);
    what that mode needs decided before the first row is still there."""
    s, result = banded()
    names = {**NAMES, next(iter(NAMES)): '=HYPERLINK("http://x")'}
    book = workbook(s, result, unit_names=names)
    ranking, matrix = book["Xếp hạng"], book["Ma trận điểm"]
    assert ranking.page_setup.orientation == "landscape"
    assert ranking.print_title_rows == "$8:$9"
    assert book["Chi tiết"].print_title_rows == "$8:$8"
    assert matrix.row_dimensions[8].height >= 30  # the criterion names wrap in their heading
    cells = [c for row in ranking.iter_rows(min_row=10) for c in row if c.column == 2]
    formula_like = [c for c in cells if str(c.value).startswith("=")]
    assert formula_like and all(c.data_type == "s" for c in formula_like)
