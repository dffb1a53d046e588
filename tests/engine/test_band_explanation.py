"""Every band explained: why a member got its band, and what it missed of every band above."""

from __future__ import annotations

import json

from scoring.engine import Band, BandExplanation, band_explanation_lines, score
from tests.engine.builders import criterion, figures, scheme

Y = 2026

BANDS = (
    Band("Xuất sắc", min_total=18, min_each=0.5),
    Band("Tốt", min_total=15),
    Band("Khá", min_total=10),
)


def two_criteria(*, knockout: bool = False, classification=BANDS):
    return scheme(
        criterion("1.1", "a", 10, name="Phát triển HTX", points=10, knockout=knockout),
        criterion("2.2", "c", 10, name="Đào tạo cán bộ", points=10),
        criterion("B.1", "b", 1, name="Thành tích", points=5, kind="bonus", rule="threshold"),
        classification=classification,
    )


def standing(unit_figures: dict[str, float], **kw):
    result = score(two_criteria(**kw), year=Y, members=["A"], figures=figures(Y, A=unit_figures))
    return result.standing("A")


def texts(s, language="vi"):
    return band_explanation_lines(s.band_explanation, language)


def test_a_member_below_a_criterion_floor_is_told_which_criterion_and_its_share():
    # 10 + 4 + 5 bonus = 19 ≥ 18, but 2.2 reached 4 of 10 points: 40 % < 50 %.
    s = standing({"a": 10, "c": 4, "b": 1})
    assert (s.total, s.band) == (19.0, "Tốt")
    above, reached = s.band_explanation.checks
    assert (above.band, above.reached, above.failed) == ("Xuất sắc", False, "min_each")
    assert (above.criterion, above.name, above.share, above.others) == (
        "2.2",
        "Đào tạo cán bộ",
        0.4,
        0,
    )
    assert (reached.band, reached.reached, reached.failed) == ("Tốt", True, None)
    assert texts(s) == [
        "Xuất sắc cần tổng ≥ 18 và mỗi tiêu chí ≥ 50 % số điểm: 2.2 (Đào tạo cán bộ) đạt 40 %",
        "Đạt “Tốt”: tổng 19 ≥ 15",
    ]
    assert texts(s, "en") == [
        "Xuất sắc needs total ≥ 18 and each criterion ≥ 50 % of its points: "
        "2.2 (Đào tạo cán bộ) reached 40 %",
        "Reached “Tốt”: total 19 ≥ 15",
    ]


def test_several_criteria_below_the_floor_name_the_first_and_count_the_others():
    s = standing({"a": 3, "c": 2, "b": 1})  # 3 + 2 + 5 = 10
    first = s.band_explanation.checks[0]
    # Total 10 < 18 fails first: the total is checked before the floor, as the engine does.
    assert first.failed == "min_total"
    s = standing({"a": 3, "c": 2, "b": 1}, classification=(Band("Xuất sắc", 5, 0.5),))
    (only,) = s.band_explanation.checks
    assert (only.failed, only.criterion, only.share, only.others) == ("min_each", "1.1", 0.3, 1)
    assert s.band is None
    assert texts(s) == [
        "Xuất sắc cần tổng ≥ 5 và mỗi tiêu chí ≥ 50 % số điểm: 1.1 (Phát triển HTX) đạt 30 % "
        "và 1 tiêu chí khác dưới mức này",
        "Chưa đạt xếp loại nào",
    ]
    assert texts(s, "en") == [
        "Xuất sắc needs total ≥ 5 and each criterion ≥ 50 % of its points: "
        "1.1 (Phát triển HTX) reached 30 % and 1 more criterion below it",
        "No band reached",
    ]


def test_a_total_below_the_minimum_is_given_with_the_numbers_in_each_language():
    s = standing({"a": 8.555, "c": 7})  # 8.555 + 7 = 15.555
    assert s.band == "Tốt"
    above, reached = s.band_explanation.checks
    assert (above.failed, above.total, above.min_total) == ("min_total", 15.555, 18.0)
    assert above.criterion is None and above.share is None
    assert texts(s) == [
        "Xuất sắc cần tổng ≥ 18 và mỗi tiêu chí ≥ 50 % số điểm: tổng 15,56",
        "Đạt “Tốt”: tổng 15,56 ≥ 15",
    ]
    assert texts(s, "en") == [
        "Xuất sắc needs total ≥ 18 and each criterion ≥ 50 % of its points: total 15.56",
        "Reached “Tốt”: total 15.56 ≥ 15",
    ]


def test_the_top_band_says_why_it_is_reached_with_the_lowest_criterion():
    s = standing({"a": 10, "c": 9})
    assert s.band == "Xuất sắc"
    (reached,) = s.band_explanation.checks
    assert (reached.reached, reached.criterion, reached.share) == (True, "2.2", 0.9)
    assert texts(s) == [
        "Đạt “Xuất sắc”: tổng 19 ≥ 18 và mỗi tiêu chí ≥ 50 % số điểm "
        "(thấp nhất: 2.2 (Đào tạo cán bộ) đạt 90 %)"
    ]
    assert texts(s, "en") == [
        "Reached “Xuất sắc”: total 19 ≥ 18 and each criterion ≥ 50 % of its points "
        "(lowest: 2.2 (Đào tạo cán bộ) at 90 %)"
    ]


def test_a_member_below_every_band_gets_every_band_explained():
    s = standing({"a": 3, "c": 3})
    assert s.band is None and s.eligible
    assert [(c.band, c.failed) for c in s.band_explanation.checks] == [
        ("Xuất sắc", "min_total"),
        ("Tốt", "min_total"),
        ("Khá", "min_total"),
    ]
    assert texts(s) == [
        "Xuất sắc cần tổng ≥ 18 và mỗi tiêu chí ≥ 50 % số điểm: tổng 6",
        "Tốt cần tổng ≥ 15: tổng 6",
        "Khá cần tổng ≥ 10: tổng 6",
        "Chưa đạt xếp loại nào",
    ]
    assert texts(s, "en")[1:] == [
        "Tốt needs total ≥ 15: total 6",
        "Khá needs total ≥ 10: total 6",
        "No band reached",
    ]


def test_a_knockout_criterion_not_met_is_the_reason_for_every_band():
    s = standing({"a": 5, "c": 10, "b": 1}, knockout=True)  # 5 + 10 + 5 = 20, but 1.1 not met
    assert (s.total, s.band, s.eligible) == (20.0, None, False)
    checks = s.band_explanation.checks
    assert [(c.band, c.failed, c.criterion) for c in checks] == [
        ("Xuất sắc", "knockout", "1.1"),
        ("Tốt", "knockout", "1.1"),
        ("Khá", "knockout", "1.1"),
    ]
    assert texts(s) == ["Không được xếp loại: tiêu chí bắt buộc 1.1 (Phát triển HTX) không đạt"]
    assert texts(s, "en") == ["No band: knockout criterion 1.1 (Phát triển HTX) not met"]


def test_a_scheme_without_classification_says_so():
    s = standing({"a": 10, "c": 10}, classification=())
    assert s.band is None
    assert s.band_explanation == BandExplanation(band=None, checks=())
    assert texts(s) == ["Thang điểm không quy định xếp loại"]
    assert texts(s, "en") == ["The scheme defines no classification"]


def test_the_explanation_goes_to_plain_data_and_back_unchanged():
    s = standing({"a": 10, "c": 4, "b": 1})
    data = s.band_explanation.to_dict()
    again = BandExplanation.from_dict(json.loads(json.dumps(data)))
    assert again == s.band_explanation
    assert data["band"] == "Tốt"
    assert data["checks"][0] == {
        "band": "Xuất sắc",
        "min_total": 18.0,
        "min_each": 0.5,
        "reached": False,
        "failed": "min_each",
        "total": 19.0,
        "criterion": "2.2",
        "name": "Đào tạo cán bộ",
        "share": 0.4,
        "others": 0,
    }
    assert band_explanation_lines(None, "vi") == []


def test_the_explained_band_is_the_band_on_a_large_block():
    import dataclasses

    from scoring.engine.bench import synthetic_block

    base, block_figures, targets = synthetic_block(120, 12, seed=5)
    block = dataclasses.replace(
        base, classification=(Band("A", 30, 0.1), Band("B", 25), Band("C", 15))
    )
    points = {c.code: c.points for c in block.criteria}
    members = sorted({unit for unit, _y, _e in block_figures})
    result = score(block, year=2025, members=members, figures=block_figures, targets=targets)
    seen = set()
    for s in result.standings:
        explained = s.band_explanation
        assert explained.band == s.band
        assert [c.band for c in explained.checks if c.reached] == ([s.band] if s.band else [])
        for c in explained.checks:
            seen.add(c.failed)
            if c.failed == "min_total":
                assert s.total < c.min_total
            elif c.failed == "min_each":
                share = result.lines[(s.unit, c.criterion)].points / points[c.criterion]
                assert share == c.share < c.min_each
    assert {"min_total", "min_each", None} <= seen


def test_a_shortfall_that_rounding_would_hide_is_written_with_more_decimals():
    from scoring.engine import BandCheck

    def why(**check):
        common = {"band": "Xuất sắc", "min_total": 90.0, "min_each": 0.5, "reached": False}
        explanation = BandExplanation(band=None, checks=(BandCheck(**{**common, **check}),))
        return band_explanation_lines(explanation, "vi")[0], band_explanation_lines(
            explanation, "en"
        )[0]

    vi, en = why(failed="min_total", total=89.996)
    assert vi.endswith(": tổng 89,996") and en.endswith(": total 89.996")
    vi, _en = why(failed="min_total", total=89.9)
    assert vi.endswith(": tổng 89,9")
    vi, en = why(failed="min_each", total=95.0, criterion="2.2", name="N", share=0.499996)
    assert vi.endswith(": 2.2 (N) đạt 49,9996 %") and en.endswith(": 2.2 (N) reached 49.9996 %")
    vi, _en = why(failed="min_total", total=1999.999, min_total=2000.0)
    assert vi.endswith(": tổng 1.999,999")
