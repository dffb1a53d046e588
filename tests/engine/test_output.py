from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from scoring.engine import (
    Band,
    ManualEntry,
    result_to_dict,
    score,
    write_csv,
    write_json,
    write_table,
    write_xlsx,
)
from scoring.engine.numbers import fmt_number, round2
from tests.engine.builders import criterion, figures, scheme
from tests.engine.test_output_documents import RANKING_HEADINGS, machine_headings

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
        "band_explanation",
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
    stream = io.StringIO(newline="")
    write_csv(sample(), stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue(), newline="")))
    # The first columns of the machine CSV, then those added later (docs/export-format.md).
    assert rows[0] == machine_headings("1.1", "T.1")
    no_bands = "Thang điểm không quy định xếp loại"
    assert rows[1] == [
        "1",
        "AG",
        "6.67",
        "",
        "Có",
        "6.67",
        "0",
        no_bands,
        "",
        "6.67",
        "0",
        "0",
        "1",
    ]
    assert rows[2] == [
        "2",
        "'=cmd|' /C calc'!A0",
        "-1.67",
        "",
        "Có",
        "3.33",
        "-5",
        no_bands,
        "",
        "3.33",
        "0",
        "5",
        "0",
    ]


def test_xlsx_has_numbers_as_numbers_a_frozen_header_and_no_formulas(tmp_path):
    path = tmp_path / "result.xlsx"
    write_xlsx(sample(), path)
    workbook = load_workbook(path)
    sheet = workbook["Xếp hạng"]
    # Without names or a cluster (the file path), the title block is three lines and a blank
    # one; the two heading rows follow (tests/engine/test_output_documents.py: the full block).
    assert sheet.freeze_panes == "C7"
    assert [c.value for c in sheet[5]] == RANKING_HEADINGS
    assert sheet["C7"].value == 6.67 and sheet["C7"].data_type == "n"
    assert sheet["B8"].value == "=cmd|' /C calc'!A0"  # no name given: the code
    assert sheet["B8"].data_type == "s"
    assert [c.value for c in workbook["Ma trận điểm"][6]][2:4] == ["1.1", "T.1"]
    details = workbook["Chi tiết"]
    assert details["I5"].value == "Diễn giải"
    explanations = [row[8] for row in details.iter_rows(min_row=6, values_only=True)]
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


def classified():
    s = scheme(
        criterion("1.1", "x", 10, name="Phát triển HTX", points=10),
        criterion("2.2", "y", 10, name="=Đào tạo", points=10),
        classification=(Band("Xuất sắc", 14, 0.5), Band("Tốt", 10)),
    )
    return score(
        s,
        year=Y,
        members=["AG", "CT"],
        figures=figures(Y, AG={"x": 10, "y": 4.444}, CT={"x": 9, "y": 9}),
    )


def test_json_explains_each_band_as_data_and_sentences_in_the_chosen_language():
    data = result_to_dict(classified())
    ct, ag = data["ranking"]
    assert ct["band_explanation"] == {
        "band": "Xuất sắc",
        "checks": [
            {
                "band": "Xuất sắc",
                "min_total": 14.0,
                "min_each": 0.5,
                "reached": True,
                "failed": None,
                "total": 18.0,
                "criterion": "1.1",
                "name": "Phát triển HTX",
                "share": 0.9,
                "others": 0,
            }
        ],
        "text": [
            "Đạt “Xuất sắc”: tổng 18 ≥ 14 và mỗi tiêu chí ≥ 50 % số điểm "
            "(thấp nhất: 1.1 (Phát triển HTX) đạt 90 %)"
        ],
    }
    failed, reached = ag["band_explanation"]["checks"]
    assert (failed["failed"], failed["criterion"], failed["share"], failed["total"]) == (
        "min_each",
        "2.2",
        0.4444,
        14.44,
    )
    assert ag["band_explanation"]["text"] == [
        "Xuất sắc cần tổng ≥ 14 và mỗi tiêu chí ≥ 50 % số điểm: 2.2 (=Đào tạo) đạt 44,44 %",
        "Đạt “Tốt”: tổng 14,44 ≥ 10",
    ]
    english = result_to_dict(classified(), language="en")["ranking"][1]["band_explanation"]
    assert english["text"][1] == "Reached “Tốt”: total 14.44 ≥ 10"
    assert english["checks"] == ag["band_explanation"]["checks"]


def test_csv_and_xlsx_explain_the_band_in_the_chosen_language(tmp_path):
    stream = io.StringIO(newline="")
    write_csv(classified(), stream, language="en")
    rows = list(csv.reader(io.StringIO(stream.getvalue(), newline="")))
    # After the criteria, where it always was; the columns added since come after it.
    assert rows[0][7] == "Giải thích xếp loại"
    assert rows[2][7] == (
        "Xuất sắc needs total ≥ 14 and each criterion ≥ 50 % of its points: "
        "2.2 (=Đào tạo) reached 44.44 %; Reached “Tốt”: total 14.44 ≥ 10"
    )
    path = tmp_path / "result.xlsx"
    write_xlsx(classified(), path)
    sheet = load_workbook(path)["Xếp hạng"]
    assert sheet["J5"].value == "Giải thích xếp loại"
    assert sheet["J8"].value.startswith("Xuất sắc cần tổng ≥ 14")
    assert sheet["J8"].value.endswith("; Đạt “Tốt”: tổng 14,44 ≥ 10")
