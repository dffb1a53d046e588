"""The secretariat opens a year (members carried over, successions applied) and sets targets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear, UnitSuccession
from scoring.models import MemberTarget, Pledge
from scoring.setup.services.opening import members_carried_over
from tests.helpers import scheme_of
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db


def test_members_are_carried_over_with_mergers_applied(world):
    UnitSuccession.objects.create(
        predecessor=world.unit_a2, successor=world.unit_a1, effective_on=dt.date(2026, 7, 1)
    )
    assert members_carried_over(cluster=world.cluster, year=2026) == [world.unit_a1]
    assert members_carried_over(cluster=world.cluster, year=2025) == []  # no year before 2025


def test_members_not_yet_merged_stay_themselves(world):
    UnitSuccession.objects.create(
        predecessor=world.unit_a2, successor=world.unit_a1, effective_on=dt.date(2027, 7, 1)
    )
    assert members_carried_over(cluster=world.cluster, year=2026) == [world.unit_a1, world.unit_a2]


def test_the_secretariat_opens_the_next_year_with_the_scheme_copied(client, world):
    install_scheme(world.year)
    client.force_login(world.secretariat)
    page = client.get(reverse("year-open", args=[world.cluster.pk])).content.decode()
    assert 'value="2026"' in page and "15/12/2026" in page
    response = client.post(
        reverse("year-open", args=[world.cluster.pk]),
        {
            "year": "2026",
            "reporting_deadline": "15/12/2026",
            "members": [world.unit_a1.pk, world.unit_a2.pk],
            "head": world.unit_a2.pk,
            "deputies": [world.unit_a1.pk],
            "copy_scheme": "on",
        },
    )
    opened = EmulationYear.objects.get(cluster=world.cluster, year=2026)
    assert response.status_code == 302 and response["Location"] == reverse(
        "year-detail", args=[opened.pk]
    )
    assert opened.reporting_deadline == dt.date(2026, 12, 15)
    assert set(opened.memberships.values_list("unit__code", flat=True)) == {"a1", "a2"}
    assert opened.offices.get(role="head").unit == world.unit_a2
    assert scheme_of(opened).version == 1 and scheme_of(opened).criteria.count() == 2
    assert AuditEntry.objects.filter(action="year.open", emulation_year=opened).exists()


def test_opening_a_year_twice_or_with_a_head_outside_the_members_is_refused_by_field(client, world):
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-open", args=[world.cluster.pk]),
        {"year": "2025", "members": [world.unit_a1.pk], "head": world.unit_a1.pk},
    )
    assert response.status_code == 200 and "đã có năm thi đua 2025" in response.content.decode()
    response = client.post(
        reverse("year-open", args=[world.cluster.pk]),
        {
            "year": "2027",
            "reporting_deadline": "31/02/2027",
            "members": [world.unit_a1.pk],
            "head": world.unit_a2.pk,
        },
    )
    form = response.context["form"]
    assert "head" in form.errors and "reporting_deadline" in form.errors
    assert 'value="2027"' in response.content.decode()
    assert not EmulationYear.objects.filter(year=2027).exists()


def grid_post(client, world, **extra):
    data = {f"t_{world.unit_a1.pk}_1.1": "25", f"t_{world.unit_a2.pk}_1.1": "", "reason": ""}
    # What the browser sends back: the values the form showed when it was opened.
    for unit in (world.unit_a1, world.unit_a2):
        shown = MemberTarget.objects.filter(
            emulation_year=world.year, unit=unit, criterion_code="1.1"
        ).first()
        data[f"initial-t_{unit.pk}_1.1"] = "" if shown is None else str(int(shown.target))
    data.update(extra)
    return client.post(reverse("year-targets", args=[world.year.pk]), data)


def test_the_targets_grid_sets_and_clears_members_targets(client, world):
    install_scheme(world.year)
    client.force_login(world.secretariat)
    assert grid_post(client, world).status_code == 302
    assert MemberTarget.objects.get(unit=world.unit_a1, criterion_code="1.1").target == 25
    assert grid_post(client, world, **{f"t_{world.unit_a1.pk}_1.1": ""}).status_code == 302
    assert not MemberTarget.objects.exists()


def test_after_the_pledge_is_signed_a_target_change_needs_a_reason(client, world):
    from django.utils import timezone

    install_scheme(world.year)
    Pledge.objects.create(emulation_year=world.year, title="Giao ước", locked_at=timezone.now())
    client.force_login(world.secretariat)
    response = grid_post(client, world)
    assert response.status_code == 200 and "cần ghi rõ lý do" in response.content.decode()
    assert 'value="25"' in response.content.decode()
    assert not MemberTarget.objects.exists()
    assert (
        grid_post(client, world, reason="Tỉnh mới sáp nhập, điều chỉnh theo Nghị quyết").status_code
        == 302
    )
    entry = AuditEntry.objects.get(action="targets.amend")
    assert entry.reason.startswith("Tỉnh mới sáp nhập") and entry.after == {
        f"{world.unit_a1.pk}:1.1": "25"
    }


def test_a_bad_targets_file_names_file_row_and_column_and_writes_nothing(client, world):
    install_scheme(world.year)
    client.force_login(world.secretariat)
    upload = SimpleUploadedFile(
        "chi-tieu.csv", b"unit,criterion,target\na1,1.1,25\na2,1.1,nhieu\n", content_type="text/csv"
    )
    response = client.post(
        reverse("year-targets", args=[world.year.pk]), {"reason": "", "upload": upload}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "chi-tieu.csv, row 3, column &#x27;target&#x27;" in body
    assert not MemberTarget.objects.exists()


def test_a_good_targets_file_is_applied(client, world):
    install_scheme(world.year)
    client.force_login(world.secretariat)
    upload = SimpleUploadedFile(
        "chi-tieu.csv", b'unit,criterion,target\na2,1.1,"15,5"\n', content_type="text/csv"
    )
    response = client.post(
        reverse("year-targets", args=[world.year.pk]), {"reason": "", "upload": upload}
    )
    assert response.status_code == 302
    assert str(MemberTarget.objects.get(unit=world.unit_a2).target.normalize()) == "15.5"
