from __future__ import annotations

from scoring.engine import Band, score
from tests.engine.builders import criterion, figures, scheme

Y = 2021


def two_group_scheme(**kw):
    return scheme(
        criterion("1.1", "a", 10, group="N1", rule="proportional", points=10),
        criterion("1.2", "b", 10, group="N1", rule="proportional", points=10),
        criterion("2.1", "c", 10, group="N2", rule="proportional", points=10),
        **kw,
    )


def ranks(result):
    return [(s.unit, s.rank) for s in result.standings]


def test_equal_totals_share_a_rank_competition_style():
    r = score(
        two_group_scheme(),
        year=Y,
        members=["D", "C", "B", "A"],
        figures=figures(
            Y,
            A={"a": 10, "b": 10, "c": 10},
            B={"a": 10, "b": 5, "c": 10},
            C={"a": 5, "b": 10, "c": 10},
            D={"a": 0, "b": 0, "c": 10},
        ),
    )
    assert ranks(r) == [("A", 1), ("B", 2), ("C", 2), ("D", 4)]
    assert [s.total for s in r.standings] == [30.0, 25.0, 25.0, 10.0]


def test_float_noise_never_splits_a_tie():
    s = scheme(
        criterion("x", "a", 3, rule="proportional", points=10),
        criterion("y", "b", 3, rule="proportional", points=10),
    )
    # 10 * 1/3 + 10 * 2/3 and 10 * 2/3 + 10 * 1/3 can differ in the last bit.
    r = score(
        s, year=Y, members=["A", "B"], figures=figures(Y, A={"a": 1, "b": 2}, B={"a": 2, "b": 1})
    )
    assert ranks(r) == [("A", 1), ("B", 1)]


def test_met_count_breaks_a_tie():
    r = score(
        two_group_scheme(tie_break=("met_count",)),
        year=Y,
        members=["A", "B"],
        figures=figures(Y, A={"a": 5, "b": 5, "c": 10}, B={"a": 10, "b": 10, "c": 0}),
    )
    assert ranks(r) == [("B", 1), ("A", 2)]
    assert [s.met_count for s in r.standings] == [2, 1]


def test_a_group_breaks_a_tie_then_a_criterion():
    figs = figures(
        Y,
        A={"a": 0, "b": 10, "c": 10},  # N1 = 10
        B={"a": 10, "b": 5, "c": 5},  # N1 = 15
        C={"a": 5, "b": 10, "c": 5},  # N1 = 15, 1.1 = 5
    )
    r = score(
        two_group_scheme(tie_break=("group:N1",)), year=Y, members=["A", "B", "C"], figures=figs
    )
    assert ranks(r) == [("B", 1), ("C", 1), ("A", 3)]
    r = score(
        two_group_scheme(tie_break=("group:N1", "criterion:1.1")),
        year=Y,
        members=["A", "B", "C"],
        figures=figs,
    )
    assert ranks(r) == [("B", 1), ("C", 2), ("A", 3)]
    assert r.standing("B").group_points == {"N1": 15.0, "N2": 5.0}


def test_group_points_are_signed_and_totals_add_up():
    s = scheme(
        criterion("r", "a", 10, group="N1", points=50),
        criterion("b", "h", 1, group="Thưởng", rule="threshold", kind="bonus", points=5),
        criterion(
            "t",
            "late",
            0,
            group="Trừ",
            rule="threshold",
            kind="deduction",
            direction="lower",
            points=5,
        ),
    )
    r = score(s, year=Y, members=["A"], figures=figures(Y, A={"a": 10, "h": 1, "late": 2}))
    standing = r.standing("A")
    assert standing.group_points == {"N1": 50.0, "Thưởng": 5.0, "Trừ": -5.0}
    assert (standing.regular, standing.bonus, standing.deduction, standing.total) == (
        50.0,
        5.0,
        5.0,
        50.0,
    )


BANDS = (
    Band("Xuất sắc", min_total=25, min_each=0.5),
    Band("Tốt", min_total=20),
    Band("Khá", min_total=10),
)


def test_classification_takes_the_first_band_reached_and_respects_min_each():
    r = score(
        two_group_scheme(classification=BANDS),
        year=Y,
        members=["A", "B", "C", "D", "E"],
        figures=figures(
            Y,
            A={"a": 10, "b": 10, "c": 5},  # 25, every criterion ≥ 50%
            B={"a": 10, "b": 10, "c": 6},  # 26, …
            C={"a": 10, "b": 10, "c": 4.9},  # 24.9 and 2.1 below half → Tốt
            D={"a": 10, "b": 10, "c": 0},  # 20 → Tốt
            E={"a": 1, "b": 1, "c": 1},  # 3 → none
        ),
    )
    bands = {s.unit: s.band for s in r.standings}
    assert bands == {"A": "Xuất sắc", "B": "Xuất sắc", "C": "Tốt", "D": "Tốt", "E": None}


def test_min_each_blocks_a_high_total_with_one_weak_criterion():
    r = score(
        two_group_scheme(classification=BANDS),
        year=Y,
        members=["A"],
        figures=figures(Y, A={"a": 10, "b": 10, "c": 4.9}),
    )
    assert r.standing("A").band == "Tốt"


def test_bonus_and_deduction_do_not_count_for_min_each():
    s = scheme(
        criterion("r", "a", 10, points=20),
        criterion("b", "h", 1, rule="threshold", kind="bonus", points=5),
        classification=(Band("Xuất sắc", min_total=20, min_each=1.0),),
    )
    r = score(s, year=Y, members=["A"], figures=figures(Y, A={"a": 10, "h": 0}))
    assert r.standing("A").band == "Xuất sắc"


def test_an_ineligible_member_keeps_its_rank_but_gets_no_band():
    s = scheme(
        criterion("k", "a", 10, points=10, knockout=True),
        criterion("r", "b", 10, points=90),
        classification=(Band("Tốt", min_total=50),),
    )
    r = score(
        s, year=Y, members=["A", "B"], figures=figures(Y, A={"a": 9, "b": 10}, B={"a": 10, "b": 5})
    )
    assert ranks(r) == [("A", 1), ("B", 2)]
    assert (r.standing("A").eligible, r.standing("A").band) == (False, None)
    assert (r.standing("B").eligible, r.standing("B").band) == (True, "Tốt")


def test_standings_are_ordered_by_rank_then_unit_code():
    r = score(
        two_group_scheme(),
        year=Y,
        members=["Z", "M", "A"],
        figures=figures(Y, Z={"a": 1}, M={"a": 1}, A={"a": 1}),
    )
    assert ranks(r) == [("A", 1), ("M", 1), ("Z", 1)]
