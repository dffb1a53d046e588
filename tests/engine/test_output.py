from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from scoring.engine import (
    ManualEntry,
    result_to_dict,
    score,
    write_csv,
    write_json,
    write_table,
    write_xlsx,
)
from scoring.engine.numbers import fmt_number, round2

from .builders import criterion, figures, scheme

Y = 2021


def sample():
    s = scheme(
        criterion("1.1", "x", 3, rule="proportional", points=10),
        criterion(
            "T.1", "late", 0, rule="threshold", points=5, kind="deduction", direction="lower"
        ),
    )
    return score(
        s,
        year=Y,
        members=["=cmd|' /C calc'!A0", "AG"],
        figures=figures(Y, AG={"x": 2, "late": 0}, **{"=cmd|' /C calc'!A0": {"x": 1, "late": 4}}),
        manual={("AG", "1.1"): ManualEntry(6.665, "@SUM(A1)")},
    )


def test_rounding_is_half_away_from_zero_to_two_decimals():
    assert [round2(x) for x in (2.675, 0.285, -1.005, 1.004999, 6.665, -0.001)] == [
        2.68,
        0.29,
        -1.01,
        1.0,
        6.67,
        0.0,
    ]
    assert fmt_number(1234567.891) == "1.234.567,89"
    assert fmt_number(1234567.891, "en") == "1,234,567.89"
    assert fmt_number(-0.004) == "0"
    assert fmt_number(7.10) == "7,1"


def test_result_to_dict_has_the_agreed_shape_with_rounded_numbers():
    data = result_to_dict(sample())
    assert list(data) == ["year", "scheme", "warnings", "ranking"]
    first = data["ranking"][0]
    assert list(first) == [
        "unit",
        "rank",
        "total",
        "regular",
        "bonus",
        "deduction",
        "met_count",
        "band",
        "eligible",
        "criteria",
    ]
    assert (first["unit"], first["rank"], first["total"], first["met_count"]) == ("AG", 1, 6.67, 1)
    assert first["criteria"]["1.1"]["ratio"] == 0.67
    assert first["criteria"]["1.1"]["points"] == 6.67
    second = data["ranking"][1]
    assert (second["total"], second["deduction"]) == (-1.67, 5.0)
    assert second["criteria"]["T.1"]["points"] == -5.0
    assert list(second["criteria"]) == ["1.1", "T.1"]


def test_write_json_is_utf8_text_that_reads_back():
    stream = io.StringIO()
    write_json(sample(), stream)
    data = json.loads(stream.getvalue())
    assert data["ranking"][0]["criteria"]["1.1"]["explanation"].startswith("Chỉ tiêu 3, đạt 2")
    assert "\\u" not in stream.getvalue()


def test_csv_has_vietnamese_headings_and_defuses_formulas():
    stream = io.StringIO()
    write_csv(sample(), stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows[0] == ["Hạng", "Đơn vị", "Tổng điểm", "Xếp loại", "Đủ điều kiện", "1.1", "T.1"]
    assert rows[1] == ["1", "AG", "6.67", "", "Có", "6.67", "0"]
    assert rows[2] == ["2", "'=cmd|' /C calc'!A0", "-1.67", "", "Có", "3.33", "-5"]


def test_xlsx_has_numbers_as_numbers_a_frozen_header_and_no_formulas(tmp_path):
    path = tmp_path / "result.xlsx"
    write_xlsx(sample(), path)
    workbook = load_workbook(path)
    sheet = workbook["Xếp hạng"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == [
        "Hạng",
        "Đơn vị",
        "Tổng điểm",
        "Xếp loại",
        "Đủ điều kiện",
        "1.1",
        "T.1",
    ]
    assert sheet["C2"].value == 6.67 and sheet["C2"].data_type == "n"
    assert sheet["B3"].value == "=cmd|' /C calc'!A0"
    assert sheet["B3"].data_type == "s"
    details = workbook["Chi tiết"]
    explanations = [row[7] for row in details.iter_rows(min_row=2, values_only=True)]
    assert any("@SUM(A1)" in e for e in explanations)
    assert all(c.data_type != "f" for row in details.iter_rows() for c in row)


def test_write_table_prints_an_aligned_ranking_and_the_warnings():
    stream = io.StringIO()
    write_table(sample(), stream)
    lines = stream.getvalue().splitlines()
    assert lines[0].split() == [
        "Hạng",
        "Đơn",
        "vị",
        "Tổng",
        "điểm",
        "Xếp",
        "loại",
        "Đủ",
        "điều",
        "kiện",
        "1.1",
        "T.1",
    ]
    assert lines[2].split() == ["1", "AG", "6.67", "Có", "6.67", "0"]
    assert "! never_met [1.1]: Không đơn vị nào đạt tiêu chí 1.1" in lines
