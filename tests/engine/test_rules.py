from __future__ import annotations

import datetime

import pytest

from scoring.engine import ManualEntry, Succession, score
from tests.engine.builders import criterion, element, figures, scheme

Y = 2021


def one(crit, values, *, target_overrides=None, manual=None, language="vi", elements=()):
    """Score one criterion for members given as {unit: {element: value}}; return the result."""
    return score(
        scheme(crit, elements=elements),
        year=Y,
        members=list(values),
        figures=figures(Y, **values),
        targets=target_overrides or {},
        manual=manual or {},
        language=language,
    )


def line(result, unit, code="c"):
    return result.lines[(unit, code)]


def codes(result):
    return sorted((w.code, w.unit, w.criterion) for w in result.warnings)


# --- ratio and met ---------------------------------------------------------------------------


def test_it_scores_full_points_when_target_met():
    r = one(criterion("c", "x", 20, rule="proportional"), {"A": {"x": 20}})
    assert line(r, "A").points == 10.0
    assert line(r, "A").ratio == 1.0
    assert line(r, "A").met is True


def test_proportional_scores_the_share_of_the_target_reached():
    r = one(criterion("c", "x", 8, rule="proportional", unit="%"), {"A": {"x": 6.1}})
    assert line(r, "A").points == pytest.approx(7.625)
    assert line(r, "A").ratio == pytest.approx(0.7625)
    assert line(r, "A").met is False


def test_proportional_never_exceeds_the_criterion_points():
    r = one(criterion("c", "x", 10, rule="proportional", params={"cap": 1.5}), {"A": {"x": 30}})
    assert line(r, "A").points == 10.0
    assert line(r, "A").ratio == 3.0


def test_proportional_gives_nothing_below_the_floor():
    crit = criterion("c", "x", 10, rule="proportional", params={"floor": 0.5})
    r = one(crit, {"A": {"x": 4}, "B": {"x": 5}})
    assert line(r, "A").points == 0.0
    assert line(r, "B").points == 5.0
    assert "dưới 0,5 lần chỉ tiêu không có điểm" in line(r, "A").explanation


def test_a_cap_below_one_limits_the_share():
    r = one(criterion("c", "x", 10, rule="proportional", params={"cap": 0.8}), {"A": {"x": 10}})
    assert line(r, "A").points == 8.0


def test_negative_growth_scores_zero_not_negative():
    r = one(criterion("c", "x", 8, rule="proportional", unit="%"), {"A": {"x": -2}})
    assert line(r, "A").points == 0.0
    assert line(r, "A").ratio == -0.25
    assert line(r, "A").met is False


def test_a_share_that_is_the_target_up_to_float_noise_is_met():
    # 54 / 90 * 100 is 60.00000000000001 or 59.999… depending on the order of operations.
    r = one(
        criterion("c", "e / o * 100", 60, rule="threshold"),
        {"A": {"e": 54, "o": 90}, "B": {"e": 0.7, "o": 1}},
    )
    assert line(r, "A").met is True
    assert line(r, "A").points == 10.0


def test_lower_direction_uses_target_over_actual():
    crit = criterion("c", "days", 4, direction="lower", rule="proportional")
    r = one(crit, {"A": {"days": 8}, "B": {"days": 2}})
    assert line(r, "A").ratio == 0.5
    assert line(r, "A").points == 5.0
    assert line(r, "B").ratio == 2.0
    assert line(r, "B").points == 10.0
    assert line(r, "B").met is True


def test_lower_direction_with_zero_actual_is_met_without_a_ratio():
    crit = criterion("c", "days", 4, direction="lower", rule="proportional")
    r = one(crit, {"A": {"days": 0}})
    assert line(r, "A").ratio is None
    assert line(r, "A").met is True
    assert line(r, "A").points == 10.0


def test_lower_direction_with_zero_target_compares_directly():
    crit = criterion("c", "days", 0, direction="lower", rule="threshold")
    r = one(crit, {"A": {"days": 0}, "B": {"days": 3}})
    assert (line(r, "A").ratio, line(r, "A").met, line(r, "A").points) == (None, True, 10.0)
    assert (line(r, "B").ratio, line(r, "B").met, line(r, "B").points) == (None, False, 0.0)


def test_higher_direction_with_zero_target_compares_directly():
    crit = criterion("c", "x", 0, rule="proportional")
    r = one(crit, {"A": {"x": 0}, "B": {"x": -1}})
    assert (line(r, "A").ratio, line(r, "A").met, line(r, "A").points) == (None, True, 10.0)
    assert (line(r, "B").ratio, line(r, "B").met, line(r, "B").points) == (None, False, 0.0)


def test_a_negative_target_is_compared_directly():
    # "Shrink by at most 5%": -3% growth meets it even though -3 / -5 would look like 0.6.
    crit = criterion("c", "x", -5, rule="proportional", unit="%")
    r = one(crit, {"A": {"x": -3}, "B": {"x": -7}})
    assert (line(r, "A").met, line(r, "A").points) == (True, 10.0)
    assert (line(r, "B").met, line(r, "B").points) == (False, 0.0)


def test_a_member_target_overrides_the_default():
    crit = criterion("c", "x", 20, rule="proportional")
    r = one(crit, {"A": {"x": 10}, "B": {"x": 10}}, target_overrides={("B", "c"): 10})
    assert line(r, "A").points == 5.0
    assert line(r, "B").points == 10.0
    assert line(r, "B").target == 10.0


# --- other rules -------------------------------------------------------------------------------


def test_threshold_is_all_or_nothing_with_optional_else_points():
    crit = criterion("c", "x", 2, rule="threshold", params={"else_points": 3})
    r = one(crit, {"A": {"x": 2}, "B": {"x": 1}})
    assert line(r, "A").points == 10.0
    assert line(r, "B").points == 3.0


def test_bands_take_the_first_band_reached_from_the_top():
    bands = (
        {"min_ratio": 0.5, "points": 7},
        {"min_ratio": 1.0, "points": 15},
        {"min_ratio": 0.8, "points": 11},
    )
    crit = criterion("c", "x", 10, rule="bands", points=15, params={"bands": bands})
    r = one(crit, {"A": {"x": 12}, "B": {"x": 8}, "C": {"x": 7.9}, "D": {"x": 5}, "E": {"x": 4.9}})
    assert [line(r, u).points for u in "ABCDE"] == [15.0, 11.0, 7.0, 7.0, 0.0]
    assert line(r, "B").explanation == (
        "Chỉ tiêu 10, đạt 8 → bằng 0,8 lần chỉ tiêu → 11/15 điểm (theo mức: từ 0,8 lần chỉ tiêu được 11 điểm)"
    )
    assert "chưa đạt mức thấp nhất 0,5 lần chỉ tiêu" in line(r, "E").explanation


def test_relative_gives_the_leader_full_points_and_others_in_proportion():
    crit = criterion("c", "x", 70, rule="relative", unit="%")
    r = one(crit, {"A": {"x": 80}, "B": {"x": 40}, "C": {"x": -5}})
    assert line(r, "A").points == 10.0
    assert line(r, "B").points == 5.0
    assert line(r, "C").points == 0.0
    assert line(r, "B").explanation.endswith("(so với đơn vị dẫn đầu, đạt 1,14 lần chỉ tiêu)")


def test_relative_gives_nothing_when_the_best_is_not_positive():
    r = one(criterion("c", "x", 10, rule="relative"), {"A": {"x": 0}, "B": {"x": -1}})
    assert line(r, "A").points == 0.0
    assert line(r, "B").points == 0.0


def test_relative_without_a_target_compares_the_results():
    r = one(criterion("c", "x", None, rule="relative"), {"A": {"x": 9}, "B": {"x": 6}})
    assert line(r, "A").points == 10.0
    assert line(r, "B").points == pytest.approx(6.6667, abs=1e-4)
    assert line(r, "B").explanation == "Đạt 6 → 6,67/10 điểm (so với đơn vị dẫn đầu, đạt 9)"


def test_relative_lower_direction_without_a_target_rewards_the_smallest():
    r = one(
        criterion("c", "x", None, rule="relative", direction="lower"),
        {"A": {"x": 2}, "B": {"x": 4}},
    )
    assert line(r, "A").points == 10.0
    assert line(r, "B").points == 5.0


def test_formula_rule_uses_rule_variables_and_is_clamped():
    crit = criterion(
        "c",
        "x",
        10,
        rule="formula",
        params={"points_formula": "max_points * actual / best_actual + 100 * (actual < 0) - 5"},
    )
    r = one(crit, {"A": {"x": 20}, "B": {"x": 10}, "C": {"x": 2}, "D": {"x": -1}})
    assert line(r, "A").points == 5.0  # 10 * 1 - 5
    assert line(r, "B").points == 0.0  # 10 * 0.5 - 5
    assert line(r, "C").points == 0.0  # negative, clamped
    assert line(r, "D").points == 10.0  # 100-ish, clamped to max_points


def test_formula_rule_mean_and_worst_actual_are_over_members():
    crit = criterion(
        "c",
        "x",
        10,
        rule="formula",
        params={"points_formula": "if(actual >= mean_actual, max_points, worst_actual)"},
    )
    r = one(crit, {"A": {"x": 6}, "B": {"x": 2}, "C": {"x": 1}})
    assert [line(r, u).points for u in "ABC"] == [10.0, 1.0, 1.0]


def test_formula_rule_that_cannot_be_computed_gives_zero_with_a_warning():
    crit = criterion("c", "x", 10, rule="formula", params={"points_formula": "max_points / actual"})
    r = one(crit, {"A": {"x": 0}})
    assert line(r, "A").points == 0.0
    assert ("division_by_zero", "A", "c") in codes(r)


# --- kinds ---------------------------------------------------------------------------------------


def test_bonus_points_are_added_on_top_and_can_exceed_the_scale():
    s = scheme(
        criterion("r", "x", 1, rule="threshold", points=100),
        criterion("b", "h", 1, rule="threshold", points=5, kind="bonus", group="Điểm thưởng"),
    )
    r = score(s, year=Y, members=["A"], figures=figures(Y, A={"x": 1, "h": 2}))
    standing = r.standings[0]
    assert (standing.regular, standing.bonus, standing.total) == (100.0, 5.0, 105.0)
    assert r.lines[("A", "b")].explanation == (
        "Chỉ tiêu 1, đạt 2 → đạt chỉ tiêu → 5/5 điểm thưởng (đạt/không đạt)"
    )


def test_deduction_takes_away_the_shortfall_and_nothing_when_met():
    s = scheme(
        criterion("r", "x", 1, rule="threshold", points=50),
        criterion(
            "t",
            "late",
            0,
            rule="threshold",
            points=5,
            kind="deduction",
            direction="lower",
            unit="ngày",
        ),
        criterion("p", "share", 100, rule="proportional", points=10, kind="deduction"),
    )
    r = score(
        s,
        year=Y,
        members=["A", "B"],
        figures=figures(Y, A={"x": 1, "late": 3, "share": 80}, B={"x": 1, "late": 0, "share": 100}),
    )
    a, b = r.standing("A"), r.standing("B")
    assert r.lines[("A", "t")].points == -5.0
    assert r.lines[("A", "p")].points == pytest.approx(-2.0)
    assert (a.regular, a.deduction, a.total) == (50.0, pytest.approx(7.0), pytest.approx(43.0))
    assert (b.deduction, b.total) == (0.0, 50.0)
    assert r.lines[("B", "t")].points == 0.0
    assert r.lines[("A", "t")].explanation == (
        "Chỉ tiêu tối đa 0 ngày, thực tế 3 ngày → không đạt chỉ tiêu → trừ 5/5 điểm (đạt/không đạt)"
    )
    assert r.lines[("B", "t")].explanation == (
        "Chỉ tiêu tối đa 0 ngày, thực tế 0 ngày → đạt chỉ tiêu → không bị trừ điểm (đạt/không đạt)"
    )
    assert b.met_count == 3


def test_a_missing_measure_on_a_deduction_deducts_nothing_but_warns():
    s = scheme(
        criterion("r", "x", 1, rule="threshold"),
        criterion("t", "late", 0, rule="threshold", points=5, kind="deduction", direction="lower"),
    )
    r = score(s, year=Y, members=["A"], figures=figures(Y, A={"x": 1}))
    assert r.lines[("A", "t")].points == 0.0
    assert r.standing("A").deduction == 0.0
    assert r.lines[("A", "t")].explanation == "Thiếu số liệu: late — không trừ điểm"
    assert ("missing_figure", "A", "t") in codes(r)


def test_knockout_not_met_makes_the_member_ineligible():
    s = scheme(
        criterion("k", "x", 100, rule="proportional", knockout=True),
        classification=(),
    )
    r = score(s, year=Y, members=["A", "B"], figures=figures(Y, A={"x": 80}, B={"x": 100}))
    assert r.standing("A").eligible is False
    assert r.standing("B").eligible is True
    assert r.lines[("A", "k")].points == 8.0
    assert r.lines[("A", "k")].explanation.endswith(
        "; tiêu chí bắt buộc không đạt — đơn vị không đủ điều kiện xếp loại"
    )


# --- manual points and adjustments ------------------------------------------------------------


def test_manual_points_come_from_the_secretariat_with_the_reason():
    crit = criterion("c", "", None, rule="manual", points=10)
    r = one(
        crit,
        {"A": {"x": 1}, "B": {"x": 1}, "C": {"x": 1}},
        manual={
            ("A", "c"): ManualEntry(7, "Tổ chức tốt phong trào"),
            ("B", "c"): ManualEntry(12, "Vượt khung"),
        },
    )
    assert line(r, "A").points == 7.0
    assert line(r, "A").explanation == "Chấm trực tiếp: 7/10 điểm — Tổ chức tốt phong trào"
    assert line(r, "B").points == 10.0
    assert "(điểm nhập 12 nằm ngoài khoảng 0–10, lấy 10)" in line(r, "B").explanation
    assert line(r, "C").points == 0.0
    assert [c for c in codes(r) if c[0].startswith("manual")] == [
        ("manual_missing", "C", "c"),
        ("manual_out_of_range", "B", "c"),
    ]


def test_a_manual_deduction_entry_is_the_amount_deducted():
    crit = criterion("c", "", None, rule="manual", points=5, kind="deduction")
    r = one(
        crit, {"A": {"x": 1}}, manual={("A", "c"): ManualEntry(2, "Không ký giao ước đúng hạn")}
    )
    assert line(r, "A").points == -2.0
    assert r.standing("A").deduction == 2.0
    assert line(r, "A").explanation == "Chấm trực tiếp: trừ 2/5 điểm — Không ký giao ước đúng hạn"


def test_a_manual_entry_on_a_computed_criterion_is_an_adjustment():
    crit = criterion("c", "x", 20, rule="proportional", points=15)
    r = one(
        crit, {"A": {"x": 10}}, manual={("A", "c"): ManualEntry(12, "HTX chuyển đổi được tính")}
    )
    assert line(r, "A").points == 12.0
    assert line(r, "A").explanation == (
        "Chỉ tiêu 20, đạt 10 → bằng 0,5 lần chỉ tiêu → 7,5/15 điểm (tính theo tỷ lệ)"
        " — tính được 7,5, Ban thư ký điều chỉnh thành 12: HTX chuyển đổi được tính"
    )


def test_an_adjustment_reads_in_english_too():
    crit = criterion("c", "x", 20, rule="proportional", points=15)
    r = one(
        crit,
        {"A": {"x": 10}},
        manual={("A", "c"): ManualEntry(12, "converted coops count")},
        language="en",
    )
    assert line(r, "A").explanation == (
        "target 20, achieved 10 → 0.5 of target → 7.5 of 15 points (proportional)"
        " — computed 7.5, set to 12 by the secretariat: converted coops count"
    )


# --- explanations --------------------------------------------------------------------------------


def test_explanations_read_as_the_brief_says_in_vietnamese_and_english():
    crit = criterion("c", "x", 8, rule="proportional", unit="%")
    vi = one(crit, {"A": {"x": 6.1}})
    en = one(crit, {"A": {"x": 6.1}}, language="en")
    assert line(vi, "A").explanation == (
        "Chỉ tiêu 8%, đạt 6,1% → bằng 0,76 lần chỉ tiêu → 7,63/10 điểm (tính theo tỷ lệ)"
    )
    assert line(en, "A").explanation == (
        "target 8%, achieved 6.1% → 0.76 of target → 7.63 of 10 points (proportional)"
    )


def test_explanations_use_vietnamese_thousands_and_decimal_marks():
    crit = criterion("c", "x", 1500, rule="threshold", unit="HTX", points=2.5)
    r = one(crit, {"A": {"x": 1234.5}})
    assert line(r, "A").explanation == (
        "Chỉ tiêu 1.500 HTX, đạt 1.234,5 HTX → không đạt chỉ tiêu → 0/2,5 điểm (đạt/không đạt)"
    )


# --- missing figures ------------------------------------------------------------------------------


def test_a_missing_figure_scores_zero_and_names_the_element():
    r = one(
        criterion("c", "e / o * 100", 60, unit="%", points=15),
        {"A": {"e": 5}, "B": {"e": 1, "o": 2}},
    )
    assert line(r, "A").points == 0.0
    assert line(r, "A").met is False
    assert line(r, "A").actual is None
    assert line(r, "A").explanation == "Thiếu số liệu: o — 0/15 điểm"
    (warning,) = [w for w in r.warnings if w.code == "missing_figure"]
    assert (warning.unit, warning.criterion, warning.message) == (
        "A",
        "c",
        "Thiếu số liệu o năm 2021",
    )


def test_a_division_by_zero_scores_zero_with_its_own_warning():
    r = one(criterion("c", "e / o * 100", 60, unit="%"), {"A": {"e": 0, "o": 0}}, language="en")
    assert line(r, "A").points == 0.0
    assert line(r, "A").explanation == "cannot compute: division by zero — 0 of 10 points"
    assert ("division_by_zero", "A", "c") in codes(r)


def test_a_member_without_any_figure_gets_one_no_report_warning():
    s = scheme(criterion("c1", "x", 1), criterion("c2", "y", 1))
    r = score(s, year=Y, members=["A", "B"], figures=figures(Y, A={"x": 1, "y": 1}))
    assert [(w.code, w.unit) for w in r.warnings if w.unit == "B"] == [("no_report", "B")]
    assert r.standing("B").total == 0.0
    assert r.lines[("B", "c1")].explanation == "Thiếu số liệu: x — 0/10 điểm"


def test_a_member_without_a_target_scores_zero_with_a_warning():
    r = one(criterion("c", "x", None, rule="threshold"), {"A": {"x": 3}})
    assert line(r, "A").points == 0.0
    assert line(r, "A").explanation == "Chưa có chỉ tiêu — 0/10 điểm"
    assert codes(r) == [("missing_target", "A", "c")]


# --- feasibility warnings ---------------------------------------------------------------------------


def test_content_three_is_reported_as_an_unreachable_target():
    # The seed's "content 3": commend 65% of workers, but the denominator added members.
    elements = (
        element("workers"),
        element("members"),
        element("commended", max_element="workers"),
    )
    crit = criterion("3", "commended / (workers + members) * 100", 65, unit="%", rule="threshold")
    r = one(
        crit,
        {
            "KG": {"workers": 40, "members": 60, "commended": 30},
            "AG": {"workers": 90, "members": 10, "commended": 50},
        },
        elements=elements,
    )
    unreachable = [w for w in r.warnings if w.code == "unreachable_target"]
    assert [(w.unit, w.criterion) for w in unreachable] == [("KG", "3")]
    assert unreachable[0].message == (
        "Chỉ tiêu 65% không thể đạt với số liệu đã báo cáo: kể cả khi commended = workers thì chỉ đạt 40%"
    )


def test_a_bound_in_a_denominator_does_not_raise_a_false_unreachable_warning():
    elements = (element("total"), element("part", max_element="total"))
    crit = criterion("c", "total / part", 5, rule="threshold")
    r = one(crit, {"A": {"total": 10, "part": 5}}, elements=elements)
    assert "unreachable_target" not in [w.code for w in r.warnings]


def test_never_met_names_a_criterion_no_member_met():
    r = one(criterion("c", "x", 10, rule="threshold"), {"A": {"x": 1}, "B": {"x": 2}})
    assert ("never_met", None, "c") in codes(r)
    r = one(criterion("c", "x", 10, rule="threshold"), {"A": {"x": 10}, "B": {"x": 2}})
    assert "never_met" not in [w.code for w in r.warnings]


def test_target_above_100_is_flagged_for_percentages_by_default_and_per_member():
    elements = (element("share", type="percent"),)
    crit = criterion("c", "share", 120, rule="threshold")
    r = one(crit, {"A": {"share": 90}}, elements=elements, target_overrides={("A", "c"): 105})
    warned = [(w.unit, w.code) for w in r.warnings if w.code == "target_above_100"]
    assert warned == [(None, "target_above_100"), ("A", "target_above_100")]
    assert r.warnings[0].message == "Chỉ tiêu 120% của tiêu chí c vượt quá 100%"


def test_target_above_100_is_not_flagged_for_counts():
    r = one(criterion("c", "x", 150, rule="threshold"), {"A": {"x": 160}})
    assert "target_above_100" not in [w.code for w in r.warnings]


def test_a_figure_above_its_max_element_is_flagged():
    elements = (element("o"), element("e", max_element="o"))
    r = one(criterion("c", "e / o * 100", 60), {"A": {"e": 12, "o": 10}}, elements=elements)
    (warning,) = [w for w in r.warnings if w.code == "figure_out_of_range"]
    assert warning.unit == "A"
    assert warning.message == "Số liệu e = 12 vượt giới hạn o = 10"


# --- previous year and mergers ----------------------------------------------------------------------


def merger_scheme():
    return scheme(
        criterion("2.3", "(m - prev(m)) / prev(m) * 100", 8, rule="proportional", unit="%")
    )


MERGER = [Succession("KG", "AG", datetime.date(2025, 7, 1))]


def test_prev_sums_predecessors_that_merged_during_the_year():
    figs = {("AG", 2024, "m"): 1000, ("KG", 2024, "m"): 500, ("AG", 2025, "m"): 1620}
    r = score(merger_scheme(), year=2025, members=["AG"], figures=figs, successions=MERGER)
    assert r.lines[("AG", "2.3")].actual == pytest.approx(8.0)
    assert r.lines[("AG", "2.3")].points == pytest.approx(10.0)


def test_prev_after_the_merger_year_uses_the_successor_alone():
    figs = {("AG", 2025, "m"): 1620, ("KG", 2025, "m"): 999, ("AG", 2026, "m"): 1782}
    r = score(merger_scheme(), year=2026, members=["AG"], figures=figs, successions=MERGER)
    assert r.lines[("AG", "2.3")].actual == pytest.approx(10.0)


def test_prev_before_the_merger_year_uses_the_unit_alone():
    # In 2021 Kiên Giang still competed on its own: An Giang's growth base is An Giang's alone.
    figs = {("AG", 2020, "m"): 1000, ("KG", 2020, "m"): 500, ("AG", 2021, "m"): 1080}
    r = score(merger_scheme(), year=2021, members=["AG"], figures=figs, successions=MERGER)
    assert r.lines[("AG", "2.3")].actual == pytest.approx(8.0)
    assert not [w for w in r.warnings if w.code == "prev_partial"]


def test_prev_follows_transitive_predecessors():
    chain = [
        Succession("HG", "ST", datetime.date(2025, 7, 1)),
        Succession("ST", "CT", datetime.date(2025, 7, 1)),
    ]
    figs = {
        ("CT", 2024, "m"): 100,
        ("ST", 2024, "m"): 100,
        ("HG", 2024, "m"): 100,
        ("CT", 2025, "m"): 324,
    }
    r = score(merger_scheme(), year=2025, members=["CT"], figures=figs, successions=chain)
    assert r.lines[("CT", "2.3")].actual == pytest.approx(8.0)


def test_prev_with_a_missing_predecessor_sums_the_rest_and_warns():
    figs = {("AG", 2024, "m"): 1000, ("AG", 2025, "m"): 1080}
    r = score(merger_scheme(), year=2025, members=["AG"], figures=figs, successions=MERGER)
    assert r.lines[("AG", "2.3")].actual == pytest.approx(8.0)
    (warning,) = [w for w in r.warnings if w.code == "prev_partial"]
    assert warning.unit == "AG"
    assert "KG" in warning.message


def test_prev_missing_for_the_whole_group_is_a_missing_figure():
    figs = {("AG", 2025, "m"): 1080}
    r = score(merger_scheme(), year=2025, members=["AG"], figures=figs, successions=MERGER)
    assert r.lines[("AG", "2.3")].explanation == "Thiếu số liệu: prev(m) — 0/10 điểm"
    (warning,) = [w for w in r.warnings if w.code == "missing_figure"]
    assert warning.message == "Thiếu số liệu m năm 2024"


def test_duplicate_members_are_refused():
    with pytest.raises(ValueError, match="distinct"):
        score(merger_scheme(), year=2025, members=["AG", "AG"], figures={})
