"""Rule `per_item` (issue #18): fixed points per occurrence, capped at the criterion's points.

Regular and bonus criteria earn min(each × ⌊actual / per⌋, points) and are met at the cap; a
deduction takes the same amount away and is met when nothing is taken. See
docs/scheme-format.md, "per_item".
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import (
    FormulaError,
    ManualEntry,
    SchemeError,
    compile_formula,
    dump_scheme,
    parse_scheme,
    score,
)
from scoring.engine.formula import not_a_count
from tests.engine.builders import criterion, element, figures, scheme

Y = 2024


def per_item(code="c", measure="x", *, each=2.0, per=None, points=10.0, kind="regular", **kw):
    params = {"each": each} if per is None else {"each": each, "per": per}
    return criterion(
        code, measure, None, rule="per_item", points=points, kind=kind, params=params, **kw
    )


def run(*criteria, language="vi", manual=None, targets=None, **by_unit):
    return score(
        scheme(*criteria),
        year=Y,
        members=list(by_unit),
        figures=figures(Y, **by_unit),
        manual=manual or {},
        targets=targets or {},
        language=language,
    )


def codes(result):
    return sorted((w.code, w.unit, w.criterion) for w in result.warnings)


# --- regular ----------------------------------------------------------------------------------------


def test_a_regular_criterion_earns_each_points_per_occurrence():
    r = run(per_item(unit="HTX"), A={"x": 3})
    line = r.lines[("A", "c")]
    assert (line.points, line.met, line.actual, line.target, line.ratio) == (
        6.0,
        False,
        3,
        None,
        None,
    )
    assert line.explanation == "3 HTX × 2 điểm = 6 điểm (tối đa 10)"
    assert r.standing("A").regular == 6.0


def test_a_regular_criterion_is_met_when_the_cap_is_reached_and_never_passes_it():
    r = run(per_item(unit="HTX"), A={"x": 5}, B={"x": 7})
    a, b = r.lines[("A", "c")], r.lines[("B", "c")]
    assert (a.points, a.met) == (10.0, True)
    assert a.explanation == "5 HTX × 2 điểm = 10 điểm (tối đa 10)"
    assert (b.points, b.met) == (10.0, True)
    assert b.explanation == "7 HTX × 2 điểm = 14 điểm → 10 điểm (tối đa 10)"
    assert r.standing("B").total == 10.0


def test_a_regular_criterion_in_english_uses_english_numbers_and_plurals():
    r = run(per_item(each=0.5, points=2.5, unit="HTX"), language="en", A={"x": 3}, B={"x": 1234})
    assert r.lines[("A", "c")].explanation == "3 HTX × 0.5 points = 1.5 points (at most 2.5)"
    assert r.lines[("B", "c")].explanation == (
        "1,234 HTX × 0.5 points = 617 points → 2.5 points (at most 2.5)"
    )
    one = run(per_item(each=1, unit="HTX"), language="en", A={"x": 1})
    assert one.lines[("A", "c")].explanation == "1 HTX × 1 point = 1 point (at most 10)"


def test_vietnamese_numbers_keep_the_decimal_comma_and_dot_thousands():
    r = run(per_item(each=0.5, points=1000, unit="HTX"), A={"x": 1234})
    assert r.lines[("A", "c")].explanation == "1.234 HTX × 0,5 điểm = 617 điểm (tối đa 1.000)"


def test_a_negative_count_earns_nothing():
    # "2 points per cooperative above the target of 20": new_coops - 20 is -3 for 17.
    r = run(per_item(measure="new_coops - 20", unit="HTX"), A={"new_coops": 17})
    line = r.lines[("A", "c")]
    assert (line.points, line.met, line.actual) == (0.0, False, -3)
    assert line.explanation == "-3 HTX × 2 điểm = -6 điểm → 0 điểm (tối đa 10)"


# --- per ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "points"),
    [(499, 0.0), (500, 1.0), (999, 1.0), (1000, 2.0), (1250, 2.0), (1500, 3.0), (9000, 5.0)],
)
def test_per_counts_whole_groups_only(members, points):
    r = run(per_item(measure="m", each=1, per=500, points=5, unit="thành viên"), A={"m": members})
    assert r.lines[("A", "c")].points == points
    assert r.lines[("A", "c")].met is (points == 5.0)


def test_per_is_written_as_whole_groups_in_both_languages():
    crit = per_item(measure="m", each=1, per=500, points=5, unit="thành viên")
    vi = run(crit, A={"m": 1250}).lines[("A", "c")].explanation
    en = run(crit, language="en", A={"m": 1250}).lines[("A", "c")].explanation
    assert vi == "1.250 thành viên → 2 lần 500 thành viên × 1 điểm = 2 điểm (tối đa 5)"
    assert en == "1,250 thành viên → 2 × 500 thành viên × 1 point = 2 points (at most 5)"


def test_per_with_a_decimal_step_is_free_of_float_noise():
    # 0.3 / 0.1 is 2.9999999999999996 in binary; three whole steps of 0.1 were reached.
    r = run(per_item(measure="m", each=1, per=0.1, points=10), A={"m": 0.3})
    assert r.lines[("A", "c")].points == 3.0


# --- bonus -------------------------------------------------------------------------------------------


def test_a_bonus_adds_each_points_per_occurrence_on_top_of_the_scale():
    s = (
        criterion("r", "x", 1, rule="threshold", points=100),
        per_item(
            "B.1", "models", each=1, points=5, kind="bonus", group="Điểm thưởng", unit="mô hình"
        ),
    )
    r = run(*s, A={"x": 1, "models": 3}, B={"x": 1, "models": 6})
    a, b = r.standing("A"), r.standing("B")
    assert (a.regular, a.bonus, a.total) == (100.0, 3.0, 103.0)
    assert (b.bonus, b.total) == (5.0, 105.0)
    assert r.lines[("A", "B.1")].met is False
    assert r.lines[("B", "B.1")].met is True
    assert r.lines[("A", "B.1")].explanation == (
        "3 mô hình × 1 điểm = cộng 3 điểm thưởng (tối đa 5)"
    )
    assert r.lines[("B", "B.1")].explanation == (
        "6 mô hình × 1 điểm = 6 điểm → cộng 5 điểm thưởng (tối đa 5)"
    )
    en = run(*s, language="en", A={"x": 1, "models": 3})
    assert en.lines[("A", "B.1")].explanation == "3 mô hình × 1 point = 3 bonus points (at most 5)"


# --- deduction ---------------------------------------------------------------------------------------


def late_reports(**kw):
    kw.setdefault("group", "Điểm trừ")
    return per_item(
        "T.1", "late", each=2, points=10, kind="deduction", unit="lần chậm báo cáo", **kw
    )


def test_a_deduction_takes_away_each_points_per_occurrence():
    s = (criterion("r", "x", 1, rule="threshold", points=100), late_reports())
    r = run(*s, A={"x": 1, "late": 3})
    line, standing = r.lines[("A", "T.1")], r.standing("A")
    assert (line.points, line.met) == (-6.0, False)
    assert (standing.deduction, standing.total) == (6.0, 94.0)
    assert line.explanation == "3 lần chậm báo cáo × 2 điểm = trừ 6 điểm (tối đa 10)"
    en = run(*s, language="en", A={"x": 1, "late": 3}).lines[("A", "T.1")].explanation
    assert en == "3 lần chậm báo cáo × 2 points = 6 points deducted (at most 10)"


def test_a_deduction_is_met_when_nothing_is_deducted():
    r = run(late_reports(), A={"late": 0})
    line = r.lines[("A", "T.1")]
    assert (line.points, line.met) == (0.0, True)
    assert line.explanation == "0 lần chậm báo cáo × 2 điểm = không bị trừ điểm (tối đa 10)"
    assert r.standing("A").met_count == 1


def test_a_deduction_stops_at_its_cap():
    r = run(
        criterion("r", "x", 1, rule="threshold", points=100), late_reports(), A={"x": 1, "late": 7}
    )
    line = r.lines[("A", "T.1")]
    assert (line.points, line.met) == (-10.0, False)
    assert r.standing("A").total == 90.0
    assert line.explanation == "7 lần chậm báo cáo × 2 điểm = 14 điểm → trừ 10 điểm (tối đa 10)"


def test_a_deduction_with_per_takes_whole_groups():
    # "trừ 1 điểm cho mỗi 5 ngày chậm nộp, tối đa 5": 12 days late are two whole groups.
    crit = per_item("T.2", "days", each=1, per=5, points=5, kind="deduction", unit="ngày")
    r = run(crit, A={"days": 12}, B={"days": 4})
    assert r.lines[("A", "T.2")].points == -2.0
    assert r.lines[("B", "T.2")].points == 0.0
    assert r.lines[("B", "T.2")].met is True
    assert r.lines[("A", "T.2")].explanation == (
        "12 ngày → 2 lần 5 ngày × 1 điểm = trừ 2 điểm (tối đa 5)"
    )


# --- missing figures, targets, manual entries -----------------------------------------------------


def test_a_missing_figure_scores_nothing_and_warns_as_elsewhere():
    s = (criterion("r", "x", 1, rule="threshold"), per_item("p", "n", unit="HTX"), late_reports())
    r = run(*s, A={"x": 1})
    regular, deduction = r.lines[("A", "p")], r.lines[("A", "T.1")]
    assert (regular.points, regular.met, regular.actual) == (0.0, False, None)
    assert regular.explanation == "Thiếu số liệu: n — 0/10 điểm"
    assert (deduction.points, deduction.met) == (0.0, False)
    assert deduction.explanation == "Thiếu số liệu: late — không trừ điểm"
    assert r.standing("A").deduction == 0.0
    assert codes(r) == [("missing_figure", "A", "T.1"), ("missing_figure", "A", "p")]


def test_a_target_is_not_used_nor_warned_about():
    crit = dataclasses.replace(per_item(unit="HTX"), target=50.0)
    r = run(crit, targets={("A", "c"): 99.0}, A={"x": 3}, B={"x": 0})
    line = r.lines[("A", "c")]
    assert (line.points, line.target, line.ratio) == (6.0, None, None)
    # Nobody reached the cap, yet no "never met": there is no target to meet.
    assert codes(r) == []


def test_a_manual_entry_on_a_deduction_is_the_amount_deducted():
    r = run(
        late_reports(),
        manual={("A", "T.1"): ManualEntry(4.0, "một lần chậm có lý do")},
        A={"late": 3},
    )
    line = r.lines[("A", "T.1")]
    assert line.points == -4.0
    assert line.explanation == (
        "3 lần chậm báo cáo × 2 điểm = trừ 6 điểm (tối đa 10)"
        " — tính được 6, Ban thư ký điều chỉnh thành 4: một lần chậm có lý do"
    )


def test_a_knockout_per_item_criterion_is_not_met_below_its_cap():
    crit = per_item(unit="HTX", knockout=True)
    r = run(crit, A={"x": 3}, B={"x": 5})
    assert r.standing("A").eligible is False
    assert r.standing("B").eligible is True


def test_the_count_may_be_a_boolean_element():
    # "−8 nếu không ký giao ước" as one occurrence: not signed is 1, signed is 0.
    crit = per_item("T.3", "not signed", each=8, points=8, kind="deduction")
    s = scheme(crit, elements=(element("signed", type="boolean"),))
    r = score(s, year=Y, members=["A", "B"], figures=figures(Y, A={"signed": 0}, B={"signed": 1}))
    assert r.lines[("A", "T.3")].points == -8.0
    assert r.lines[("B", "T.3")].points == 0.0


# --- the scheme file --------------------------------------------------------------------------------

FILE = """
format: emulation-scheme/1
name: Khối thi đua thử
scale: 100
data_elements:
  - {code: late_reports, name: Số lần chậm báo cáo, type: integer, min: 0}
  - {code: members, name: Số thành viên, type: integer}
  - {code: signed, name: Đã ký giao ước, type: boolean}
  - {code: revenue, name: Doanh thu, type: decimal}
  - {code: share, name: Tỷ lệ, type: percent}
criteria:
  - code: T.1
    group: Điểm trừ
    name: Chậm báo cáo
    measure: late_reports
    points: 10
    kind: deduction
    rule: per_item
    each: 2
    unit: lần chậm báo cáo
"""


def parse(text):
    return parse_scheme(text, filename="khoi.yaml")


def with_lines(*lines):
    return FILE + "".join(f"    {line}\n" for line in lines)


def test_a_per_item_criterion_is_read_with_its_keys_and_round_trips():
    parsed, warnings = parse(with_lines("per: 5"))
    (crit,) = parsed.criteria
    assert (crit.rule, crit.kind, dict(crit.params)) == (
        "per_item",
        "deduction",
        {"each": 2.0, "per": 5.0},
    )
    assert warnings == []
    again, _ = parse(dump_scheme(parsed))
    assert again == parsed
    assert "  rule: per_item\n  unit: lần chậm báo cáo\n  each: 2\n  per: 5\n" in dump_scheme(
        parsed
    )


def test_per_is_optional():
    parsed, _ = parse(FILE)
    assert dict(parsed.criteria[0].params) == {"each": 2.0}


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        (
            "    each: 2\n",
            "",
            "khoi.yaml: criteria[0] (code 'T.1'): each: is required by rule per_item",
        ),
        (
            "each: 2",
            "each: 0",
            "khoi.yaml: criteria[0] (code 'T.1'): each: must be greater than 0, not 0",
        ),
        (
            "each: 2",
            "each: -2",
            "khoi.yaml: criteria[0] (code 'T.1'): each: must be greater than 0, not -2",
        ),
        (
            "each: 2",
            "each: hai",
            "khoi.yaml: criteria[0] (code 'T.1'): each: must be a number, not text",
        ),
        (
            "each: 2",
            "each: 2\n    per: 0",
            "khoi.yaml: criteria[0] (code 'T.1'): per: must be greater than 0, not 0",
        ),
        (
            "each: 2",
            "each: 2\n    per: -500",
            "khoi.yaml: criteria[0] (code 'T.1'): per: must be greater than 0, not -500",
        ),
        (
            "each: 2",
            "each: 1.0e+300",
            "khoi.yaml: criteria[0] (code 'T.1'): each: must be at most 1e+14, not 1e+300",
        ),
        (
            "measure: late_reports",
            "measure: revenue",
            "khoi.yaml: criteria[0] (code 'T.1'): measure: rule per_item counts occurrences, but 'revenue' is a decimal data element, not a count",
        ),
        (
            "measure: late_reports",
            "measure: share",
            "khoi.yaml: criteria[0] (code 'T.1'): measure: rule per_item counts occurrences, but 'share' is a percent data element, not a count",
        ),
        (
            "measure: late_reports",
            "measure: late_reports / 2",
            "khoi.yaml: criteria[0] (code 'T.1'): measure: rule per_item counts occurrences, but the measure divides ('/'); to count whole groups use 'per'",
        ),
        (
            "measure: late_reports",
            "measure: late_reports * 1.5",
            "khoi.yaml: criteria[0] (code 'T.1'): measure: rule per_item counts occurrences, but the number 1.5 is not whole",
        ),
        (
            "measure: late_reports",
            "measure: round(prev(revenue))",
            "khoi.yaml: criteria[0] (code 'T.1'): measure: rule per_item counts occurrences, but round() makes a count of an amount; to count whole groups use 'per'",
        ),
    ],
)
def test_a_per_item_criterion_that_cannot_count_is_refused_naming_the_criterion_and_key(
    replace, by, message
):
    assert replace in FILE
    with pytest.raises(SchemeError) as caught:
        parse(FILE.replace(replace, by, 1))
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "measure",
    [
        "late_reports",
        "prev(late_reports)",
        "not signed",
        "max(0, members - 20)",
        "late_reports + 2 * members - prev(members)",
        "if(share >= 50, late_reports, 0)",
        "(revenue > 1000) + (share < 10)",
        "abs(min(members, 3))",
    ],
)
def test_counts_are_integer_and_boolean_elements_and_whole_arithmetic_on_them(measure):
    parsed, _ = parse(FILE.replace("measure: late_reports", f'measure: "{measure}"', 1))
    assert parsed.criteria[0].measure == measure


def test_a_target_on_a_per_item_criterion_is_ignored_with_a_warning():
    _, warnings = parse(with_lines("target: 0", "direction: lower"))
    assert warnings == [
        "khoi.yaml: criteria[0] (code 'T.1'): target is ignored by rule per_item",
        "khoi.yaml: criteria[0] (code 'T.1'): direction is ignored by rule per_item",
    ]


def test_each_and_per_on_another_rule_are_ignored_with_a_warning():
    text = FILE.replace("rule: per_item", "rule: threshold\n    target: 0\n    direction: lower")
    parsed, warnings = parse(text + "    per: 3\n")
    assert warnings == [
        "khoi.yaml: criteria[0] (code 'T.1'): each is ignored by rule threshold",
        "khoi.yaml: criteria[0] (code 'T.1'): per is ignored by rule threshold",
    ]
    assert parsed.criteria[0].rule == "threshold"


COUNT_TOKENS = ["a", "b", "d", "prev(a)", "1", "0", "2", "2.5", "+", "-", "*", "/", "(", ")", ","]
COUNT_TOKENS += ["<", ">=", "and", "or", "not", "if(", "min(", "max(", "abs(", "round(", " "]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(COUNT_TOKENS), min_size=1, max_size=14))
def test_a_measure_accepted_as_a_count_gives_whole_numbers_on_whole_figures(tokens):
    """The check is sound: whatever formula it lets through, integer figures give integers
    (or no value at all); `d` is a decimal element."""
    text = " ".join(tokens)
    try:
        formula = compile_formula(text, names=("a", "b", "d"))
    except FormulaError:
        return
    if not_a_count(formula, {"a": "integer", "b": "boolean", "d": "decimal"}) is not None:
        return
    columns = {"a": [3.0, -7.0, 0.0, 12.0], "b": [1.0, 0.0, 1.0, 0.0], "d": [0.5, 2.25, -1.5, 7.0]}
    values = formula.evaluate_columns(columns, 4, {"a": [2.0, 5.0, -1.0, 0.0]})
    assert all(v is None or float(v).is_integer() for v in values), (text, values)


def test_a_count_past_any_float_is_written_not_crashed_on():
    # `per` is bounded below only by 0: 10 billion over 1e-300 is more groups than a float holds.
    r = run(per_item(each=2, per=1e-300, unit="HTX"), language="en", A={"x": 1e10})
    line = r.lines[("A", "c")]
    assert (line.points, line.met) == (10.0, True)
    assert line.explanation == (
        "10,000,000,000 HTX → ∞ × 0 HTX × 2 points = ∞ points → 10 points (at most 10)"
    )
