"""A cluster's own award kind judged by the award engine (#17 item 3 at the conference): its band,
knock-out and rank conditions with the engine's reasons, the rule set's award it names (history
conditions, not twice for one achievement), holds, and "leads its cluster" read from the vote or
from the ranking — saying which."""

from __future__ import annotations

import datetime as dt

from scoring.engine.awards import (
    ELIGIBLE,
    HELD,
    LEADS_BY_RANK,
    LEADS_BY_VOTE,
    NOT_ELIGIBLE,
    AwardRecord,
    ClusterAward,
    Hold,
    UnitHistory,
    judge,
    judge_members,
)
from tests.engine.test_awards_eligibility import RECEIVED, nd152, year


def member(unit, y=2025, **kw):
    return UnitHistory(unit, years={y: year(y, **kw)})


def texts(verdict, language="vi"):
    return [r.text(language) for r in verdict.reasons]


def test_a_clusters_own_conditions_are_judged_with_the_engines_reasons():
    flag = ClusterAward(code="co", name="Cờ thi đua", min_band="Tốt", knockouts=True, max_rank=2)
    a1 = member("a1", rank=1, band="Xuất sắc", knockouts_met=True)
    a3 = member("a3", rank=3, band="Khá", knockouts_met=False)
    ok, bad = judge_members(nd152(), flag, [a1, a3], 2025, received_on=RECEIVED)
    assert ok.status == ELIGIBLE and bad.status == NOT_ELIGIBLE
    assert texts(ok) == [
        "Năm 2025 xếp loại “Xuất sắc”, cần từ “Tốt” trở lên",
        "Đạt mọi tiêu chí bắt buộc năm 2025",
        "Năm 2025 xếp hạng 1, cần từ hạng 2 trở lên",
    ]  # no "not twice" line: no decision of the register names a cluster's own award kind
    assert texts(bad, "en") == [
        "2025: classified “Khá”; needs “Tốt” or better",
        "A knock-out criterion was not met in 2025",
        "2025: ranked 3; needs rank 2 or better",
    ]


def test_a_band_the_scheme_does_not_have_is_named_as_such():
    award = ClusterAward(code="co", name="Cờ", min_band="Không có")
    (v,) = judge_members(
        nd152(), award, [member("a1", band="Xuất sắc")], 2025, received_on=RECEIVED
    )
    assert v.status == NOT_ELIGIBLE
    assert texts(v) == ["Năm 2025 xếp loại “Xuất sắc”; thang điểm không có xếp loại “Không có”"]


def test_the_award_named_adds_its_conditions_and_names_the_year_that_fails():
    award = ClusterAward(
        code="bang-khen", name="Bằng khen", knockouts=True, award_code="bang-khen-lmhtxvn"
    )
    history = UnitHistory(
        "a1",
        years={
            2024: year(2024, band="Tốt", knockouts_met=True),
            2025: year(2025, band="Xuất sắc", knockouts_met=True),
        },
    )
    (v,) = judge_members(nd152(), award, [history], 2025, received_on=RECEIVED)
    assert v.status == NOT_ELIGIBLE
    assert texts(v)[1] == (
        "Chưa đạt điều kiện nào: Chưa đủ 2 năm liên tục Hoàn thành xuất sắc nhiệm vụ: 2024 chưa "
        "có, 2025 có; hoặc Chưa có quyết định tặng Tập thể lao động xuất sắc năm 2025"
    )
    assert v.reasons[1].cite == "QĐ 86/2025/QĐ-UBND Bắc Ninh, Điều 3.3"
    assert texts(v, "en")[1].startswith(
        "None met: Not 2 consecutive years completed its tasks excellently: 2024 not, 2025 yes"
    )
    # Two years "Xuất sắc": met, and the proposal is for that award (not twice for 2025).
    both = UnitHistory(
        "a1", years={y: year(y, band="Xuất sắc", knockouts_met=True) for y in (2024, 2025)}
    )
    (v,) = judge_members(nd152(), award, [both], 2025, received_on=RECEIVED)
    assert v.status == ELIGIBLE
    assert texts(v)[-1] == (
        "Chưa được Bằng khen của Chủ tịch Liên minh Hợp tác xã Việt Nam (tập thể) cho thành tích "
        "năm 2025"
    )
    given = UnitHistory(
        "a1",
        years=both.years,
        awards=(AwardRecord("bang-khen-lmhtxvn", 2025, decision="3/QĐ-LMHTXVN"),),
    )
    (v,) = judge_members(nd152(), award, [given], 2025, received_on=RECEIVED)
    assert v.status == NOT_ELIGIBLE and texts(v)[-1].endswith("năm 2025 (QĐ 3/QĐ-LMHTXVN)")


def test_a_condition_both_ask_is_judged_once_with_the_rule_sets_citation():
    award = ClusterAward(code="co", name="Cờ", knockouts=True, award_code="co-thi-dua-tinh")
    (v,) = judge_members(
        nd152(),
        award,
        [member("a1", band="Xuất sắc", knockouts_met=True)],
        2025,
        received_on=RECEIVED,
    )
    knockouts = [r for r in v.reasons if "tiêu chí bắt buộc" in r.vi]
    assert len(knockouts) == 1


def test_the_award_that_names_the_leader_is_met_by_the_vote_it_holds():
    flag = ClusterAward(
        code="co", name="Cờ", knockouts=True, award_code="co-thi-dua-lmhtxvn", names_leader=True
    )
    second = member("a2", rank=2, band="Xuất sắc", knockouts_met=True, leads_cluster=False)
    (v,) = judge_members(nd152(), flag, [second], 2025, received_on=RECEIVED)
    assert v.status == ELIGIBLE
    assert (
        "Đơn vị dẫn đầu cụm Cụm Tây Nam sông Hậu năm 2025 là đơn vị cuộc bình xét, suy tôn này chọn"
        in texts(v)
    )


def test_a_hold_makes_the_member_held_whatever_else_is_met():
    award = ClusterAward(code="co", name="Cờ", knockouts=True)
    held = UnitHistory(
        "a1",
        years={2025: year(2025, knockouts_met=True)},
        holds=(Hold("inspection", dt.date(2025, 12, 1)),),
    )
    (v,) = judge_members(nd152(), award, [held], 2025, received_on=RECEIVED)
    assert v.status == HELD
    assert texts(v, "en")[0] == "Held: an inspection is pending (since 2025-12-01)"
    # Lifted before the conference: judged as usual.
    (v,) = judge_members(nd152(), award, [held], 2025, received_on=dt.date(2025, 11, 30))
    assert v.status == ELIGIBLE


def test_an_award_the_rule_set_does_not_have_makes_no_one_eligible_and_says_why():
    award = ClusterAward(code="co", name="Cờ", award_code="khong-co")
    (v,) = judge_members(nd152(), award, [member("a1")], 2025, received_on=RECEIVED)
    assert v.status == NOT_ELIGIBLE
    assert texts(v) == [
        "Nghị định 152/2025/NĐ-CP không có hình thức khen thưởng “khong-co”: cụm cần chọn lại "
        "hình thức đề nghị"
    ]


def test_leads_its_cluster_says_whether_the_vote_or_the_ranking_decided():
    rules = nd152()
    by_vote = member("a2", rank=2, leads_cluster=True, leads_by=LEADS_BY_VOTE)
    reason = judge(rules, "co-thi-dua-tinh", by_vote, 2025, received_on=RECEIVED).reasons[0]
    assert reason.met and reason.vi == (
        "Dẫn đầu cụm Cụm Tây Nam sông Hậu năm 2025 — theo kết quả bình xét, suy tôn của hội nghị "
        "cụm"
    )
    first_not_chosen = member("a1", rank=1, leads_cluster=False, leads_by=LEADS_BY_VOTE)
    reason = judge(rules, "co-thi-dua-tinh", first_not_chosen, 2025, received_on=RECEIVED).reasons[
        0
    ]
    assert not reason.met and reason.en == (
        "Did not lead its cluster in 2025 (ranked 1) — as chosen by the cluster conference's vote"
    )
    by_rank = member("a1", rank=1, leads_cluster=True, leads_by=LEADS_BY_RANK)
    reason = judge(rules, "co-thi-dua-tinh", by_rank, 2025, received_on=RECEIVED).reasons[0]
    assert reason.met and reason.vi.endswith(
        "— theo bảng xếp hạng (năm này không có kết quả bình xét, suy tôn của hội nghị)"
    )


def test_without_a_rule_set_in_force_the_clusters_own_conditions_and_holds_are_judged():
    own = ClusterAward(code="co", name="Cờ", knockouts=True)
    held = UnitHistory(
        "a2",
        years={2021: year(2021, knockouts_met=True)},
        holds=(Hold("complaint", dt.date(2021, 12, 1)),),
    )
    ok, on_hold = judge_members(
        None,
        own,
        [member("a1", 2021, knockouts_met=True), held],
        2021,
        received_on=dt.date(2022, 1, 27),
    )
    assert ok.status == ELIGIBLE and texts(ok) == ["Đạt mọi tiêu chí bắt buộc năm 2021"]
    assert on_hold.status == HELD
    named = ClusterAward(code="co", name="Cờ", award_code="co-thi-dua-lmhtxvn")
    (v,) = judge_members(None, named, [member("a1", 2021)], 2021, received_on=dt.date(2022, 1, 27))
    assert v.status == NOT_ELIGIBLE
    assert texts(v, "en") == [
        "No award rule set is in force on 2022-01-27: “co-thi-dua-lmhtxvn” cannot be judged"
    ]
