"""Reminding every member that has not submitted: a confirmation lists them with the addresses
the reminder reaches — and says which members have none —, then one POST sends them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear, Membership, RoleGrant, Unit
from scoring.models import Report
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(world):
    """a1 not started (its reporter has an address), a2 submitted, a3 returned (its reporter
    has no address)."""
    install_scheme(world.year)
    world.reporter_a1.email = "a1@example.vn"
    world.reporter_a1.save()
    world.reporter_a2.email = "a2@example.vn"
    world.reporter_a2.save()
    a3 = Unit.objects.create(code="a3", name="Liên minh HTX A3")
    Membership.objects.create(emulation_year=world.year, unit=a3)
    Report.objects.create(emulation_year=world.year, unit=world.unit_a2, status="submitted")
    Report.objects.create(emulation_year=world.year, unit=a3, status="returned")
    world.a3 = a3
    return world


def url(world):
    return reverse("year-remind", args=[world.year.pk])


def test_the_confirmation_lists_late_members_and_those_no_reminder_can_reach(client, late):
    client.force_login(late.secretariat)
    response = client.get(url(late))
    assert [(m.unit.code, m.emails) for m in response.context["late"]] == [
        ("a1", ("a1@example.vn",)),
        ("a3", ()),
    ]
    page = response.content.decode()
    assert "a1@example.vn" in page and "a2@example.vn" not in page
    assert "Không có địa chỉ thư: đơn vị này sẽ không nhận được thư nhắc." in page
    assert "1 đơn vị không có người báo cáo nào có địa chỉ thư điện tử" in page
    assert "Gửi thư nhắc 1 đơn vị" in page
    assert not mail.outbox  # a GET sends nothing


def test_the_post_reminds_exactly_the_reachable_members_listed(client, late):
    client.force_login(late.secretariat)
    listed = client.get(url(late)).context["reachable"]
    response = client.post(url(late), follow=True)
    assert [m.to for m in mail.outbox] == [list(m.emails) for m in listed] == [["a1@example.vn"]]
    assert "Đã gửi thư nhắc: Liên minh HTX A1." in response.content.decode()
    assert AuditEntry.objects.get(action="year.remind").after == {"units": ["Liên minh HTX A1"]}


def test_when_everyone_has_submitted_the_page_says_so_and_offers_no_button(client, late):
    Report.objects.filter(emulation_year=late.year).update(status="submitted")
    Report.objects.create(emulation_year=late.year, unit=late.unit_a1, status="verified")
    client.force_login(late.secretariat)
    page = client.get(url(late)).content.decode()
    assert "Mọi đơn vị đã nộp báo cáo" in page and 'id="remind-form"' not in page


def test_a_published_year_sends_no_reminder(client, late):
    EmulationYear.objects.filter(pk=late.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    client.force_login(late.secretariat)
    response = client.post(url(late), follow=True)
    assert "không gửi thư nhắc" in response.content.decode()
    assert not mail.outbox and not AuditEntry.objects.filter(action="year.remind").exists()


def test_the_year_page_leads_to_the_confirmation_not_straight_to_sending(client, late):
    client.force_login(late.secretariat)
    page = client.get(reverse("year-detail", args=[late.year.pk])).content.decode()
    assert f'href="{url(late)}"' in page and f'action="{url(late)}"' not in page


@pytest.mark.parametrize(
    "persona,code",
    [
        ("reporter_a1", 403),
        ("leadership", 403),
        ("outsider", 404),
        ("other_secretariat", 404),
    ],
)
def test_only_the_secretariat_reminds(client, late, persona, code):
    client.force_login(getattr(late, persona))
    assert client.get(url(late)).status_code == code
    assert client.post(url(late)).status_code == code
    assert not mail.outbox


def test_the_confirmation_takes_the_same_queries_for_more_members(client, late, django_user_model):
    client.force_login(late.secretariat)
    client.get(url(late))
    with CaptureQueriesContext(connection) as small:
        client.get(url(late))
    for n in range(4, 10):
        unit = Unit.objects.create(code=f"a{n}", name=f"Liên minh HTX A{n}")
        Membership.objects.create(emulation_year=late.year, unit=unit)
        user = django_user_model.objects.create_user(username=f"r{n}", email=f"a{n}@example.vn")
        RoleGrant.objects.create(user=user, role=RoleGrant.Role.REPORTER, unit=unit)
    client.get(url(late))  # (new units and grants move the cached scopes on)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url(late))
    assert len(response.context["late"]) == 2 + 6
    assert len(large) == len(small)


def test_the_confirmation_reads_in_english(client, late):
    client.force_login(late.secretariat)
    client.cookies["django_language"] = "en"
    page = client.get(url(late)).content.decode()
    assert "Remind the members that have not submitted" in page
    assert "No e-mail address: this member will not receive the reminder." in page
    assert "1 member has no reporter with an e-mail address" in page
    assert "E-mail a reminder to 1 member" in page
