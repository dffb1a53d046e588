from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from clusters.models import Cluster, EmulationYear, FlagHandover, RoleGrant, Unit, UnitSuccession
from scoring.dev.demo import CLUSTER_CODE, SAMPLE_NOTE, demo_figures
from scoring.models import Pledge, Report, ScoringRun
from scoring.ranking.services.recompute import year_recompute
from tests.helpers import scheme_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tmp_path, django_capture_on_commit_callbacks):
    logins = tmp_path / "logins.txt"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--force", "--logins-file", str(logins))
    return logins


def year(y: int) -> EmulationYear:
    return EmulationYear.objects.get(cluster__code=CLUSTER_CODE, year=y)


def members(y: int) -> list[str]:
    return sorted(year(y).memberships.values_list("unit__code", flat=True))


def test_it_loads_seven_members_until_2024_and_three_after_the_mergers(demo):
    seven = ["an-giang", "bac-lieu", "ca-mau", "can-tho", "hau-giang", "kien-giang", "soc-trang"]
    for y in range(2019, 2025):
        assert members(y) == seven
    assert members(2025) == members(2026) == ["an-giang", "ca-mau", "can-tho"]


def test_it_links_the_merged_provinces_to_their_successors_on_1_july_2025(demo):
    links = {
        (s.predecessor.code, s.successor.code, s.effective_on)
        for s in UnitSuccession.objects.select_related("predecessor", "successor")
    }
    merged = dt.date(2025, 7, 1)
    assert links == {
        ("kien-giang", "an-giang", merged),
        ("soc-trang", "can-tho", merged),
        ("hau-giang", "can-tho", merged),
        ("bac-lieu", "ca-mau", merged),
    }
    assert not Unit.objects.get(code="kien-giang").is_active


def test_heads_deputies_and_the_flag_follow_the_brief(demo):
    def office(y, role):
        return sorted(year(y).offices.filter(role=role).values_list("unit__code", flat=True))

    assert office(2020, "head") == ["soc-trang"]
    assert office(2021, "head") == ["an-giang"] and office(2021, "deputy") == ["can-tho"]
    handover = FlagHandover.objects.get(emulation_year=year(2020))
    assert (handover.from_unit.code, handover.to_unit.code, handover.handed_on) == (
        "soc-trang",
        "an-giang",
        dt.date(2021, 1, 27),
    )


def test_the_2021_pledge_is_signed_by_every_member_and_its_scheme_carries_the_brief_targets(demo):
    pledge = Pledge.objects.get(emulation_year=year(2021))
    assert pledge.signatures.count() == 7 and pledge.locked_at is not None
    criteria = {c.code: c for c in scheme_of(year(2021)).criteria.all()}
    assert criteria["1.1"].target == 20 and criteria["1.2"].target == 1
    assert (
        criteria["2.1"].target == 60
        and criteria["2.2"].target == 10
        and criteria["2.3"].target == 8
    )
    assert (
        criteria["2.4"].target == 70
        and criteria["3.2"].target == 100
        and criteria["3.3"].target == 90
    )


def test_every_past_year_is_published_and_ranked_and_figures_are_marked_as_sample(demo):
    for y in range(2020, 2026):
        ey = year(y)
        assert ey.status == EmulationYear.Status.PUBLISHED
        assert not ey.is_dirty
        run = ScoringRun.objects.get(emulation_year=ey, is_current=True)
        ranks = sorted(run.standings.values_list("rank", flat=True))
        assert ranks[0] == 1 and len(ranks) == len(members(y))
    assert Report.objects.exclude(note=SAMPLE_NOTE).count() == 0
    assert year(2026).status == EmulationYear.Status.REPORTING


def test_a_merged_member_reports_the_sum_of_its_provinces(demo):
    ag_2025 = demo_figures("an-giang", 2025)
    from scoring.dev.demo import _province_figures

    assert ag_2025["coop_members"] == (
        _province_figures("an-giang", 2025)["coop_members"]
        + _province_figures("kien-giang", 2025)["coop_members"]
    )


def test_recomputing_the_demo_again_changes_nothing_and_published_years_stay_frozen(demo):
    assert year_recompute(emulation_year_id=year(2026).pk).status == "clean"
    assert year_recompute(emulation_year_id=year(2026).pk, force=True).status == "written"
    assert year_recompute(emulation_year_id=year(2021).pk, force=True).status == "published"


def test_it_creates_one_user_per_role_and_writes_their_passwords_outside_the_repository(demo):
    text = demo.read_text(encoding="utf-8")
    for username in [
        "thuky",
        "baocao.angiang",
        "baocao.cantho",
        "baocao.camau",
        "lanhdao",
        "thiduakt",
        "quantri",
    ]:
        assert f"\n{username}\t" in text
    assert RoleGrant.objects.get(user__username="thuky").cluster.code == CLUSTER_CODE
    assert RoleGrant.objects.get(user__username="lanhdao").unit.code == "vca-phia-nam"
    awarding = RoleGrant.objects.get(user__username="thiduakt")
    assert (awarding.role, awarding.unit.code) == ("awarding", "lmhtx-viet-nam")


def test_loading_twice_is_refused_unless_if_empty(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="already loaded"):
        call_command("load_demo", "--force", "--logins-file", str(demo))
    call_command("load_demo", "--force", "--if-empty", "--logins-file", str(demo))
    assert Cluster.objects.filter(code=CLUSTER_CODE).count() == 1


def test_the_2021_explanation_lines_read_in_vietnamese_with_the_members_own_target(demo):
    from scoring.models import Score

    lines = {
        s.criterion_code: s.explanation
        for s in Score.objects.filter(
            run__is_current=True, run__emulation_year=year(2021), unit__code="an-giang"
        )
    }
    assert len(lines) == 11
    # An Giang pledged 25 new cooperatives, not the common 20.
    assert lines["1.1"].startswith("Chỉ tiêu 25 HTX, đạt ")
    assert lines["1.1"].endswith("/15 điểm (tính theo tỷ lệ)")
    assert lines["2.1"].startswith("Chỉ tiêu 60%, đạt ") and "lần chỉ tiêu" in lines["2.1"]
    assert "(đạt/không đạt)" in lines["3.3"]
    assert lines["T.1"].startswith("Chỉ tiêu tối đa 0 ngày")


def test_load_demo_refuses_to_run_with_debug_off_without_force(tmp_path, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("load_demo", "--logins-file", str(tmp_path / "x.txt"))
    assert not Cluster.objects.exists()


def test_years_compared_shows_each_members_rank_through_the_mergers(
    client, demo, django_assert_max_num_queries
):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    cluster = Cluster.objects.get(code=CLUSTER_CODE)
    client.force_login(get_user_model().objects.get(username="lanhdao"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("cluster-compare", args=[cluster.pk])).content.decode()
    table = page.split('id="compare"')[1]
    assert all(str(y) in table for y in range(2020, 2026))
    assert "Kiên Giang" in table and "Cần Thơ" in table
    client.force_login(get_user_model().objects.get(username="baocao.camau"))
    reporter = (
        client.get(reverse("cluster-compare", args=[cluster.pk]))
        .content.decode()
        .split('id="compare"')[1]
    )
    assert ">2025<" in reporter and ">2026<" not in reporter  # 2026 is not published


def test_the_overview_shows_leader_progress_and_criteria_no_one_met_in_fixed_queries(
    client, demo, django_assert_max_num_queries
):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    client.force_login(get_user_model().objects.get(username="lanhdao"))
    # Cold caches; the current runs are read once for the cards and once for the next-level
    # section (each cached on its own), then results by run rather than through a join.
    with django_assert_max_num_queries(15):
        page = client.get(reverse("overview") + "?nam=2021").content.decode()
    card = page.split('id="overview-')[1]
    assert "Dẫn đầu" in card and "7/7" in card
    assert "Không đơn vị nào đạt" in card and "2.4" in card.split("Không đơn vị nào đạt")[1]
    client.force_login(get_user_model().objects.get(username="baocao.camau"))
    assert 'id="overview-' not in client.get(reverse("overview") + "?nam=2026").content.decode()


def test_a_unit_sheet_shows_its_trend_through_the_merger(client, demo):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    client.force_login(get_user_model().objects.get(username="lanhdao"))
    ag = Unit.objects.get(code="an-giang")
    page = client.get(reverse("year-unit-sheet", args=[year(2025).pk, ag.pk])).content.decode()
    trend = page.split('id="trend"')[1].split("</table>")[0]
    assert trend.count("<tr") == 1 + 7 + 5  # header, An Giang 2020–2026, Kiên Giang 2020–2024
    assert "Kiên Giang" in trend and "trước sáp nhập" in trend


def test_the_ranking_shows_each_members_change_since_last_year(client, demo):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from scoring.models import Standing

    client.force_login(get_user_model().objects.get(username="lanhdao"))
    page = client.get(reverse("year-detail", args=[year(2021).pk])).content.decode()
    assert "So với năm trước" in page
    ag_2020 = Standing.objects.get(
        run__emulation_year=year(2020), run__is_current=True, unit__code="an-giang"
    )
    ag_2021 = Standing.objects.get(
        run__emulation_year=year(2021), run__is_current=True, unit__code="an-giang"
    )
    moved = ag_2020.rank - ag_2021.rank
    expected = f"▲{moved}" if moved > 0 else (f"▼{-moved}" if moved < 0 else "=")
    row = page.split("Liên minh HTX tỉnh An Giang</span></a>")[1].split("</tr>")[0]
    assert expected in row
    merged_row = (
        client.get(reverse("year-detail", args=[year(2025).pk]))
        .content.decode()
        .split("Liên minh HTX tỉnh An Giang</span></a>")[1]
        .split("</tr>")[0]
    )
    assert "*</span>" in merged_row  # absorbed Kiên Giang in 2025


def test_the_conference_pack_has_ranking_signatories_and_every_score_sheet_in_fixed_queries(
    client, demo
):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client.force_login(get_user_model().objects.get(username="lanhdao"))
    counts = {}
    for y in (2021, 2025):  # 7 members and no ballot, then 3 members and 3 ballots
        client.get(reverse("conference-pack", args=[year(y).pk]))  # warm: the unit tree cached
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("conference-pack", args=[year(y).pk])).content.decode()
        counts[y] = len(queries)
    # (Query counts at two sizes of members and criteria: tests/test_dashboard_queries.py.)
    # 2025 adds the voters and the counts of its ballots: two queries, whatever their number; and
    # the award engine's histories read one more generation of mergers (its three members
    # succeeded the four merged provinces, which were 2021's members themselves): one query.
    assert counts[2025] == counts[2021] + 3
    page = client.get(reverse("conference-pack", args=[year(2021).pk])).content.decode()
    ranking = page.split('id="pack-ranking"')[1].split("</table>")[0]
    assert ranking.count("<tr>") == 1 + 7 and "Liên minh HTX tỉnh An Giang" in ranking
    assert page.count('class="sheet"') == 7 and "Chủ tịch Liên minh HTX tỉnh Kiên Giang" in page


def test_the_demo_has_the_conference_of_its_last_published_year(client, demo):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from scoring.models import AwardProposal, Ballot, Standing

    y2025 = year(2025)
    assert y2025.ballots.filter(status=Ballot.Status.CLOSED).count() == 3
    # The flag needs the knockout criteria met: the best-ranked member that met them leads.
    leader = (
        Standing.objects.filter(run__emulation_year=y2025, run__is_current=True, eligible=True)
        .order_by("rank")
        .first()
        .unit
    )
    assert list(AwardProposal.objects.values_list("unit", flat=True)) == [leader.pk]
    client.force_login(get_user_model().objects.get(username="lanhdao"))
    minutes = (
        client.get(reverse("conference-pack", args=[y2025.pk]))
        .content.decode()
        .split('id="minutes"')[1]
    )
    assert "cụm trưởng <strong>Liên minh HTX tỉnh An Giang</strong>" in minutes
    assert "cụm phó <strong>Liên minh HTX tỉnh Cà Mau</strong>" in minutes
    assert "Liên minh HTX thành phố Cần Thơ bàn giao cờ luân lưu" in minutes
    assert "ngày 27 tháng 01 năm 2026" in minutes


def test_the_demo_carries_sample_award_decisions_read_through_the_merger(demo, client):
    """Each published year's leader up to 2024 holds a sample VCA flag; An Giang's page shows
    Kiên Giang's (merged into it on 1/7/2025) and judges 2025 under NĐ 152/2025."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from clusters.models import Unit
    from scoring.models import AwardDecision

    decisions = AwardDecision.objects.order_by("achievement_year")
    assert [d.achievement_year for d in decisions] == [2020, 2021, 2022, 2023, 2024]
    assert all(d.is_sample for d in decisions)
    client.force_login(get_user_model().objects.get(username="lanhdao"))
    an_giang = Unit.objects.get(code="an-giang")
    page = client.get(reverse("unit-awards", args=[an_giang.pk])).content.decode()
    assert "Của các đơn vị được kế thừa" in page and "Liên minh HTX tỉnh Kiên Giang" in page
    assert "Nghị định 152/2025/NĐ-CP" in page
    assert "năm liên tục" in page  # the certificate of merit's two-year condition, year by year


def test_the_conference_judges_the_certificate_by_the_sample_history_and_the_vote(client, demo):
    """The conference held on 27/01/2026 (the 2025 year's) judges the VCA chair's certificate
    under NĐ 152/2025 from the sample history — two consecutive years "hoàn thành xuất sắc
    nhiệm vụ", year by year — and Cần Thơ, ranked second but chosen by the vote, leads 2025 in
    its award history."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from clusters.models import Unit
    from scoring.awards.selectors import unit_histories

    client.force_login(get_user_model().objects.get(username="lanhdao"))
    page = client.get(reverse("year-conference", args=[year(2025).pk])).content.decode()
    card = page.split('id="award-bang-khen"')[1].split("</table>")[0]
    assert "Điều kiện xét theo Nghị định 152/2025/NĐ-CP (áp dụng ngày 27/01/2026)" in card
    can_tho = card.split('id="eligibility-bang-khen-can-tho"')[1].split("</tr>")[0]
    assert "Chưa đủ 2 năm liên tục Hoàn thành xuất sắc nhiệm vụ: 2024 chưa có, 2025 chưa có" in (
        can_tho
    )
    assert "Năm 2025 xếp loại “Tốt”, cần từ “Tốt” trở lên" in can_tho
    history = unit_histories(list(Unit.objects.filter(code__in=["an-giang", "can-tho"])))
    records = {h.unit: h.years[2025] for h in history.values()}
    assert (records["can-tho"].rank, records["can-tho"].leads_cluster) == (2, True)
    assert (records["an-giang"].rank, records["an-giang"].leads_cluster) == (1, False)
    assert {r.leads_by for r in records.values()} == {"vote"}
    # 2024 had no conference in the sample data: its leader is read from the ranking.
    assert history[Unit.objects.get(code="an-giang").pk].years[2024].leads_by == "rank"
