"""docs/examples/scheme-per-item.yaml — a table of "chấm thẳng", bonuses and deductions per
occurrence (#18) — scored for four provinces with sample figures. Points are computed by hand
in the comments; the test asserts the engine agrees, line by line and in both languages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.engine import band_explanation_lines, dump_scheme, parse_scheme, result_to_dict, score

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "scheme-per-item.yaml"
DOC = Path(__file__).resolve().parents[2] / "docs" / "scheme-format.md"
YEAR = 2024

FIGURES = {
    # 1.1 25/20 → 40; 1.2 (25−20) × 2 = 10, the cap exactly; 1.3 12.000 → 24 × 500 → 24, capped
    # 20; 2.1 2 lớp → 30; B.1 6 × 1 = 6, capped +5; T.1 1 × 2 = −2; T.2 signed → 0; T.3 0 → 0.
    # regular 100 + bonus 5 − deduction 2 = 103: Xuất sắc (every regular criterion at 100 %).
    "AG": {
        "new_coops": 25,
        "new_members": 12000,
        "alliance_courses": 2,
        "new_models": 6,
        "late_reports": 1,
        "late_days": 0,
        "pledge_signed": 1,
    },
    # 1.1 30/20 → 40; 1.2 10 × 2 = 20, capped 10; 1.3 4.999 → 9 whole groups → 9; 2.1 → 30;
    # B.1 7 → +5; T.1 missing → nothing deducted (warning); T.2 → 0; T.3 4 days → 0 groups → 0.
    # regular 89 + bonus 5 = 94 ≥ 90, but 1.3 earned 9/20 = 45 % < 50 %: not Xuất sắc → Tốt.
    "ST": {
        "new_coops": 30,
        "new_members": 4999,
        "alliance_courses": 2,
        "new_models": 7,
        "late_days": 4,
        "pledge_signed": 1,
    },
    # 1.1 → 40; 1.2 max(0, 0) = 0 → 0; 1.3 3.000 → 6; 2.1 3 lớp → 30; B.1 0 → 0;
    # T.1 3 × 2 = −6; T.2 → 0; T.3 12 days → 2 groups → −2.
    # regular 76 − deduction 8 = 68: below 90 and 75 → Khá.
    "CT": {
        "new_coops": 20,
        "new_members": 3000,
        "alliance_courses": 3,
        "new_models": 0,
        "late_reports": 3,
        "late_days": 12,
        "pledge_signed": 1,
    },
    # 1.1 16/20 → 32; 1.2 max(0, −4) = 0; 1.3 10.000 → 20, the cap exactly; 2.1 1 lớp → 0;
    # B.1 3 → +3; T.1 7 × 2 = 14, capped −10; T.2 not signed → −8 (the requirement's shortfall);
    # T.3 30 days → 6 groups → 6, capped −5.
    # regular 52 + bonus 3 − deduction 23 = 32: no band.
    "CM": {
        "new_coops": 16,
        "new_members": 10000,
        "alliance_courses": 1,
        "new_models": 3,
        "late_reports": 7,
        "late_days": 30,
        "pledge_signed": 0,
    },
}

POINTS = {
    "AG": {"1.1": 40, "1.2": 10, "1.3": 20, "2.1": 30, "B.1": 5, "T.1": -2, "T.2": 0, "T.3": 0},
    "ST": {"1.1": 40, "1.2": 10, "1.3": 9, "2.1": 30, "B.1": 5, "T.1": 0, "T.2": 0, "T.3": 0},
    "CT": {"1.1": 40, "1.2": 0, "1.3": 6, "2.1": 30, "B.1": 0, "T.1": -6, "T.2": 0, "T.3": -2},
    "CM": {"1.1": 32, "1.2": 0, "1.3": 20, "2.1": 0, "B.1": 3, "T.1": -10, "T.2": -8, "T.3": -5},
}


def scored(language="vi"):
    scheme, warnings = parse_scheme(EXAMPLE.read_text(encoding="utf-8"), filename=EXAMPLE.name)
    assert warnings == []
    figures = {
        (unit, YEAR, code): float(value)
        for unit, values in FIGURES.items()
        for code, value in values.items()
    }
    return score(scheme, year=YEAR, members=list(FIGURES), figures=figures, language=language)


@pytest.fixture(scope="module")
def result():
    return scored()


def test_every_line_scores_as_computed_by_hand(result):
    got = {
        unit: {code: result.lines[(unit, code)].points for code in POINTS[unit]} for unit in POINTS
    }
    assert got == POINTS


def test_the_totals_ranks_and_bands_are_as_computed_by_hand(result):
    rows = [
        (s.unit, s.rank, s.regular, s.bonus, s.deduction, s.total, s.band) for s in result.standings
    ]
    assert rows == [
        ("AG", 1, 100.0, 5.0, 2.0, 103.0, "Xuất sắc"),
        ("ST", 2, 89.0, 5.0, 0.0, 94.0, "Tốt"),
        ("CT", 3, 76.0, 0.0, 8.0, 68.0, "Khá"),
        ("CM", 4, 52.0, 3.0, 23.0, 32.0, None),
    ]


def test_met_is_the_cap_for_earned_points_and_nothing_taken_for_deductions(result):
    met = {
        (u, c): result.lines[(u, c)].met
        for u in POINTS
        for c in ("1.2", "1.3", "B.1", "T.1", "T.3")
    }
    assert met == {
        ("AG", "1.2"): True,  # 10 = the cap exactly
        ("AG", "1.3"): True,
        ("AG", "B.1"): True,
        ("AG", "T.1"): False,  # 2 deducted
        ("AG", "T.3"): True,  # nothing deducted
        ("ST", "1.2"): True,
        ("ST", "1.3"): False,  # 9 of 20
        ("ST", "B.1"): True,
        ("ST", "T.1"): False,  # missing figure: not met, as elsewhere
        ("ST", "T.3"): True,  # 4 days: no whole group of 5
        ("CT", "1.2"): False,
        ("CT", "1.3"): False,
        ("CT", "B.1"): False,
        ("CT", "T.1"): False,
        ("CT", "T.3"): False,
        ("CM", "1.2"): False,
        ("CM", "1.3"): True,  # 20 = the cap exactly
        ("CM", "B.1"): False,
        ("CM", "T.1"): False,
        ("CM", "T.3"): False,
    }


def test_each_kind_of_line_explains_itself_in_vietnamese(result):
    def text(unit, code):
        return result.lines[(unit, code)].explanation

    assert text("AG", "1.2") == "5 HTX × 2 điểm = 10 điểm (tối đa 10)"
    assert text("AG", "1.3") == (
        "12.000 thành viên → 24 lần 500 thành viên × 1 điểm = 24 điểm → 20 điểm (tối đa 20)"
    )
    assert text("AG", "B.1") == "6 mô hình × 1 điểm = 6 điểm → cộng 5 điểm thưởng (tối đa 5)"
    assert text("AG", "T.1") == "1 lần chậm báo cáo × 2 điểm = trừ 2 điểm (tối đa 10)"
    assert text("ST", "T.1") == "Thiếu số liệu: late_reports — không trừ điểm"
    assert text("ST", "T.3") == "4 ngày → 0 lần 5 ngày × 1 điểm = không bị trừ điểm (tối đa 5)"
    assert text("CT", "T.3") == "12 ngày → 2 lần 5 ngày × 1 điểm = trừ 2 điểm (tối đa 5)"
    assert text("CM", "1.2") == "0 HTX × 2 điểm = 0 điểm (tối đa 10)"
    assert text("CM", "T.1") == "7 lần chậm báo cáo × 2 điểm = 14 điểm → trừ 10 điểm (tối đa 10)"
    # The pledge is a requirement, scored all or nothing: the shortfall is deducted.
    assert (
        text("CM", "T.2") == "Chỉ tiêu 1, đạt 0 → không đạt chỉ tiêu → trừ 8/8 điểm (đạt/không đạt)"
    )


def test_each_kind_of_line_explains_itself_in_english():
    english = scored("en")

    def text(unit, code):
        return english.lines[(unit, code)].explanation

    assert text("AG", "1.3") == (
        "12,000 thành viên → 24 × 500 thành viên × 1 point = 24 points → 20 points (at most 20)"
    )
    assert text("AG", "B.1") == "6 mô hình × 1 point = 6 points → 5 bonus points (at most 5)"
    assert text("CT", "T.1") == "3 lần chậm báo cáo × 2 points = 6 points deducted (at most 10)"
    assert text("CM", "T.1") == (
        "7 lần chậm báo cáo × 2 points = 14 points → 10 points deducted (at most 10)"
    )
    assert text("ST", "T.3") == "4 ngày → 0 × 5 ngày × 1 point = no points deducted (at most 5)"


def test_the_only_warning_is_the_missing_figure(result):
    assert [(w.code, w.unit, w.criterion, w.message) for w in result.warnings] == [
        ("missing_figure", "ST", "T.1", "Thiếu số liệu late_reports năm 2024")
    ]


def test_the_bands_are_explained_in_both_languages(result):
    st = result.standing("ST").band_explanation
    assert band_explanation_lines(st, "vi") == [
        "Xuất sắc cần tổng ≥ 90 và mỗi tiêu chí ≥ 50 % số điểm: 1.3 (Tăng số thành viên HTX) đạt 45 %",
        "Đạt “Tốt”: tổng 94 ≥ 75",
    ]
    assert band_explanation_lines(st, "en") == [
        "Xuất sắc needs total ≥ 90 and each criterion ≥ 50 % of its points: 1.3 (Tăng số thành viên HTX) reached 45 %",
        "Reached “Tốt”: total 94 ≥ 75",
    ]
    cm = result.standing("CM").band_explanation
    assert band_explanation_lines(cm, "en") == [
        "Xuất sắc needs total ≥ 90 and each criterion ≥ 50 % of its points: total 32",
        "Tốt needs total ≥ 75: total 32",
        "Khá needs total ≥ 60: total 32",
        "No band reached",
    ]


def test_the_json_carries_the_deductions_as_negative_points(result):
    ranking = {row["unit"]: row for row in result_to_dict(result)["ranking"]}
    assert ranking["CM"]["criteria"]["T.1"] == {
        "actual": 7.0,
        "target": None,
        "ratio": None,
        "met": False,
        "points": -10.0,
        "explanation": "7 lần chậm báo cáo × 2 điểm = 14 điểm → trừ 10 điểm (tối đa 10)",
    }
    assert ranking["CM"]["deduction"] == 23.0


def test_the_example_round_trips_through_dump():
    scheme, _ = parse_scheme(EXAMPLE.read_text(encoding="utf-8"), filename=EXAMPLE.name)
    again, warnings = parse_scheme(dump_scheme(scheme), filename="again.yaml")
    assert (again, warnings) == (scheme, [])


def test_the_documentation_links_the_example():
    assert "examples/scheme-per-item.yaml" in DOC.read_text(encoding="utf-8")
