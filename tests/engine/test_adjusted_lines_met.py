"""A line the secretariat adjusted is "met" by the points it set, as a manual criterion is: the
met count, knockouts and the never-met warning follow the points everyone sees."""

from __future__ import annotations

from scoring.engine import ManualEntry
from tests.engine.test_rules import codes, line, one


def test_an_adjustment_to_full_points_meets_the_criterion_and_counts():
    crit = criterion_b1()
    r = one(
        crit, {"A": {"x": 0}, "B": {"x": 0}}, manual={("A", "c"): ManualEntry(5, "đã xác minh")}
    )
    assert (line(r, "A").met, line(r, "A").points) == (True, 5.0)
    assert (line(r, "B").met, line(r, "B").points) == (False, 0.0)
    assert r.standing("A").met_count == 1 and r.standing("B").met_count == 0
    assert ("never_met", None, "c") not in codes(r)  # someone met it now


def test_an_adjustment_below_full_points_does_not_meet_it_even_if_the_figure_did():
    r = one(criterion_b1(), {"A": {"x": 20}}, manual={("A", "c"): ManualEntry(4, "thiếu hồ sơ")})
    assert (line(r, "A").met, line(r, "A").points) == (False, 4.0)
    assert line(r, "A").ratio == 1.0  # the figure's ratio stays what it was


def test_a_knockout_criterion_adjusted_to_full_points_keeps_the_member_eligible():
    from tests.engine.builders import criterion

    crit = criterion("c", "x", 20, rule="threshold", points=5, knockout=True)
    r = one(crit, {"A": {"x": 0}}, manual={("A", "c"): ManualEntry(5, "đã xác minh")})
    assert r.standing("A").eligible


def test_a_deduction_adjusted_to_nothing_taken_is_met():
    from tests.engine.builders import criterion

    crit = criterion("c", "x", 0, rule="threshold", points=5, kind="deduction", direction="lower")
    r = one(crit, {"A": {"x": 3}}, manual={("A", "c"): ManualEntry(0, "đã khắc phục")})
    assert (line(r, "A").met, line(r, "A").points) == (True, 0.0)


def criterion_b1():
    from tests.engine.builders import criterion

    return criterion("c", "x", 20, rule="threshold", points=5)
