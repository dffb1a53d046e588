"""Every page is behind the permission layer: login first, and 404 outside one's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clusters.models import EmulationYear

pytestmark = pytest.mark.django_db


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_every_page_but_login_redirects_an_anonymous_visitor_to_login(client, scored):
    for url in [
        reverse("home"),
        reverse("cluster-detail", args=[scored.cluster.pk]),
        reverse("year-detail", args=[scored.year.pk]),
        reverse("year-unit-sheet", args=[scored.year.pk, scored.unit_a1.pk]),
        "/admin/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "dang-nhap" in response["Location"] or "admin/login" in response["Location"]
    assert client.get(reverse("login")).status_code == 200


def test_the_login_form_names_the_problem_and_keeps_the_username(client, scored):
    response = client.post(reverse("login"), {"username": "reporter_a1", "password": "wrong"})
    assert response.status_code == 200
    assert 'value="reporter_a1"' in response.content.decode()
    assert response.context["form"].errors


@pytest.mark.parametrize(
    ("persona", "cluster", "year", "sheet_a1", "sheet_a2"),
    [
        ("secretariat", 200, 200, 200, 200),
        ("leadership", 200, 200, 200, 200),
        ("reporter_a1", 200, 200, 200, 404),
        ("reporter_a2", 200, 200, 404, 200),
        ("outsider", 404, 404, 404, 404),
        ("other_secretariat", 404, 404, 404, 404),
    ],
)
def test_each_persona_sees_only_its_scope(
    client, scored, persona, cluster, year, sheet_a1, sheet_a2
):
    user = getattr(scored, persona)
    assert (
        get(client, user, reverse("cluster-detail", args=[scored.cluster.pk])).status_code
        == cluster
    )
    assert get(client, user, reverse("year-detail", args=[scored.year.pk])).status_code == year
    assert (
        get(
            client, user, reverse("year-unit-sheet", args=[scored.year.pk, scored.unit_a1.pk])
        ).status_code
        == sheet_a1
    )
    assert (
        get(
            client, user, reverse("year-unit-sheet", args=[scored.year.pk, scored.unit_a2.pk])
        ).status_code
        == sheet_a2
    )


def test_a_unit_that_is_not_a_member_of_the_year_is_a_404_even_for_the_secretariat(client, scored):
    url = reverse("year-unit-sheet", args=[scored.year.pk, scored.unit_b1.pk])
    assert get(client, scored.secretariat, url).status_code == 404


def test_reporters_see_the_ranking_only_once_published(client, scored):
    url = reverse("year-detail", args=[scored.year.pk])
    body = get(client, scored.reporter_a1, url).content.decode()
    assert "Liên minh HTX A2" not in body.split("Thành viên")[0]
    assert "khi thư ký cụm công bố" in body
    EmulationYear.objects.filter(pk=scored.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    body = get(client, scored.reporter_a1, url).content.decode()
    assert "Bảng xếp hạng" in body and "60,00" in body and "30,00" in body
    # Once published, other members' score sheets are open to every member's reporter.
    assert (
        get(
            client,
            scored.reporter_a1,
            reverse("year-unit-sheet", args=[scored.year.pk, scored.unit_a2.pk]),
        ).status_code
        == 200
    )


def test_the_ranking_page_shows_ranks_totals_and_links_to_score_sheets(client, scored):
    response = get(client, scored.leadership, reverse("year-detail", args=[scored.year.pk]))
    body = response.content.decode()
    assert body.index("Liên minh HTX A1") < body.index("Liên minh HTX A2")
    assert reverse("year-unit-sheet", args=[scored.year.pk, scored.unit_a1.pk]) in body
    sheet = get(
        client,
        scored.leadership,
        reverse("year-unit-sheet", args=[scored.year.pk, scored.unit_a2.pk]),
    )
    text = sheet.content.decode()
    assert "Thành lập mới HTX" in text and "30,00" in text


def test_the_ranking_page_has_a_heat_map_of_attainment_with_numbers_and_explanations(
    client, scored
):
    client.force_login(scored.leadership)
    page = client.get(reverse("year-detail", args=[scored.year.pk])).content.decode()
    heat = page.split('id="heatmap"')[1].split("</table>")[0]
    assert "heat-met" in heat and "100%" in heat  # a1: 20 of 20
    assert "heat-mid" in heat and "50%" in heat  # a2: 10 of 20
    assert "Liên minh HTX A2 · 1.1: 10 / 20" in heat  # the numbers on hover
    assert "#c-1.1" in heat  # each cell links to the explanation line behind it
    assert "visually-hidden" in heat  # a text alternative for screen readers


def test_home_lists_only_the_clusters_in_scope(client, scored):
    assert "Cụm A" in get(client, scored.leadership, reverse("home")).content.decode()
    body = get(client, scored.outsider, reverse("home")).content.decode()
    assert "Cụm A" not in body and "chưa được phân quyền" in body


def test_the_ranking_page_needs_a_fixed_number_of_queries(
    client, scored, django_assert_max_num_queries
):
    client.force_login(scored.leadership)
    url = reverse("year-detail", args=[scored.year.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        client.get(url)


def test_the_english_interface_is_available(client, scored):
    client.force_login(scored.leadership)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"
    english = client.get(reverse("year-detail", args=[scored.year.pk])).content.decode()
    assert '<html lang="en">' in english and "Ranking" in english and "Bảng xếp hạng" not in english
    client.cookies["django_language"] = "vi"
    assert (
        "Bảng xếp hạng"
        in client.get(reverse("year-detail", args=[scored.year.pk])).content.decode()
    )


def test_vietnamese_is_the_default_whatever_the_browser_asks_for(client, scored):
    client.force_login(scored.leadership)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in page and "Cụm, khối thi đua" in page


def test_a_readers_cached_page_follows_every_change_it_shows(client, scored):
    """The leadership's page is cached whole; a report verified, then returned, the status
    changed and the language switched each show at once."""
    from scoring.models import Report
    from scoring.reporting.services.reports import report_return, report_verify

    url = reverse("year-detail", args=[scored.year.pk])
    client.force_login(scored.leadership)

    def a2_row():
        page = client.get(url).content.decode()
        return page.split('id="member-reports"')[1].split("Liên minh HTX A2")[1].split("</tr>")[0]

    assert "Đã nộp" in a2_row()
    report = Report.objects.get(emulation_year=scored.year, unit=scored.unit_a2)
    report = report_verify(report=report, expected_version=report.version)
    assert "Đã thẩm định" in a2_row()
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    report = Report.objects.get(pk=report.pk)  # (the version did not move: still cached)
    report_return(report=report, expected_version=report.version, comments={"new_coops": "?"})
    assert "Trả lại để bổ sung" in a2_row()
    EmulationYear.objects.filter(pk=scored.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    assert "Đã công bố" in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    assert "Returned for completion" in a2_row()


def test_the_overview_cards_follow_each_years_changes(client, scored):
    """Each card is cached under its year's versions and status: a verification shows at once."""
    from scoring.models import Report
    from scoring.reporting.services.reports import report_verify

    client.force_login(scored.leadership)
    url = reverse("overview") + "?nam=2025"
    card = client.get(url).content.decode().split(f'id="overview-{scored.year.pk}"')[1]
    assert "Đã thẩm định: 0/2" in card
    report = Report.objects.get(emulation_year=scored.year, unit=scored.unit_a1)
    report_verify(report=report, expected_version=report.version)
    card = client.get(url).content.decode().split(f'id="overview-{scored.year.pk}"')[1]
    assert "Đã thẩm định: 1/2" in card


def test_leadership_scope_follows_a_unit_moved_under_another_supervising_body(client, scored):
    """The unit tree behind leadership scope is cached; moving a unit clears it."""

    client.force_login(scored.leadership)
    url = reverse("year-unit-sheet", args=[scored.year.pk, scored.unit_a1.pk])
    assert client.get(url).status_code == 200
    # A1's cluster is supervised by "sup"; leadership sees it through the cluster, not the unit:
    # move the cluster's supervising body under another one and back instead.
    sup = scored.supervising
    sup.parent = scored.other_supervising
    sup.save()
    client.force_login(get_leadership_of(scored.other_supervising))
    assert client.get(url).status_code == 200  # now below the other body: in its scope (cached)
    sup.parent = None
    sup.save()
    assert client.get(url).status_code == 404  # and out again, at once


def get_leadership_of(unit):
    from django.contrib.auth import get_user_model

    from clusters.models import RoleGrant

    user = get_user_model().objects.create_user(username=f"lead-{unit.code}", password="x")
    RoleGrant.objects.create(user=user, role=RoleGrant.Role.LEADERSHIP, unit=unit)
    return user


def test_a_revoked_grant_takes_effect_at_the_next_request(client, scored):
    """Scopes are cached between requests; a grant removed (or added) moves them all on."""
    from clusters.models import RoleGrant

    url = reverse("report-detail", args=[scored.year.pk, scored.unit_a1.pk])
    client.force_login(scored.reporter_a1)
    assert client.get(url).status_code == 200
    RoleGrant.objects.filter(user=scored.reporter_a1).delete()
    assert client.get(url).status_code == 404
    RoleGrant.objects.create(user=scored.reporter_a1, role="reporter", unit=scored.unit_a1)
    assert client.get(url).status_code == 200
