from __future__ import annotations

import time

import pytest

from scoring.engine import FormulaError, Missing, compile_formula
from scoring.engine.formula import MAX_DEPTH, MAX_LENGTH

NAMES = {"a", "b", "coops_effective", "coops_operating", "staff"}


def run(text: str, **values: float | None) -> float | None:
    return compile_formula(text, names=NAMES).evaluate(values)


def test_it_follows_operator_precedence():
    assert run("1 + 2 * 3") == 7.0
    assert run("(1 + 2) * 3") == 9.0
    assert run("10 - 4 - 3") == 3.0
    assert run("24 / 4 / 2") == 3.0
    assert run("-2 * 3 + 10") == 4.0
    assert run("- - 4") == 4.0


def test_it_computes_a_share_of_two_elements():
    assert run(
        "coops_effective / coops_operating * 100", coops_effective=54, coops_operating=90
    ) == pytest.approx(60.0)


def test_it_reads_numbers_with_decimals_and_exponents():
    assert run("0.5 + .25 + 1e3 + 2.5E-1") == 1000.0 + 0.5 + 0.25 + 0.25


def test_comparisons_and_logic_give_one_or_zero():
    assert run("a > b", a=2, b=1) == 1.0
    assert run("a <= b", a=2, b=1) == 0.0
    assert run("a == 2 and b != 2", a=2, b=1) == 1.0
    assert run("a < 0 or b < 0", a=2, b=1) == 0.0
    assert run("not a", a=0) == 1.0
    assert run("not (a > 1)", a=2) == 0.0


def test_functions_compute_what_they_say():
    assert run("min(a, b, 3)", a=5, b=4) == 3.0
    assert run("max(a, b)", a=5, b=4) == 5.0
    assert run("abs(a - b)", a=1, b=4) == 3.0
    assert run("round(a, 2)", a=2.675) == 2.68
    assert run("round(a)", a=-2.5) == -3.0
    assert run("if(a > b, 10, 20)", a=1, b=2) == 20.0


def test_a_missing_figure_makes_the_result_missing_and_says_which():
    formula = compile_formula("a / b * 100", names=NAMES)
    values = formula.evaluate_detailed({"a": [1, None, 3], "b": [2, 2, None]}, 3)
    assert values[0] == 50.0
    assert values[1] == Missing("missing_figure", "a")
    assert values[2] == Missing("missing_figure", "b")
    assert formula.evaluate_columns({"a": [1, None], "b": [2, 2]}, 2) == [50.0, None]


def test_an_element_absent_from_the_columns_is_missing_for_every_row():
    values = compile_formula("a + 1", names=NAMES).evaluate_detailed({}, 2)
    assert values == [Missing("missing_figure", "a")] * 2


def test_division_by_zero_is_missing_with_its_reason():
    values = compile_formula("a / b", names=NAMES).evaluate_detailed({"a": [1.0], "b": [0.0]}, 1)
    assert values == [Missing("division_by_zero")]


def test_if_evaluates_only_the_chosen_branch_per_row():
    formula = compile_formula("if(b > 0, a / b, 0)", names=NAMES)
    assert formula.evaluate_columns({"a": [6, 6], "b": [0, 3]}, 2) == [0.0, 2.0]


def test_and_short_circuits_per_row():
    formula = compile_formula("b > 0 and a / b > 1", names=NAMES)
    assert formula.evaluate_columns({"a": [6, 6, 1], "b": [0, 3, 3]}, 3) == [0.0, 1.0, 0.0]


def test_prev_reads_the_previous_year_column_and_is_recorded():
    formula = compile_formula("(staff - prev(staff)) / prev(staff) * 100", names=NAMES)
    assert formula.names == {"staff"}
    assert formula.prev_names == {"staff"}
    values = formula.evaluate_detailed({"staff": [110, 50]}, 2, {"staff": [100, None]})
    assert values[0] == pytest.approx(10.0)
    assert values[1] == Missing("missing_figure", "staff", prev=True)
    assert values[1].describe() == "prev(staff)"


def test_overflow_becomes_missing():
    values = compile_formula("a * a * a", names=NAMES).evaluate_detailed({"a": [1e200]}, 1)
    assert values == [Missing("overflow")]


def test_non_finite_inputs_count_as_not_reported():
    assert run("a + 1", a=float("nan")) is None
    assert run("a + 1", a=float("inf")) is None


def test_rule_variables_are_accepted_through_allow():
    formula = compile_formula("max_points * min(1, ratio)", names=(), allow=("max_points", "ratio"))
    assert formula.evaluate({"max_points": 10, "ratio": 0.5}) == 5.0


def test_without_a_name_list_any_identifier_is_accepted():
    assert compile_formula("anything + 1").names == {"anything"}


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("coop_effective / coops_operating", 0, "unknown name 'coop_effective'"),
        ("a + zz", 4, "unknown name 'zz'"),
        ("__import__('os')", 11, "strings are not allowed"),
        ("a.b", 1, "attribute access is not allowed"),
        ("a[0]", 1, "indexing is not allowed"),
        ("a ** 2", 2, "'**' is not allowed"),
        ("a = 1", 2, "use '==' to compare"),
        ("lambda: 1", 6, "unexpected character ':'"),
        ("open(a)", 0, "unknown function 'open'"),
        ("a(1)", 0, "unknown function 'a'"),
        ("min", 0, "'min' is a function"),
        ("if(a, b)", 0, "if() takes 3 argument(s), 2 given"),
        ("prev(a + 1)", 5, "prev() takes one data element code"),
        ("prev(nope)", 5, "unknown name 'nope'"),
        ("(a + b", 6, "expected ')'"),
        ("a +", 3, "expected a value but found the end of the formula"),
        ("a b", 2, "unexpected 'b'"),
        ("", 0, "empty formula"),
        ("   ", 0, "empty formula"),
        ("1 < a < 3", 6, "comparisons cannot be chained"),
        ("2a", 0, "invalid number '2a'"),
        ("1e999", 0, "number out of range"),
        ("1" * 31, 0, "more than 30 digits"),
        ("a and", 5, "expected a value"),
        ("a $ b", 2, "unexpected character '$'"),
        ("số", 1, "unexpected character 'ố'"),
    ],
)
def test_it_refuses_malformed_formulas_at_the_exact_position(
    text: str, position: int, message: str
):
    with pytest.raises(FormulaError) as caught:
        compile_formula(text, names=NAMES)
    assert caught.value.position == position
    assert message in caught.value.message
    assert str(caught.value).endswith(f"at position {position}")


def test_it_refuses_rule_variables_inside_prev():
    with pytest.raises(FormulaError) as caught:
        compile_formula("prev(actual)", names=(), allow=("actual",))
    assert caught.value.position == 5


def test_it_refuses_text_longer_than_the_limit():
    with pytest.raises(FormulaError, match="longer than 2000"):
        compile_formula("a+" * (MAX_LENGTH // 2) + "a", names=NAMES)


def test_it_refuses_deep_nesting_quickly():
    start = time.perf_counter()
    for text in (
        "(" * 60 + "a" + ")" * 60,
        "-" * 60 + "a",
        "not " * 60 + "a",
        "abs(" * 60 + "a" + ")" * 60,
    ):
        with pytest.raises(FormulaError, match=f"deeper than {MAX_DEPTH}"):
            compile_formula(text, names=NAMES)
    assert time.perf_counter() - start < 1.0


def test_a_long_flat_sum_is_not_deep_and_evaluates():
    text = "+".join(["a"] * 600)
    assert len(text) < MAX_LENGTH
    assert compile_formula(text, names=NAMES).evaluate({"a": 1}) == 600.0


def test_nesting_at_the_limit_is_accepted():
    text = "(" * (MAX_DEPTH - 1) + "a" + ")" * (MAX_DEPTH - 1)
    assert compile_formula(text, names=NAMES).evaluate({"a": 3}) == 3.0


def test_a_formula_that_is_one_element_knows_it():
    assert compile_formula("staff", names=NAMES).single_name == "staff"
    assert compile_formula("staff + 0", names=NAMES).single_name is None


def test_an_unfinished_prev_at_the_end_is_a_formula_error_not_a_crash():
    for text in ("prev(", "prev", "a + prev(", "prev(a"):
        with pytest.raises(FormulaError):
            compile_formula(text, names={"a"})
