"""The conference's eligibility read by the award engine (#17 item 3): a cluster's award kind
judged with the rule set's award it names (history conditions with the year that fails, not twice
for one achievement), holds that make a member "held" and no candidate, the reasons in Vietnamese
and English on the page; the leader of a year read from the conference's vote (the ranking only
where a year has none); the award kind's form; the page in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.models import EmulationYear, FlagHandover
from scoring.awards.selectors import unit_awards_stamp, unit_histories
from scoring.awards.services import decision_record, hold_record
from scoring.conference.services.conference import (
    ballot_candidates,
    ballot_close,
    ballot_open,
    ballot_vote,
    year_facts,
)
from scoring.conference.services.eligibility import conference_day
from scoring.dossiers.selectors import leads_in_year
from scoring.models import AwardKind, AwardProposal
from tests.scoring.factories import kind

pytestmark = pytest.mark.django_db

STREAK_VI = "Chưa đủ 2 năm liên tục Hoàn thành xuất sắc nhiệm vụ: 2024 chưa có, 2025 có"
STREAK_EN = "Not 2 consecutive years completed its tasks excellently: 2024 not, 2025 yes"


def verdicts(conf, award):
    return {e.standing.unit.code: e for e in year_facts(conf.year).eligibility(award)}


def texts(e, language="vi"):
    return [r.text(language) for r in e.reasons]


def decide(conf, code, award_code, unit="a1", year=2025):
    decision_record(
        number=f"{code}/QĐ-LMHTXVN",
        decided_on=dt.date(year + 1, 1, 20),
        deciding_body="Liên minh Hợp tác xã Việt Nam",
        award_code=award_code,
        achievement_year=year,
        units=[conf.units[unit]],
    )


def vote_for_a2_as_leader(conf):
    """The members propose A2 — ranked second — as the cluster's leading unit."""
    flag = kind(conf, code="co", name="Cờ thi đua của cụm", leads_cluster=True)
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=flag)
    for voter in ("a1", "a3", "a4"):
        ballot_vote(ballot=ballot, voter=conf.units[voter], candidate_ids=[conf.units["a2"].pk])
    ballot_close(ballot=ballot)
    assert list(AwardProposal.objects.values_list("unit__code", flat=True)) == ["a2"]
    return flag


# --- the award the cluster's kind proposes for ---------------------------------------------------


def test_the_award_named_adds_its_history_condition_with_the_year_that_fails(conf):
    """A1 is "Xuất sắc" in 2025 (not published yet: the current standings count) and has no 2024
    of record: the certificate's two-year condition fails, naming 2024."""
    award = kind(conf, code="bk", name="Bằng khen", award_code="bang-khen-lmhtxvn", cap_count=2)
    a1 = verdicts(conf, award)["a1"]
    assert a1.status == "not_eligible"
    assert any(STREAK_VI in t for t in texts(a1))
    assert any(STREAK_EN in t for t in texts(a1, "en"))
    assert "QĐ 86/2025/QĐ-UBND Bắc Ninh, Điều 3.3" in {r.cite for r in a1.reasons}
    # The title "Tập thể lao động xuất sắc" for 2025 is the other way in.
    decide(conf, "5", "tap-the-lao-dong-xuat-sac")
    a1 = verdicts(conf, award)["a1"]
    assert a1.eligible
    assert any(
        "Đã được Tập thể lao động xuất sắc năm 2025 (QĐ 5/QĐ-LMHTXVN)" in t for t in texts(a1)
    )


def test_the_flag_for_the_leader_asks_the_vcas_flag_and_not_twice_for_one_year(conf):
    flag = kind(
        conf, code="co", name="Cờ thi đua", leads_cluster=True, award_code="co-thi-dua-lmhtxvn"
    )
    found = verdicts(conf, flag)
    assert {code for code, e in found.items() if e.eligible} == {"a1"}  # only A1 is "Xuất sắc"
    assert "Năm 2025 chưa Hoàn thành xuất sắc nhiệm vụ" in texts(found["a2"])
    # Leading is what this vote decides: every member meets it, in so many words.
    assert "Đơn vị dẫn đầu cụm Cụm A năm 2025 là đơn vị cuộc bình xét, suy tôn này chọn" in texts(
        found["a3"]
    )
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=flag)
    assert [u.code for u in ballot_candidates(ballot)] == ["a1"]
    decide(conf, "9", "co-thi-dua-lmhtxvn")
    a1 = verdicts(conf, flag)["a1"]
    assert a1.status == "not_eligible"
    assert texts(a1)[-1] == (
        "Đã được Cờ thi đua của Liên minh Hợp tác xã Việt Nam cho thành tích năm 2025 "
        "(QĐ 9/QĐ-LMHTXVN)"
    )


def test_a_hold_makes_a_member_held_and_no_candidate(conf):
    award = kind(conf, code="bk", name="Bằng khen", min_band="Tốt", cap_count=2)
    hold_record(unit=conf.units["a2"], kind="discipline", since=dt.date(2025, 1, 1))
    found = verdicts(conf, award)
    assert found["a2"].status == "held" and not found["a2"].eligible
    assert texts(found["a2"])[0] == "Tạm hoãn xét: đang xem xét kỷ luật (từ 01/01/2025)"
    assert (
        texts(found["a2"], "en")[0] == "Held: a disciplinary matter is pending (since 2025-01-01)"
    )
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=award)
    assert [u.code for u in ballot_candidates(ballot)] == ["a1", "a3", "a4"]


def test_a_hold_lifted_before_the_conference_holds_nothing(conf):
    award = kind(conf, code="bk", name="Bằng khen", min_band="Tốt", cap_count=2)
    hold_record(
        unit=conf.units["a2"],
        kind="inspection",
        since=dt.date(2025, 3, 1),
        until=dt.date(2025, 6, 1),
    )
    FlagHandover.objects.create(
        cluster=conf.cluster,
        emulation_year=conf.year,
        from_unit=conf.units["a1"],
        to_unit=conf.units["a2"],
        handed_on=dt.date(2026, 1, 27),
    )
    assert verdicts(conf, award)["a2"].eligible


def test_the_rule_set_is_the_one_in_force_on_the_conferences_day(conf):
    assert conference_day(conf.year) == dt.date.today()  # not held yet: today's
    handover = FlagHandover.objects.create(
        cluster=conf.cluster,
        emulation_year=conf.year,
        from_unit=conf.units["a1"],
        to_unit=conf.units["a2"],
        handed_on=dt.date(2025, 6, 30),
    )
    award = kind(conf, code="bk", name="Bằng khen", award_code="co-thi-dua-tinh")
    facts = year_facts(conf.year)
    facts.eligibility(award)
    assert facts.inputs.day == dt.date(2025, 6, 30) and facts.inputs.rule_set.code == "nd-98-2023"
    FlagHandover.objects.filter(pk=handover.pk).update(handed_on=dt.date(2025, 7, 1))
    facts = year_facts(conf.year)
    facts.eligibility(award)
    assert facts.inputs.rule_set.code == "nd-152-2025"


def test_an_award_the_rule_set_in_force_does_not_have_makes_no_one_eligible(conf):
    award = kind(conf, code="bk", name="Bằng khen", award_code="khong-con-nua")
    found = verdicts(conf, award)
    assert not any(e.eligible for e in found.values())
    assert texts(found["a1"]) == [
        "Nghị định 152/2025/NĐ-CP không có hình thức khen thưởng “khong-con-nua”: cụm cần chọn "
        "lại hình thức đề nghị"
    ]
    with pytest.raises(Exception, match="Không có đơn vị nào đủ điều kiện"):
        ballot_open(emulation_year=conf.year, purpose="award", award_kind=award)


# --- "leads its cluster": the vote, or the ranking where a year has none -------------------------


def test_after_the_vote_the_rank_2_unit_leads_and_the_first_of_the_ranking_does_not(conf):
    state_flag = kind(conf, code="ct", name="Đề nghị Cờ thi đua tỉnh", award_code="co-thi-dua-tinh")
    before = verdicts(conf, state_flag)
    assert texts(before["a1"])[1] == (
        "Dẫn đầu cụm Cụm A năm 2025 — theo bảng xếp hạng (năm này không có kết quả bình xét, suy "
        "tôn của hội nghị)"
    )
    vote_for_a2_as_leader(conf)
    after = verdicts(conf, state_flag)
    assert texts(after["a2"])[1] == (
        "Dẫn đầu cụm Cụm A năm 2025 — theo kết quả bình xét, suy tôn của hội nghị cụm"
    )
    assert texts(after["a1"], "en")[1] == (
        "Did not lead its cluster in 2025 (ranked 1) — as chosen by the cluster conference's vote"
    )


def test_a_published_years_leader_in_the_history_is_the_one_the_vote_chose(conf):
    EmulationYear.objects.filter(pk=conf.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    units = [conf.units[c] for c in ("a1", "a2")]
    by_rank = unit_histories(units)
    assert by_rank[units[0].pk].years[2025].leads_cluster
    assert by_rank[units[0].pk].years[2025].leads_by == "rank"
    stamp = unit_awards_stamp(units[0].pk)
    vote_for_a2_as_leader(conf)
    by_vote = unit_histories(units)
    assert not by_vote[units[0].pk].years[2025].leads_cluster
    assert by_vote[units[1].pk].years[2025].leads_cluster
    assert {h.years[2025].leads_by for h in by_vote.values()} == {"vote"}
    assert unit_awards_stamp(units[0].pk) != stamp  # A1's award page is read again


def test_the_history_reads_the_leaders_in_a_fixed_number_of_queries(conf):
    EmulationYear.objects.filter(pk=conf.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    vote_for_a2_as_leader(conf)
    counts = []
    for codes in (["a1"], ["a1", "a2", "a3", "a4", "a5"]):
        with CaptureQueriesContext(connection) as queries:
            unit_histories([conf.units[c] for c in codes])
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_dossier_reads_the_leader_from_the_vote_else_from_the_ranking(conf):
    def leads(code):
        return leads_in_year(emulation_year=conf.year, unit_id=conf.units[code].pk)

    assert leads("a1") and not leads("a2")  # no vote yet: the first of the ranking
    vote_for_a2_as_leader(conf)
    assert leads("a2") and not leads("a1")


# --- the page -------------------------------------------------------------------------------------


def page(client, user, conf, language="vi"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("year-conference", args=[conf.year.pk]))
    assert response.status_code == 200
    return response.content.decode()


def row(body, award, unit):
    return body.split(f'id="eligibility-{award}-{unit}"')[1].split("</tr>")[0]


def test_the_page_shows_each_members_status_and_every_reason_with_its_citation(client, conf):
    kind(conf, code="bk", name="Bằng khen", award_code="bang-khen-lmhtxvn", cap_count=2)
    hold_record(unit=conf.units["a2"], kind="discipline", since=dt.date(2025, 1, 1))
    body = page(client, conf.secretariat, conf)
    assert "Bằng khen của Chủ tịch Liên minh Hợp tác xã Việt Nam (tập thể)" in body  # proposes for
    assert "Điều kiện xét theo Nghị định 152/2025/NĐ-CP" in body
    a1 = row(body, "bk", "a1")
    assert "Chưa đủ điều kiện" in a1 and STREAK_VI in a1
    assert "(QĐ 86/2025/QĐ-UBND Bắc Ninh, Điều 3.3)" in a1
    assert "(Luật Thi đua, khen thưởng 2022, Điều 5)" in a1
    a2 = row(body, "bk", "a2")
    assert "Tạm hoãn" in a2 and "Tạm hoãn xét: đang xem xét kỷ luật (từ 01/01/2025)" in a2
    english = page(client, conf.secretariat, conf, "en")
    assert STREAK_EN in row(english, "bk", "a1") and "Not eligible" in row(english, "bk", "a1")
    a2 = row(english, "bk", "a2")
    assert "Held: a disciplinary matter is pending (since 2025-01-01)" in a2 and "Held" in a2
    assert "Judged under Nghị định 152/2025/NĐ-CP" in english


def test_a_reporter_before_publication_sees_its_own_status_only(client, conf):
    kind(conf, code="bk", name="Bằng khen", award_code="bang-khen-lmhtxvn", cap_count=2)
    body = page(client, conf.reporter_a1, conf)
    card = body.split('id="award-bk"')[1].split("</div></div>")[0]
    assert 'id="eligibility-bk-a1"' in card and "eligibility-bk-a2" not in card
    assert "Chưa đủ điều kiện" in card and STREAK_VI not in card


def test_the_award_kinds_form_offers_the_rule_sets_awards_and_refuses_another(client, conf):
    client.force_login(conf.secretariat)
    url = reverse("year-conference", args=[conf.year.pk])
    form = client.get(url).content.decode().split('id="award-form"')[1].split("</form>")[0]
    assert '<option value="co-thi-dua-lmhtxvn">' in form
    fields = {
        "name": "Cờ thi đua",
        "code": "co",
        "cap_count": "1",
        "min_vote_percent": "50",
        "tie_rule": "ranking",
        "requires_knockouts": "on",
        "leads_cluster": "on",
    }
    refused = client.post(url, {**fields, "award_code": "khong-co"})
    assert refused.status_code == 400
    assert (
        "Bộ quy tắc đang áp dụng (Nghị định 152/2025/NĐ-CP) không có hình thức khen thưởng "
        "“khong-co”" in refused.content.decode()
    )
    assert not AwardKind.objects.exists()
    assert client.post(url, {**fields, "award_code": "co-thi-dua-lmhtxvn"}).status_code == 302
    assert AwardKind.objects.get().award_code == "co-thi-dua-lmhtxvn"


# --- the overview's cap across clusters ----------------------------------------------------------


@pytest.mark.parametrize(("leaders", "allowed"), [(3, 0), (5, 1), (7, 1), (10, 2)])
def test_the_overview_caps_the_government_flag_at_the_laws_share_of_the_leaders(
    client, world, leaders, allowed
):
    from clusters.models import Cluster, Membership, Unit

    for c in range(leaders):
        cluster = Cluster.objects.create(
            code=f"cum-{c}", name=f"Cụm {c}", supervising_unit=world.supervising
        )
        year = EmulationYear.objects.create(cluster=cluster, year=2025)
        unit = Unit.objects.create(
            code=f"u{c}", name=f"Đơn vị {c}", kind=Unit.Kind.PROVINCIAL_ALLIANCE
        )
        Membership.objects.create(emulation_year=year, unit=unit)
        flag = AwardKind.objects.create(
            cluster=cluster, code="co", name="Cờ", leads_cluster=True, cap_count=1
        )
        AwardProposal.objects.create(
            emulation_year=year, award_kind=flag, unit=unit, votes=3, rank=1
        )
    client.force_login(world.leadership)
    url = reverse("overview") + "?nam=2025"
    section = client.get(url).content.decode().split(f'id="next-level-{world.supervising.pk}"')[1]
    assert f'<strong class="cap">{allowed}</strong>' in section
    assert f"trong {leaders} đơn vị dẫn đầu cụm" in section
    assert "(Công văn 5007/BNV-TĐKT ngày 05/9/2023; NĐ 91/2017/NĐ-CP, Điều 11)" in section
    if allowed:
        assert f"Tối đa {allowed}: 20 % của {leaders} đơn vị dẫn đầu được xét" in section
        assert "cap-zero" not in section
    else:
        assert "Không đề nghị được: 20 % của 3 đơn vị dẫn đầu được xét làm tròn xuống được 0" in (
            section
        )
        assert "cap-zero" in section and "không đơn vị nào được đề nghị" in section
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode().split('id="next-level-')[1]
    if allowed:
        assert f"At most {allowed}: 20 % of {leaders} leaders considered" in english
    else:
        assert "None may be proposed: 20 % of 3 leaders considered rounds down to 0" in english


# --- queries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["secretariat", "leadership"])
def test_the_conference_page_judges_every_member_in_a_fixed_number_of_queries(client, persona):
    """The bench's small and larger worlds (3 and 9 members), each with award kinds proposing for
    the rule set's awards, a published year before with its conference's leader, a decision and
    a hold on every member: the page asks the same number of queries."""
    from clusters.models import Unit
    from scoring.dev import bench
    from tests.test_dashboard_queries import _count, _world

    counts = []
    for size in ("small", "large"):
        world = _world(size)
        year = world["year"]
        before = EmulationYear.objects.get(cluster_id=year.cluster_id, year=bench.PRIOR)
        EmulationYear.objects.filter(pk=before.pk).update(status=EmulationYear.Status.PUBLISHED)
        flag = AwardKind.objects.create(
            cluster_id=year.cluster_id,
            code="co",
            name="Cờ thi đua",
            leads_cluster=True,
            award_code="co-thi-dua-lmhtxvn",
            cap_count=1,
        )
        for code, award_code in (("bk", "bang-khen-lmhtxvn"), ("ct", "co-thi-dua-tinh")):
            AwardKind.objects.create(
                cluster_id=year.cluster_id,
                code=code,
                name=code,
                award_code=award_code,
                min_band="",
                cap_count=2,
            )
        units = list(Unit.objects.filter(memberships__emulation_year=year).order_by("code"))
        AwardProposal.objects.create(emulation_year=before, award_kind=flag, unit=units[-1])
        decision_record(
            number=f"1/QĐ-{size}",
            decided_on=dt.date(2025, 1, 20),
            deciding_body="Liên minh Hợp tác xã Việt Nam",
            award_code="co-thi-dua-lmhtxvn",
            achievement_year=bench.PRIOR,
            units=units,
        )
        for unit in units:
            hold_record(unit=unit, kind="complaint", since=dt.date(2025, 1, 1))
        url = reverse("year-conference", args=[year.pk])
        counts.append(_count(client, world[persona], url, cold=True))
        body = client.get(url).content.decode()
        assert body.count('class="eligibility-row"') == 3 * len(units)
        assert "Tạm hoãn xét: đang giải quyết khiếu nại, tố cáo" in body
    assert counts[0] == counts[1], counts
