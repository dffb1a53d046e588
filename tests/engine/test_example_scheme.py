"""docs/examples/scheme-2021.yaml, scored for the seven provinces with hand-made figures.

Expected points are computed by hand in the comments; the test asserts the engine agrees.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.engine import dump_scheme, parse_scheme, result_to_dict, score

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "scheme-2021.yaml"

# (2021 figures, 2020 figures for the growth criteria)
DATA = {
    # 1.1 25/20→15; 1.2 →5; 2.1 70%→15; 2.2 +15%→15; 2.3 +10%→15; 2.4 70% = 1.0 of target, leader
    # CT at 80/70 → 10 × 1/1.142857 = 8.75; 3.1 →10; 3.2 →10; 3.3 →5; B.1 +5; T.1 0.
    # regular 98.75 + bonus 5 = 103.75 (above the 100 scale).
    "AG": (
        {
            "new_coops": 25,
            "new_unions": 2,
            "coops_effective": 70,
            "coops_operating": 100,
            "staff_trained": 230,
            "coop_members": 11000,
            "member_households": 35000,
            "rural_households": 50000,
            "alliance_courses": 3,
            "prov_resolutions_done": 5,
            "prov_resolutions_due": 5,
            "vca_resolutions_done": 10,
            "vca_resolutions_due": 10,
            "honours": 1,
            "late_days": 0,
        },
        {"staff_trained": 200, "coop_members": 10000},
    ),
    # 1.1 →15; 1.2 →5; 2.1 60%→15; 2.2 +10%→15; 2.3 +8%→15; 2.4 80% leader →10; 3.1 →10;
    # 3.2 →10; 3.3 80% < 90 →0; B.1 +5. regular 95 + 5 = 100; 3.3 below half → not Xuất sắc → Tốt.
    "CT": (
        {
            "new_coops": 20,
            "new_unions": 1,
            "coops_effective": 60,
            "coops_operating": 100,
            "staff_trained": 165,
            "coop_members": 8640,
            "member_households": 56000,
            "rural_households": 70000,
            "alliance_courses": 2,
            "prov_resolutions_done": 3,
            "prov_resolutions_due": 3,
            "vca_resolutions_done": 8,
            "vca_resolutions_due": 10,
            "honours": 2,
            "late_days": 0,
        },
        {"staff_trained": 150, "coop_members": 8000},
    ),
    # 1.1 16/20→12; 1.2 →5; 2.1 60%→15; 2.2 +5% = 0.5 →7; 2.3 +4% →7.5; 2.4 70% →8.75; 3.1 →10;
    # 3.2 →10; 3.3 →5. Total 80.25, met 7 (1.2 2.1 2.4 3.1 3.2 3.3 T.1).
    "ST": (
        {
            "new_coops": 16,
            "new_unions": 1,
            "coops_effective": 54,
            "coops_operating": 90,
            "staff_trained": 105,
            "coop_members": 10400,
            "member_households": 42000,
            "rural_households": 60000,
            "alliance_courses": 2,
            "prov_resolutions_done": 2,
            "prov_resolutions_due": 2,
            "vca_resolutions_done": 10,
            "vca_resolutions_due": 10,
            "honours": 0,
            "late_days": 0,
        },
        {"staff_trained": 100, "coop_members": 10000},
    ),
    # 1.1 →15; 1.2 →0; 2.1 46% →15 × 46/60 = 11.5; 2.2 +10% →15; 2.3 +8% →15; 2.4 70% →8.75;
    # 3.1 →10; 3.2 →10; 3.3 0% →0; T.1 late → −5. 85.25 − 5 = 80.25, met 6 → ranked after ST.
    "HG": (
        {
            "new_coops": 20,
            "new_unions": 0,
            "coops_effective": 46,
            "coops_operating": 100,
            "staff_trained": 110,
            "coop_members": 1080,
            "member_households": 24500,
            "rural_households": 35000,
            "alliance_courses": 2,
            "prov_resolutions_done": 1,
            "prov_resolutions_due": 1,
            "vca_resolutions_done": 0,
            "vca_resolutions_due": 2,
            "honours": 0,
            "late_days": 2,
        },
        {"staff_trained": 100, "coop_members": 1000},
    ),
    # BL and CM identical: 1.1 10 →7.5; 1.2 →5; 2.1 60% →15; 2.2 +0% →0; 2.3 +0% →0;
    # 2.4 35% = 0.5 → 10 × 0.5/1.142857 = 4.375; 3.1 →10; 3.2 →10; 3.3 90% →5. 56.875 each.
    "BL": (
        {
            "new_coops": 10,
            "new_unions": 1,
            "coops_effective": 30,
            "coops_operating": 50,
            "staff_trained": 100,
            "coop_members": 2000,
            "member_households": 14000,
            "rural_households": 40000,
            "alliance_courses": 2,
            "prov_resolutions_done": 2,
            "prov_resolutions_due": 2,
            "vca_resolutions_done": 9,
            "vca_resolutions_due": 10,
            "honours": 0,
            "late_days": 0,
        },
        {"staff_trained": 100, "coop_members": 2000},
    ),
    # KG: 1.1 10 →7.5; 1.2 →0; 2.1 50% →12.5; 2.2 +8% = 0.8 →11; 2.3 −2% →0; 2.4 50% →6.25;
    # 3.1 1 course →0; 3.2 80% →8 and knockout → ineligible; 3.3 90% →5; T.1 −5. 50.25 − 5 = 45.25.
    "KG": (
        {
            "new_coops": 10,
            "new_unions": 0,
            "coops_effective": 30,
            "coops_operating": 60,
            "staff_trained": 108,
            "coop_members": 4900,
            "member_households": 20000,
            "rural_households": 40000,
            "alliance_courses": 1,
            "prov_resolutions_done": 4,
            "prov_resolutions_due": 5,
            "vca_resolutions_done": 9,
            "vca_resolutions_due": 10,
            "honours": 0,
            "late_days": 3,
        },
        {"staff_trained": 100, "coop_members": 5000},
    ),
}
DATA["CM"] = DATA["BL"]


def load():
    scheme, warnings = parse_scheme(EXAMPLE.read_bytes(), filename=EXAMPLE.name)
    assert warnings == []
    return scheme


def figures():
    out = {}
    for unit, (now, before) in DATA.items():
        out.update({(unit, 2021, k): v for k, v in now.items()})
        out.update({(unit, 2020, k): v for k, v in before.items()})
    return out


@pytest.fixture(scope="module")
def result():
    return score(load(), year=2021, members=sorted(DATA), figures=figures())


def test_the_example_scheme_parses_with_the_agreed_codes():
    scheme = load()
    assert [c.code for c in scheme.criteria] == [
        "1.1",
        "1.2",
        "2.1",
        "2.2",
        "2.3",
        "2.4",
        "3.1",
        "3.2",
        "3.3",
        "B.1",
        "T.1",
    ]
    assert sum(c.points for c in scheme.criteria if c.kind == "regular") == 100.0
    assert scheme.tie_break == ("met_count", "group:Nội dung 1: Phát triển HTX, liên hiệp HTX")
    assert {e.code for e in scheme.data_elements} >= {
        "coops_effective",
        "member_households",
        "late_days",
    }


def test_the_example_scheme_round_trips_through_dump():
    scheme = load()
    again, warnings = parse_scheme(dump_scheme(scheme), filename="dumped.yaml")
    assert again == scheme
    assert warnings == []


def test_the_seven_provinces_rank_as_computed_by_hand(result):
    table = [(s.unit, s.rank, round(s.total, 4), s.band, s.eligible) for s in result.standings]
    assert table == [
        ("AG", 1, 103.75, "Xuất sắc", True),
        ("CT", 2, 100.0, "Tốt", True),
        ("ST", 3, 80.25, "Tốt", True),
        ("HG", 4, 80.25, "Tốt", True),
        ("BL", 5, 56.875, "Trung bình", True),
        ("CM", 5, 56.875, "Trung bình", True),
        ("KG", 7, 45.25, None, False),
    ]
    assert result.standing("ST").met_count == 7
    assert result.standing("HG").met_count == 6


def test_the_hand_computed_points_per_criterion(result):
    def pts(unit):
        return [
            round(result.lines[(unit, c)].points, 4)
            for c in ("1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "B.1", "T.1")
        ]

    assert pts("AG") == [15, 5, 15, 15, 15, 8.75, 10, 10, 5, 5, 0]
    assert pts("KG") == [7.5, 0, 12.5, 11, 0, 6.25, 0, 8, 5, 0, -5]
    assert pts("HG") == [15, 0, 11.5, 15, 15, 8.75, 10, 10, 0, 0, -5]
    assert pts("BL") == [7.5, 5, 15, 0, 0, 4.375, 10, 10, 5, 0, 0]


def test_the_example_lines_explain_themselves(result):
    assert result.lines[("KG", "2.3")].explanation == (
        "Chỉ tiêu 8%, đạt -2% → bằng -0,25 lần chỉ tiêu → 0/15 điểm (tính theo tỷ lệ)"
    )
    assert result.lines[("KG", "2.2")].explanation == (
        "Chỉ tiêu 10%, đạt 8% → bằng 0,8 lần chỉ tiêu → 11/15 điểm (theo mức: từ 0,8 lần chỉ tiêu được 11 điểm)"
    )
    assert result.lines[("KG", "3.2")].explanation == (
        "Chỉ tiêu 100%, đạt 80% → bằng 0,8 lần chỉ tiêu → 8/10 điểm (tính theo tỷ lệ)"
        "; tiêu chí bắt buộc không đạt — đơn vị không đủ điều kiện xếp loại"
    )
    assert result.lines[("KG", "T.1")].explanation == (
        "Chỉ tiêu tối đa 0 ngày, thực tế 3 ngày → không đạt chỉ tiêu → trừ 5/5 điểm (đạt/không đạt)"
    )
    assert result.lines[("AG", "2.4")].explanation == (
        "Chỉ tiêu 70%, đạt 70% → bằng 1 lần chỉ tiêu → 8,75/10 điểm (so với đơn vị dẫn đầu, đạt 1,14 lần chỉ tiêu)"
    )


def test_the_example_raises_no_warning_with_complete_figures(result):
    assert [(w.code, w.unit, w.criterion) for w in result.warnings] == []


def test_the_example_result_serialises_to_the_agreed_shape(result):
    data = result_to_dict(result)
    first = data["ranking"][0]
    assert (data["year"], data["scheme"]) == (
        2021,
        "Cụm thi đua Tây Nam sông Hậu — giao ước thi đua năm 2021",
    )
    assert (first["unit"], first["rank"], first["total"], first["band"], first["eligible"]) == (
        "AG",
        1,
        103.75,
        "Xuất sắc",
        True,
    )
    assert list(first["criteria"])[:3] == ["1.1", "1.2", "2.1"]
    assert first["criteria"]["2.4"] == {
        "actual": 70.0,
        "target": 70.0,
        "ratio": 1.0,
        "met": True,
        "points": 8.75,
        "explanation": result.lines[("AG", "2.4")].explanation,
    }


def test_the_documentation_shows_exactly_the_example_file():
    doc = (EXAMPLE.parents[1] / "scheme-format.md").read_text(encoding="utf-8")
    block = doc.rsplit("```yaml\n", 1)[1].split("```", 1)[0]
    assert block == EXAMPLE.read_text(encoding="utf-8")
