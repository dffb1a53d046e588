"""Copying last year's targets: the same unit's or its single predecessor's, into empty cells
unless overwriting is confirmed; several predecessors are listed, not summed; audited, with the
pledge's reason rule and the published year's lock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clusters.models import AuditEntry, EmulationYear, Membership, Unit, UnitSuccession
from scoring.models import MemberTarget, Pledge
from scoring.setup.services.targets import targets_copy_plan
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db


def target(year, unit, code, value):
    MemberTarget.objects.create(emulation_year=year, unit=unit, criterion_code=code, target=value)


def targets(year):
    return {
        (t.unit.code, t.criterion_code): t.target
        for t in MemberTarget.objects.filter(emulation_year=year).select_related("unit")
    }


@pytest.fixture
def two_years(world):
    """2025 (a1, a2, a3 with own targets) and 2026, where a3 merged into a1 in July 2025:
    a1's 2026 row has two sources for 1.1 (a1's and a3's) and one for 2.1 (a3's)."""
    a3 = Unit.objects.create(code="a3", name="Liên minh HTX A3", short_name="A Ba")
    Membership.objects.create(emulation_year=world.year, unit=a3)
    install_scheme(world.year)
    target(world.year, world.unit_a1, "1.1", 25)
    target(world.year, a3, "1.1", 10)
    target(world.year, a3, "2.1", 9)
    target(world.year, world.unit_a2, "1.1", 18)
    target(world.year, world.unit_a2, "2.1", "8.5")
    UnitSuccession.objects.create(
        predecessor=a3, successor=world.unit_a1, effective_on=dt.date(2025, 7, 1)
    )
    new = EmulationYear.objects.create(cluster=world.cluster, year=2026)
    Membership.objects.create(emulation_year=new, unit=world.unit_a1)
    Membership.objects.create(emulation_year=new, unit=world.unit_a2)
    install_scheme(new)
    new.refresh_from_db()  # (its scheme)
    world.a3, world.new = a3, new
    return world


def copy_url(world):
    return reverse("year-targets-copy", args=[world.new.pk])


def test_the_plan_copies_single_sources_and_lists_several_predecessors(two_years):
    w = two_years
    target(w.new, w.unit_a2, "1.1", 20)  # already set this year, to another value
    plan = targets_copy_plan(emulation_year=w.new)
    assert plan.previous == w.year
    assert [
        (c.unit.code, c.criterion.code, c.value, c.sources[0][0].code) for c in plan.to_fill
    ] == [
        ("a1", "2.1", 9, "a3"),
        ("a2", "2.1", 8.5, "a2"),
    ]
    assert [(c.unit.code, c.criterion.code, c.current, c.value) for c in plan.to_overwrite] == [
        ("a2", "1.1", 20, 18)
    ]
    assert [(c.unit.code, [(u.code, v) for u, v in c.sources]) for c in plan.several] == [
        ("a1", [("a1", 25), ("a3", 10)])
    ]
    assert plan.unchanged == 0 and plan.no_source == 0


def test_the_page_lists_what_it_copies_overwrites_and_leaves_out(client, two_years):
    w = two_years
    target(w.new, w.unit_a2, "1.1", 20)
    client.force_login(w.secretariat)
    page = client.get(copy_url(w)).content.decode()
    assert "Sẽ chép vào 2 ô đang trống" in page
    assert "<tr><td>A Ba</td>" not in page  # a3 is a source, not a row of its own
    assert "1 ô đã có chỉ tiêu khác năm trước" in page and 'name="overwrite"' in page
    assert "Không chép 1 ô: có nhiều chỉ tiêu nguồn" in page
    assert "Liên minh HTX A1: 25; A Ba: 10" in page
    assert '<td class="num">8,5</td>' in page  # the Vietnamese decimal comma


def test_copying_fills_empty_cells_only_and_is_audited(client, two_years):
    w = two_years
    target(w.new, w.unit_a2, "1.1", 20)
    client.force_login(w.secretariat)
    response = client.post(copy_url(w), {"reason": ""}, follow=True)
    assert response.redirect_chain == [(reverse("year-targets", args=[w.new.pk]), 302)]
    page = response.content.decode()
    assert "Đã chép 2 chỉ tiêu của năm trước." in page
    assert "Không chép: 1 ô có nhiều chỉ tiêu nguồn, 1 ô giữ chỉ tiêu đang có." in page
    assert targets(w.new) == {("a1", "2.1"): 9, ("a2", "1.1"): 20, ("a2", "2.1"): 8.5}
    entry = AuditEntry.objects.get(action="targets.set", emulation_year=w.new)
    assert entry.summary == "Đặt 2 chỉ tiêu của đơn vị (chép từ năm 2025)"
    assert entry.after == {f"{w.unit_a1.pk}:2.1": "9", f"{w.unit_a2.pk}:2.1": "8.5"}


def test_overwriting_is_done_only_when_confirmed(client, two_years):
    w = two_years
    target(w.new, w.unit_a2, "1.1", 20)
    client.force_login(w.secretariat)
    assert client.post(copy_url(w), {"reason": "", "overwrite": "on"}).status_code == 302
    assert targets(w.new)[("a2", "1.1")] == 18
    assert ("a1", "1.1") not in targets(w.new)  # two sources: never copied


def test_after_the_pledge_is_signed_copying_needs_a_reason(client, two_years):
    w = two_years
    Pledge.objects.create(emulation_year=w.new, title="Giao ước", locked_at=timezone.now())
    client.force_login(w.secretariat)
    response = client.post(copy_url(w), {"reason": "  "})
    assert response.status_code == 200
    assert "cần ghi rõ lý do" in response.context["form"].errors["reason"][0]
    assert targets(w.new) == {}
    response = client.post(copy_url(w), {"reason": "Chép theo Nghị quyết hội nghị"})
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="targets.amend").reason == "Chép theo Nghị quyết hội nghị"


def test_a_published_year_refuses_the_copy(client, two_years):
    w = two_years
    EmulationYear.objects.filter(pk=w.new.pk).update(status=EmulationYear.Status.PUBLISHED)
    client.force_login(w.secretariat)
    response = client.post(copy_url(w), {"reason": ""})
    assert response.status_code == 200 and "đã công bố" in response.content.decode()
    assert targets(w.new) == {}


def test_without_a_previous_year_the_page_says_so(client, world):
    install_scheme(world.year)
    client.force_login(world.secretariat)
    response = client.get(reverse("year-targets-copy", args=[world.year.pk]))
    assert "Cụm chưa có năm thi đua nào trước năm này" in response.content.decode()


@pytest.mark.parametrize(
    "persona,code",
    [
        ("reporter_a1", 404),
        ("outsider", 404),
        ("other_secretariat", 404),
        ("leadership", 403),
    ],
)
def test_only_the_secretariat_may_copy(client, two_years, persona, code):
    client.force_login(getattr(two_years, persona))
    assert client.get(copy_url(two_years)).status_code == code
    assert client.post(copy_url(two_years), {"overwrite": "on"}).status_code == code
    assert targets(two_years.new) == {}


def test_the_copy_page_takes_the_same_queries_for_more_members(client, two_years):
    w = two_years
    client.force_login(w.secretariat)
    client.get(copy_url(w))
    with CaptureQueriesContext(connection) as small:
        client.get(copy_url(w))
    for n in range(4, 9):
        unit = Unit.objects.create(code=f"a{n}", name=f"Liên minh HTX A{n}")
        Membership.objects.create(emulation_year=w.year, unit=unit)
        Membership.objects.create(emulation_year=w.new, unit=unit)
        target(w.year, unit, "1.1", n)
        target(w.year, unit, "2.1", n)
    client.get(copy_url(w))  # (a new unit moves the cached scopes on)
    with CaptureQueriesContext(connection) as large:
        page = client.get(copy_url(w)).content.decode()
    assert "Sẽ chép vào 13 ô đang trống" in page  # 3 + 5 members × 2 criteria
    assert len(large) == len(small)


def test_the_copy_page_reads_in_english_with_english_numbers(client, two_years):
    client.force_login(two_years.secretariat)
    client.cookies["django_language"] = "en"
    page = client.get(copy_url(two_years)).content.decode()
    assert "Will copy into 3 empty cells" in page and "1 cell not copied" in page
    assert '<td class="num">8.5</td>' in page
