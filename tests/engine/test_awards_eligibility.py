"""The award path's pure core (#17): every condition kind, holds, two awards for one achievement,
predecessors through a merger, the date switch between rule sets, the cap and the council's vote."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from scoring.engine.awards import (
    ELIGIBLE,
    HELD,
    NOT_ELIGIBLE,
    AwardRecord,
    Cap,
    CouncilVote,
    Hold,
    RuleSetError,
    UnitHistory,
    YearRecord,
    cap_for,
    council_passes,
    judge,
    parse_rule_set,
    rule_set_for,
)

RULE_SETS = Path(__file__).resolve().parents[2] / "scoring" / "awards" / "rule_sets"
BANDS = ("Xuất sắc", "Tốt", "Khá", "Trung bình")
RECEIVED = dt.date(2026, 1, 20)


def shipped():
    return [
        parse_rule_set(p.read_bytes(), filename=p.name) for p in sorted(RULE_SETS.glob("*.yaml"))
    ]


def nd152():
    return rule_set_for(shipped(), dt.date(2025, 7, 1))


def year(y, **kw):
    defaults = {"cluster": "Cụm Tây Nam sông Hậu", "bands": BANDS}
    return YearRecord(year=y, **{**defaults, **kw})


def leader(y=2025, **kw):
    base = {
        "rank": 1,
        "band": "Xuất sắc",
        "knockouts_met": True,
        "leads_cluster": True,
        "rating": "htxsnv",
    }
    return year(y, **{**base, **kw})


RULES_HEADER = """
format: award-rules/1
code: t
name: test
effective_from: 2020-01-01
ratings:
  - {code: a, name: "Xuất sắc", name_en: excellent}
  - {code: b, name: "Tốt", name_en: good}
awards:
  - {code: other, name: "Khác", level: province}
"""


def one_condition(condition: str):
    text = RULES_HEADER + "  - code: x\n    name: X\n    level: province\n    conditions:\n"
    text += "".join(f"      {line}\n" for line in condition.strip().splitlines())
    return parse_rule_set(text, filename="t.yaml")


def verdict(rules, history, award="x", y=2025, received_on=RECEIVED):
    return judge(rules, award, history, y, received_on=received_on)


@pytest.mark.parametrize(
    ("condition", "met_record", "failed_record", "vi"),
    [
        ("- kind: leads_cluster", leader(), leader(leads_cluster=False, rank=2), "hạng 2"),
        ("- {kind: min_band, band: Tốt}", leader(band="Tốt"), leader(band="Khá"), "“Khá”"),
        ("- kind: knockouts_met", leader(), leader(knockouts_met=False), "bắt buộc"),
        ("- {kind: max_rank, rank: 2}", leader(rank=2), leader(rank=3), "hạng 3"),
        ("- {kind: min_rating, rating: b}", leader(rating="b"), leader(rating=None), "chưa Tốt"),
        (
            "- {kind: member_share, measure: ldtt, of: members, min_percent: 70}",
            leader(counts={"ldtt": 7, "members": 10}),
            leader(counts={"ldtt": 6, "members": 10}),
            "60 %",
        ),
        (
            "- {kind: member_count, measure: cstd, min: 1}",
            leader(counts={"cstd": 1}),
            leader(counts={"cstd": 0}),
            "“cstd” 0",
        ),
    ],
)
def test_each_condition_of_the_year_met_and_not_met(condition, met_record, failed_record, vi):
    rules = one_condition(condition)
    met = verdict(rules, UnitHistory("u", years={2025: met_record}))
    failed = verdict(rules, UnitHistory("u", years={2025: failed_record}))
    assert met.status == ELIGIBLE and failed.status == NOT_ELIGIBLE
    assert vi in failed.reasons[0].vi and failed.reasons[0].en  # said in both languages
    assert not failed.reasons[0].met and met.reasons[0].met


def test_a_member_share_without_figures_is_not_met_and_says_so():
    rules = one_condition("- {kind: member_share, measure: ldtt, of: members, min_percent: 70}")
    v = verdict(rules, UnitHistory("u", years={2025: leader()}))
    assert v.status == NOT_ELIGIBLE and "chưa có số liệu" in v.reasons[0].vi


def test_a_rating_streak_names_each_year():
    rules = one_condition("- {kind: rating_streak, rating: a, years: 2}")
    both = UnitHistory("u", years={2024: leader(2024, rating="a"), 2025: leader(rating="a")})
    one = UnitHistory("u", years={2024: leader(2024, rating="b"), 2025: leader(rating="a")})
    assert verdict(rules, both).eligible
    failed = verdict(rules, one)
    assert failed.reasons[0].vi == ("Chưa đủ 2 năm liên tục Xuất sắc: 2024 chưa có, 2025 có")
    assert failed.reasons[0].en == "Not 2 consecutive years excellent: 2024 not, 2025 yes"


def test_an_award_streak_reads_the_decisions_and_skips_revoked_and_themed_ones():
    rules = one_condition("- {kind: award_streak, awards: [other], years: 2, ending: 1}")
    history = UnitHistory(
        "u",
        years={2025: leader()},
        awards=(
            AwardRecord("other", 2023, decision="12/QĐ-UBND"),
            AwardRecord("other", 2024, decision="7/QĐ-UBND"),
        ),
    )
    assert verdict(rules, history).eligible  # 2023 and 2024: the two years before 2025
    revoked = UnitHistory(
        "u",
        awards=(AwardRecord("other", 2023), AwardRecord("other", 2024, revoked=True)),
    )
    failed = verdict(rules, revoked)
    assert failed.reasons[0].vi == (
        "Chưa đủ 2 năm liên tục được Khác: 2023 có, 2024 chưa có quyết định"
    )
    themed = UnitHistory(
        "u", awards=(AwardRecord("other", 2023), AwardRecord("other", 2024, merit=False))
    )
    assert not verdict(rules, themed).eligible


def test_held_award_within_years_and_any_of():
    rules = one_condition(
        """
- kind: any_of
  conditions:
    - {kind: rating_streak, rating: a, years: 2}
    - {kind: held_award, awards: [other], within: 2}
"""
    )
    by_award = UnitHistory(
        "u", years={2025: leader()}, awards=(AwardRecord("other", 2024, decision="3/QĐ"),)
    )
    v = verdict(rules, by_award)
    assert v.eligible and "Đã được Khác năm 2024 (QĐ 3/QĐ)" in v.reasons[0].vi
    neither = UnitHistory("u", years={2025: leader()})
    v = verdict(rules, neither)
    assert not v.eligible and v.reasons[0].vi.startswith("Chưa đạt điều kiện nào")


def test_eligible_for_reads_the_other_awards_conditions():
    rules = nd152()
    history = UnitHistory("u", years={2025: leader()})
    assert verdict(rules, history, "co-thi-dua-chinh-phu").eligible
    not_leading = UnitHistory("u", years={2025: leader(leads_cluster=False, rank=3)})
    v = verdict(rules, not_leading, "co-thi-dua-chinh-phu")
    assert not v.eligible
    assert v.reasons[0].vi.startswith("Chưa đạt tiêu chuẩn Cờ thi đua cấp bộ, ban, ngành, tỉnh")


def test_a_pending_discipline_holds_the_proposal_on_the_day_of_receipt():
    rules = nd152()
    hold = Hold("discipline", since=dt.date(2026, 1, 5), until=dt.date(2026, 3, 1))
    history = UnitHistory("u", years={2025: leader()}, holds=(hold,))
    held = verdict(rules, history, "co-thi-dua-tinh")
    assert held.status == HELD
    assert held.reasons[0].vi == "Tạm hoãn xét: đang xem xét kỷ luật (từ 05/01/2026)"
    after = verdict(rules, history, "co-thi-dua-tinh", received_on=dt.date(2026, 3, 2))
    assert after.status == ELIGIBLE


def test_two_awards_for_one_achievement_are_refused():
    rules = nd152()
    history = UnitHistory(
        "u",
        years={2025: leader()},
        awards=(AwardRecord("co-thi-dua-tinh", 2025, decision="45/QĐ-UBND"),),
    )
    v = verdict(rules, history, "co-thi-dua-tinh")
    assert v.status == NOT_ELIGIBLE
    assert v.reasons[-1].vi == (
        "Đã được Cờ thi đua cấp bộ, ban, ngành, tỉnh cho thành tích năm 2025 (QĐ 45/QĐ-UBND)"
    )


def merged_unit():
    """Formed on 1/7/2025 from two units; it has only its own 2025 year."""
    a = UnitHistory(
        "a", years={2024: leader(2024)}, awards=(AwardRecord("tap-the-lao-dong-xuat-sac", 2024),)
    )
    b = UnitHistory("b", years={2024: leader(2024, rating="httnv")})
    return UnitHistory("ab", years={2025: leader()}, predecessors=(a, b))


def test_predecessors_awards_count_through_a_merger_as_the_rule_set_says():
    nd98, nd152_ = (rule_set_for(shipped(), dt.date(2025, 6, 30)), nd152())
    assert (nd98.predecessors, nd152_.predecessors) == ("none", "any")
    award = "bang-khen-tinh-tap-the"  # 2 years HTXSNV, or the TTLĐXS title
    assert verdict(nd152_, merged_unit(), award).eligible  # a's 2024 counts
    v = verdict(nd98, merged_unit(), award)
    assert not v.eligible
    assert "2024 chưa có" in v.reasons[0].vi  # neither predecessor counts under NĐ 98


def test_with_every_predecessor_required_one_weaker_predecessor_fails_the_streak():
    text = (RULE_SETS / "nd-152-2025.yaml").read_text(encoding="utf-8")
    strict = parse_rule_set(text.replace("predecessors: any", "predecessors: all"), filename="s")
    streak = one_condition("- {kind: rating_streak, rating: a, years: 2}")
    assert not verdict(strict, merged_unit(), "bang-khen-tinh-tap-the").eligible
    assert streak.predecessors == "none"


def test_the_law_of_the_day_of_receipt_applies():
    sets = shipped()
    assert rule_set_for(sets, dt.date(2025, 6, 30)).code == "nd-98-2023"
    assert rule_set_for(sets, dt.date(2025, 7, 1)).code == "nd-152-2025"

    # The same dossier, received a day apart, under the two rule sets:
    def received(day):
        rules = rule_set_for(sets, day)
        return judge(rules, "bang-khen-tinh-tap-the", merged_unit(), 2025, received_on=day)

    before, after = received(dt.date(2025, 6, 30)), received(dt.date(2025, 7, 1))
    assert (before.rule_set, before.status) == ("nd-98-2023", NOT_ELIGIBLE)
    assert (after.rule_set, after.status) == ("nd-152-2025", ELIGIBLE)
    with pytest.raises(RuleSetError, match="no rule set in force on 2023-12-31"):
        rule_set_for(sets, dt.date(2023, 12, 31))


@pytest.mark.parametrize(("leaders", "allowed"), [(3, 0), (5, 1), (7, 1), (10, 2)])
def test_the_government_flag_cap_is_20_percent_of_the_leaders_rounded_down(leaders, allowed):
    cap = nd152().awards["co-thi-dua-chinh-phu"].cap
    result = cap_for(cap, leaders)
    assert result.allowed == allowed
    assert result.zero_by_rounding == (allowed == 0)
    if allowed == 0:
        assert result.reason.vi == (
            "Không đề nghị được: 20 % của 3 đơn vị dẫn đầu được xét làm tròn xuống được 0"
        )


def test_at_least_one_is_a_visible_choice_of_the_rule_never_silent():
    result = cap_for(Cap(20, min_one=True), 3)
    assert result.allowed == 1 and result.reason.met
    assert "vượt tỷ lệ" in result.reason.vi and "above the share" in result.reason.en


def test_the_council_needs_80_percent_of_all_its_members_not_of_those_voting():
    council = nd152().awards["co-thi-dua-chinh-phu"].council
    assert council == CouncilVote(80, "all_members", cite=council.cite)
    assert council_passes(council, yes=8, members=10, voting=8).met
    seven = council_passes(council, yes=7, members=10, voting=7)  # 100 % of those voting
    assert (
        not seven.met
        and seven.vi == "7/10 phiếu đồng ý (70 %), cần ≥ 80 % tổng số thành viên hội đồng"
    )
    assert council_passes(CouncilVote(90), yes=9, members=10, voting=10).met
    assert not council_passes(CouncilVote(90), yes=8, members=9, voting=9).met  # 88,9 %


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            "- {kind: eligible_for, award: nowhere}",
            "eligible_for names an unknown award kind 'nowhere'",
        ),
        ("- {kind: held_award, awards: [nowhere]}", "held_award names an unknown award kind"),
        ("- {kind: lottery}", "unknown condition kind 'lottery'"),
        ("- {kind: max_rank, rank: 0}", "'rank' must be above 0"),
        # A file built to exhaust the server: every number bounded (NaN and ∞ too).
        ("- {kind: rating_streak, rating: a, years: 3000000}", "'years' must be above 0, up to 50"),
        ("- {kind: held_award, awards: [other], within: 51}", "'within' must be above 0, up to 50"),
        (
            "- {kind: award_streak, awards: [other], years: 2, ending: -1}",
            "'ending' must be from 0",
        ),
        ("- {kind: member_share, measure: x, of: y, min_percent: .nan}", "'min_percent' must be"),
        ("- {kind: member_count, measure: x, min: .inf}", "'min' must be above 0"),
        ("- {kind: max_rank, rank: first}", "'rank' has the wrong type"),
        ("- {kind: min_rating, rating: z}", "unknown rating 'z'"),
        ("- {kind: member_share, measure: x, of: y}", "'min_percent' is required"),
    ],
)
def test_a_bad_rule_is_refused_with_its_award_named(change, message):
    with pytest.raises(RuleSetError, match=message) as refused:
        one_condition(change)
    assert str(refused.value).startswith("t.yaml: award x")


def test_a_cycle_of_conditions_is_refused_with_the_cycle_named():
    text = RULES_HEADER.replace(
        '  - {code: other, name: "Khác", level: province}',
        "  - {code: other, name: K, level: province, conditions: [{kind: eligible_for, award: x}]}",
    )
    text += "  - {code: x, name: X, level: province, conditions: [{kind: eligible_for, award: other}]}\n"
    with pytest.raises(RuleSetError, match=r"a cycle of conditions \(other → x → other\)"):
        parse_rule_set(text, filename="t.yaml")


def test_the_shipped_rule_sets_are_read_and_do_not_overlap():
    sets = shipped()
    assert [s.code for s in sets] == ["nd-152-2025", "nd-98-2023"]
    assert sets[1].effective_to == dt.date(2025, 6, 30) and sets[0].effective_to is None
    for s in sets:
        assert s.awards["co-thi-dua-chinh-phu"].prize_multiple == 12
        assert s.awards["co-thi-dua-tinh"].prize_multiple == 8
        assert s.clocks.return_days == 5 and s.clocks.appraise_days == 20


def test_a_clusters_classification_stands_for_the_rating_where_none_is_recorded():
    rules = nd152()
    assert rules.band_ratings["Xuất sắc"] == "htxsnv"
    by_band = UnitHistory("u", years={2025: leader(rating=None, band="Xuất sắc")})
    assert verdict(rules, by_band, "co-thi-dua-tinh").eligible
    good = UnitHistory("u", years={2025: leader(rating=None, band="Tốt")})
    v = verdict(rules, good, "co-thi-dua-tinh")
    assert not v.eligible and "Năm 2025 chưa Hoàn thành xuất sắc nhiệm vụ" in [
        r.vi for r in v.reasons
    ]
    recorded = UnitHistory("u", years={2025: leader(rating="htxsnv", band="Tốt")})
    assert verdict(rules, recorded, "co-thi-dua-tinh").eligible  # a recorded rating comes first


def test_band_ratings_must_name_known_ratings():
    text = (RULE_SETS / "nd-152-2025.yaml").read_text(encoding="utf-8")
    with pytest.raises(RuleSetError, match="band_ratings: unknown rating 'zz' for 'Khá'"):
        parse_rule_set(text.replace('"Khá": htnv', '"Khá": zz'), filename="s")


def with_award(extra: str, header: str = RULES_HEADER) -> str:
    return header + "".join(f"  {line}\n" for line in extra.strip().splitlines())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            RULES_HEADER.replace("code: t\n", 'code: "NĐ 200/2026"\n'),
            "code 'NĐ 200/2026': up to 60",
        ),
        (RULES_HEADER.replace("code: t\n", f"code: {'a' * 61}\n"), "up to 60 lower-case"),
        (with_award("- {code: ../x, name: X, level: province}"), "code '../x'"),
        (
            with_award("- {code: y, name: Y, level: province, prize_multiple: 100000}"),
            "prize_multiple",
        ),
        (
            with_award("- {code: y, name: Y, level: province, prize_multiple: .nan}"),
            "prize_multiple",
        ),
        (RULES_HEADER + "clocks: {appraise_days: 99999}\n", "between 1 and 365 working days"),
    ],
)
def test_codes_prizes_and_clocks_are_bounded_where_the_app_uses_them(text, message):
    with pytest.raises(RuleSetError, match=re.escape(message)):
        parse_rule_set(text, filename="t.yaml")


def test_a_long_chain_of_eligible_for_is_refused_without_recursion():
    """A chain of 1,300 award kinds each asking the next's conditions (a file built to reach
    Python's recursion limit) and one of 11 links: refused, naming the award; 10 links pass."""

    def chain(n: int) -> str:
        lines = [
            f"- {{code: a{i}, name: A, level: province, "
            f"conditions: [{{kind: eligible_for, award: a{i + 1}}}]}}"
            for i in range(n)
        ]
        return with_award("\n".join([*lines, f"- {{code: a{n}, name: A, level: province}}"]))

    with pytest.raises(RuleSetError, match="at most 200 award kinds"):
        parse_rule_set(chain(1300), filename="t.yaml")
    with pytest.raises(RuleSetError, match="a chain of more than 10 eligible_for conditions"):
        parse_rule_set(chain(11), filename="t.yaml")
    assert "a10" in parse_rule_set(chain(10), filename="t.yaml").awards
