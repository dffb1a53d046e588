"""Whole pages cached for readers (emulation/pagecache.py): shared between readers, yet each
reader's own name and working CSRF token; flash messages never cached; the scope still decides."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from clusters.models import RoleGrant
from emulation.pagecache import CSRF_HOLE, NEXT_HOLE, USER_HOLE, cached_page

pytestmark = pytest.mark.django_db


def leader(world, name):
    user = get_user_model().objects.create_user(username=name, password="x")
    RoleGrant.objects.create(user=user, role=RoleGrant.Role.LEADERSHIP, unit=world.supervising)
    return user


def token_of(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("page", ["year", "overview"])
def test_readers_share_the_page_but_each_gets_their_name_and_a_working_token(
    scored, page, django_assert_max_num_queries
):
    url = (
        reverse("year-detail", args=[scored.year.pk])
        if page == "year"
        else reverse("overview") + "?nam=2025"
    )
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(leader(scored, "lanh-dao-mot"))
    second.force_login(leader(scored, "lanh-dao-<hai>"))
    one = first.get(url).content.decode()
    # The second reader is served from the cache: the user, the session and one query of facts.
    with django_assert_max_num_queries(4):
        two = second.get(url).content.decode()
    assert "lanh-dao-mot" in one and "lanh-dao-mot" not in two
    assert "lanh-dao-&lt;hai&gt;" in two and "<hai>" not in two  # escaped
    assert CSRF_HOLE not in two and USER_HOLE not in two and NEXT_HOLE not in two
    # A query string the page does not read is the same page (not another cache entry), with
    # the language switch returning to the address asked for.
    with django_assert_max_num_queries(4):
        other = second.get(url + ("&" if "?" in url else "?") + "x=1&y=2").content.decode()
    assert 'x=1&amp;y=2">' in other  # escaped
    assert one.replace(token_of(one), "T").replace("lanh-dao-mot", "U") == two.replace(
        token_of(two), "T"
    ).replace("lanh-dao-&lt;hai&gt;", "U")
    # Each token is the reader's own and is accepted by the form it is in.
    switched = second.post(
        reverse("set_language"),
        {"language": "en", "next": url, "csrfmiddlewaretoken": token_of(two)},
    )
    assert switched.status_code == 302
    assert '<html lang="en">' in second.get(url).content.decode()  # another page, in English
    refused = second.post(
        reverse("set_language"),
        {"language": "vi", "next": url, "csrfmiddlewaretoken": CSRF_HOLE},
    )
    assert refused.status_code == 403


def test_a_draft_saved_again_leaves_the_readers_page_cached(
    client, scored, django_assert_max_num_queries
):
    """The page shows each report's status and submission time, not its figures: saving a draft
    again does not render it again; submitting does."""
    from scoring.models import Report
    from scoring.reporting.services.reports import report_get_or_create, report_save

    url = reverse("year-detail", args=[scored.year.pk])
    client.force_login(scored.leadership)
    Report.objects.filter(emulation_year=scored.year, unit=scored.unit_a1).delete()
    report = report_get_or_create(emulation_year=scored.year, unit_id=scored.unit_a1.pk)
    before = client.get(url).content.decode()
    report = report_save(report=report, expected_version=report.version, values={})
    with django_assert_max_num_queries(4):  # the user, the session, the year's facts: a hit
        after = client.get(url).content.decode()
    assert after.replace(token_of(after), "T") == before.replace(token_of(before), "T")
    report_save(
        report=report,
        expected_version=report.version,
        values={},
        submit=True,
        today=dt.date(2025, 12, 1),  # before the deadline
    )
    row = client.get(url).content.decode().split("Liên minh HTX A1")[-1].split("</tr>")[0]
    assert "Đã nộp" in row


def test_a_cached_page_is_still_behind_the_scope(client, scored):
    url = reverse("year-detail", args=[scored.year.pk])
    client.force_login(scored.leadership)
    assert client.get(url).status_code == 200  # now cached
    for persona in ("outsider", "other_secretariat"):
        client.force_login(getattr(scored, persona))
        assert client.get(url).status_code == 404
    client.force_login(scored.leadership)
    assert client.post(url).status_code == 405


def test_leadership_with_a_reporter_role_sees_its_tasks_not_the_shared_page(client, scored):
    url = reverse("year-detail", args=[scored.year.pk])
    client.force_login(scored.leadership)
    assert 'id="my-tasks"' not in client.get(url).content.decode()
    RoleGrant.objects.create(
        user=scored.leadership, role=RoleGrant.Role.REPORTER, unit=scored.unit_a1
    )
    assert 'id="my-tasks"' in client.get(url).content.decode()


def test_a_leader_who_reports_for_another_cluster_reads_the_same_page(client, scored):
    """Not recognised from the year's facts (a reporter role elsewhere), but without a task in
    this year: the permission layer decides, and the page is the readers' one."""
    url = reverse("year-detail", args=[scored.year.pk])
    client.force_login(scored.leadership)
    plain = client.get(url).content.decode()
    both = leader(scored, "lanh-dao-bao-cao")
    RoleGrant.objects.create(user=both, role=RoleGrant.Role.REPORTER, unit=scored.unit_b1)
    client.force_login(both)
    page = client.get(url).content.decode()
    assert 'id="my-tasks"' not in page
    assert page.replace(token_of(page), "T").replace("lanh-dao-bao-cao", "U") == plain.replace(
        token_of(plain), "T"
    ).replace(">leadership<", ">U<")


def test_the_secretariat_never_gets_a_readers_page(client, scored):
    url = reverse("year-detail", args=[scored.year.pk])
    client.force_login(scored.leadership)
    client.get(url)
    client.force_login(scored.secretariat)
    page = client.get(url).content.decode()
    assert 'id="status-form"' in page and CSRF_HOLE not in page  # the secretariat's own form


def _request():
    request = RequestFactory().get("/nam/1/")
    request.user = get_user_model()(username="doc-gia")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_flash_messages_are_shown_and_nothing_is_cached():
    cache.clear()
    calls = []

    def render(extra):
        calls.append(extra)
        return HttpResponse(f"<p>{[m.message for m in get_messages(request)]}</p>")

    request = _request()
    request._messages.add(25, "Đã lưu")
    response = cached_page(request, "page:test:messages", render)
    assert "Đã lưu" in response.content.decode()
    assert calls == [{}]  # rendered with the real token and name
    assert cache.get("page:test:messages") is None


def test_an_error_response_is_returned_filled_in_and_not_cached():
    cache.clear()
    response = cached_page(
        _request(),
        "page:test:error",
        lambda extra: HttpResponse(f"no, {extra['page_username']}", status=409),
    )
    assert response.status_code == 409
    assert response.content.decode() == "no, doc-gia"
    assert cache.get("page:test:error") is None


def test_only_leadership_readers_pay_for_the_years_facts(client, scored):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("year-detail", args=[scored.year.pk])
    for persona, expected in (("secretariat", False), ("reporter_a1", False), ("leadership", True)):
        client.force_login(getattr(scored, persona))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        read = any("SELECT unit_id, status, submitted_at" in q["sql"] for q in queries)
        assert read is expected, persona
