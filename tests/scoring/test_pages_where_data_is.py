"""Pages open where the data is (issue #13 item 5) and speak in names, not codes (item 6): a year
without submitted reports says so instead of ranking zeros, raising alarms or proposing anyone; a
manual adjustment counts wherever a criterion's points or "met" appear; one status vocabulary for a
report; warnings and history name units and data elements."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from clusters.models import EmulationYear, Membership, Unit
from scoring.models import Report, Score, Standing
from scoring.ranking.services.recompute import year_recompute
from scoring.reporting.selectors import report_status_label
from scoring.reporting.services.manual import manual_points_set
from scoring.reporting.services.reports import report_get_or_create, report_return, report_save
from scoring.templatetags.scoring_extras import vn_number, with_unit
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture
def empty_next_year(scored):
    """The scored 2025 and a 2026 opened with the same scheme and members, scored with nothing
    reported (what the tester found: an all-zero ranking)."""
    later = EmulationYear.objects.create(cluster=scored.cluster, year=2026)
    Membership.objects.create(emulation_year=later, unit=scored.unit_a1)
    Membership.objects.create(emulation_year=later, unit=scored.unit_a2)
    install_scheme(later)
    year_recompute(emulation_year_id=later.pk)
    assert Standing.objects.filter(run__emulation_year=later, run__is_current=True).count() == 2
    scored.later = later
    return scored


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- the overview and the year lists open where the data is ---------------------------------


def test_the_overview_opens_on_the_latest_year_with_submitted_reports(client, empty_next_year):
    client.force_login(empty_next_year.leadership)
    response = client.get(reverse("overview"))
    assert response.context["chosen"] == 2025
    assert response.context["calendar"] == [2026, 2025]  # the empty year is still offered
    assert "Liên minh HTX A1</strong>" in response.content.decode()  # 2025's leader


def test_an_overview_year_without_reports_says_so_and_raises_no_alarm_nor_proposal(
    client, empty_next_year
):
    html = page(client, empty_next_year.leadership, reverse("overview") + "?nam=2026")
    card = html[html.index(f'id="overview-{empty_next_year.later.pk}"') :]
    assert "Chưa có số liệu" in card
    assert "Dẫn đầu" not in card and "Không đơn vị nào đạt" not in card
    assert "Đề nghị lên cấp trên" not in html  # no leader of an empty year is proposed
    # 2025 still proposes its leader.
    html = page(client, empty_next_year.leadership, reverse("overview") + "?nam=2025")
    assert "Đề nghị lên cấp trên" in html and "đứng đầu bảng xếp hạng" in html


def test_a_year_without_reports_shows_no_ranking_heat_map_or_warnings(client, empty_next_year):
    for user in (empty_next_year.leadership, empty_next_year.secretariat):
        html = page(client, user, reverse("year-detail", args=[empty_next_year.later.pk]))
        assert "Chưa có số liệu" in html
        assert 'id="heatmap"' not in html and "cảnh báo" not in html
        assert "table-ranking" not in html


def test_the_years_compared_leave_out_a_year_without_reports(client, empty_next_year):
    response = client.get(reverse("cluster-compare", args=[empty_next_year.cluster.pk]))
    client.force_login(empty_next_year.leadership)
    response = client.get(reverse("cluster-compare", args=[empty_next_year.cluster.pk]))
    assert [y.year for y in response.context["years"]] == [2025]


def test_the_clusters_year_list_marks_the_year_without_reports_and_links_the_latest(
    client, empty_next_year
):
    client.force_login(empty_next_year.leadership)
    response = client.get(reverse("cluster-detail", args=[empty_next_year.cluster.pk]))
    html = response.content.decode()
    assert response.context["latest_with_data"].year == 2025
    row = html[html.index(f'id="year-{empty_next_year.later.pk}"') :]
    assert "Chưa có số liệu" in row[: row.index("</tr>")]
    row = html[html.index(f'id="year-{empty_next_year.year.pk}"') :]
    assert "Chưa có số liệu" not in row[: row.index("</tr>")]


# --- a manual adjustment counts everywhere ---------------------------------------------------


@pytest.fixture
def adjusted(scored):
    """a2 reported 10 of 20 new cooperatives (1.1 not met: 30/60); the secretariat sets it to
    60/60."""
    before = Score.objects.get(run__is_current=True, unit=scored.unit_a2, criterion_code="1.1")
    assert not before.met and before.points == 30
    scored.year.refresh_from_db()
    manual_points_set(
        emulation_year=scored.year,
        unit=scored.unit_a2,
        criterion_code="1.1",
        points=Decimal(60),
        reason="5 HTX chuyển đổi được tính",
        actor=scored.secretariat,
    )
    year_recompute(emulation_year_id=scored.year.pk)
    return scored


def test_an_adjustment_to_full_points_makes_the_line_met_at_the_source(adjusted):
    line = Score.objects.get(run__is_current=True, unit=adjusted.unit_a2, criterion_code="1.1")
    assert line.met and line.points == 60
    standing = Standing.objects.get(run__is_current=True, unit=adjusted.unit_a2)
    assert standing.met_count == 1  # 1.1 (adjusted); 2.1 has no figure


def test_an_adjustment_below_full_points_is_not_met(scored):
    scored.year.refresh_from_db()
    manual_points_set(
        emulation_year=scored.year,
        unit=scored.unit_a1,
        criterion_code="1.1",
        points=Decimal(45),
        reason="3 HTX chưa đủ hồ sơ",
    )
    year_recompute(emulation_year_id=scored.year.pk)
    line = Score.objects.get(run__is_current=True, unit=scored.unit_a1, criterion_code="1.1")
    assert not line.met and line.points == 45


def test_the_heat_map_overview_and_export_show_the_adjustment(client, adjusted):
    html = page(client, adjusted.secretariat, reverse("year-detail", args=[adjusted.year.pk]))
    heat = html[html.index('id="heatmap"') :]
    a2 = heat[heat.index(">A2<") if ">A2<" in heat else heat.index("Liên minh HTX A2") :]
    first_cell = a2[a2.index("<td") : a2.index("</td>")]
    assert "heat-met" in first_cell and "*" in first_cell
    assert "Ban thư ký điều chỉnh" in heat
    html = page(client, adjusted.leadership, reverse("overview") + "?nam=2025")
    assert "1.1 Thành lập mới HTX: 2/2" in html
    client.force_login(adjusted.leadership)
    response = client.get(reverse("ranking-xlsx", args=[adjusted.year.pk]))
    details = openpyxl.load_workbook(io.BytesIO(response.content))["Chi tiết"]
    header = [c.value for c in details[8]]  # under the title block
    rows = {
        (r[0], r[1]): dict(zip(header, r, strict=True))
        for r in details.iter_rows(min_row=9, values_only=True)
    }
    line = rows[(adjusted.unit_a2.name, "1.1")]
    assert line["Đạt"] == "Có" and line["Điểm"] == 60


# --- one status vocabulary -------------------------------------------------------------------


def test_a_report_not_started_has_one_label_on_every_page(client, world):
    assert report_status_label(None) == "Chưa bắt đầu"
    draft = report_get_or_create(emulation_year=world.year, unit_id=world.unit_a1.pk)
    assert report_status_label(draft) == "Bản nháp"
    html = page(client, world.secretariat, reverse("year-detail", args=[world.year.pk]))
    rows = html[html.index('id="member-reports"') :]
    a1 = rows[rows.index("Liên minh HTX A1") :]
    a2 = rows[rows.index("Liên minh HTX A2") :]
    assert "Bản nháp" in a1[: a1.index("</tr>")]
    assert "Chưa bắt đầu" in a2[: a2.index("</tr>")]


# --- warnings and history name units and data elements ---------------------------------------


def test_the_no_report_warning_names_the_unit(client, scored):
    a3 = Unit.objects.create(code="a3", name="Liên minh HTX A3", kind=Unit.Kind.PROVINCIAL_ALLIANCE)
    Membership.objects.create(emulation_year=scored.year, unit=a3)
    year_recompute(emulation_year_id=scored.year.pk, force=True)
    html = page(client, scored.secretariat, reverse("year-detail", args=[scored.year.pk]))
    warnings = html[html.index('id="run-warnings"') :]
    warnings = re.sub(r"<[^>]+>", "", warnings[: warnings.index("</details>")])
    assert "Liên minh HTX A3: Đơn vị chưa có số liệu nào cho năm 2025" in warnings
    assert "no_report" not in warnings
    # A missing figure names the data element, not its code.
    assert "Thành viên HTX" in warnings and "coop_members" not in warnings


def test_the_history_names_the_data_elements_and_statuses(client, world):
    install_scheme(world.year)
    report = report_get_or_create(emulation_year=world.year, unit_id=world.unit_a1.pk)
    report_save(
        report=report,
        expected_version=report.version,
        values={"new_coops": Decimal("127529.0000"), "coop_members": Decimal("62.5")},
        submit=True,
        note="",
        answers={},
        actor=world.reporter_a1,
        today=dt.date(2025, 12, 1),
    )
    report_return(
        report=report,
        expected_version=report.version,
        comments={"coop_members": "Thiếu danh sách thành viên"},
        actor=world.secretariat,
    )
    html = page(
        client, world.reporter_a1, reverse("report-history", args=[world.year.pk, world.unit_a1.pk])
    )
    table = html[html.index("<table") :]
    assert "HTX thành lập mới" in table and "Thành viên HTX" in table
    assert "new_coops" not in table and "coop_members" not in table
    assert "127.529" in table and "62,5" in table and "127529" not in table
    assert "Thành viên HTX: Thiếu danh sách thành viên" in table
    assert "Trả lại để bổ sung" in table and ">returned<" not in table
    assert Report.objects.get(pk=report.pk).status == "returned"


def test_the_history_is_behind_the_scope(client, world):
    install_scheme(world.year)
    report_get_or_create(emulation_year=world.year, unit_id=world.unit_a1.pk)
    url = reverse("report-history", args=[world.year.pk, world.unit_a1.pk])
    for user in (world.outsider, world.reporter_a2, world.other_secretariat):
        client.force_login(user)
        assert client.get(url).status_code == 404


# --- numbers the Vietnamese way --------------------------------------------------------------


def test_numbers_are_grouped_trimmed_and_keep_their_unit_on_the_same_line(settings):
    from django.utils import translation

    assert vn_number(127529.0) == "127.529"
    assert vn_number(Decimal("127529.0000")) == "127.529"
    assert vn_number(62.5) == "62,5"
    assert vn_number(None) == "—"
    assert with_unit(62.5, "%") == f"62,5{NBSP}%"
    assert with_unit(20, "HTX") == f"20{NBSP}HTX"
    assert with_unit(0, "ngày") == f"0{NBSP}ngày"
    assert with_unit(3, "") == "3"
    with translation.override("en"):
        assert vn_number(127529.5) == "127,529.5"
        assert with_unit(62.5, "%") == f"62.5{NBSP}%"


# --- the demo, with next year opened (what the tester saw) ----------------------------------


def test_the_demos_overview_opens_on_2026_after_2027_is_opened(
    client, tmp_path, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from clusters.models import Cluster
    from scoring.dev.demo import CLUSTER_CODE
    from scoring.setup.services.opening import year_open

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--force", "--logins-file", str(tmp_path / "logins.txt"))
    cluster = Cluster.objects.get(code=CLUSTER_CODE)
    members = [
        m.unit for m in EmulationYear.objects.get(cluster=cluster, year=2026).memberships.all()
    ]
    with django_capture_on_commit_callbacks(execute=True):
        opened = year_open(
            cluster=cluster,
            year=2027,
            members=members,
            head=members[0],
            deputies=[],
            reporting_deadline=None,
            copy_scheme=True,
        )
    year_recompute(emulation_year_id=opened.pk)
    assert Standing.objects.filter(run__emulation_year=opened, run__is_current=True).exists()
    client.force_login(get_user_model().objects.get(username="lanhdao"))
    response = client.get(reverse("overview"))
    assert response.context["chosen"] == 2026 and 2027 in response.context["calendar"]
    html = page(
        client, get_user_model().objects.get(username="lanhdao"), reverse("overview") + "?nam=2027"
    )
    assert "Chưa có số liệu" in html
    assert "Không đơn vị nào đạt" not in html and "Đề nghị lên cấp trên" not in html
    html = page(
        client,
        get_user_model().objects.get(username="thuky"),
        reverse("year-detail", args=[opened.pk]),
    )
    assert "Chưa có số liệu" in html and "cảnh báo" not in html
    response = client.get(reverse("cluster-detail", args=[cluster.pk]))
    assert response.context["latest_with_data"].year == 2026


def test_no_data_reads_in_english_too(client, empty_next_year, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(client, empty_next_year.leadership, reverse("overview") + "?nam=2026")
    assert "No data yet: no member has submitted its report for this year." in html
    html = page(
        client, empty_next_year.secretariat, reverse("year-detail", args=[empty_next_year.later.pk])
    )
    assert "No data yet" in html and "Chưa có số liệu" not in html


def test_a_heat_map_cell_is_marked_only_when_a_computed_criterion_was_adjusted():
    from types import SimpleNamespace

    from scoring.ranking.views.year import _heat_cell

    line = SimpleNamespace(actual=0.0, ratio=0.0, met=True)
    assert _heat_cell(line, adjusted=True) == ("met", "✓*")
    line = SimpleNamespace(actual=10.0, ratio=0.5, met=False)
    assert _heat_cell(line, adjusted=True) == ("mid", "50%*")
    assert _heat_cell(line) == ("mid", "50%")
    assert _heat_cell(SimpleNamespace(actual=None, ratio=None, met=False)) == ("none", "—")
