"""Finding 4 of issue #14: a secretariat may add to its next year only the cluster's previous
members, their successors and the units a system administrator attached to the cluster — and no
figure of another cluster is ever shown on its pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from clusters.models import EmulationYear, Membership, Unit, UnitSuccession
from scoring.errors import ScoringError
from scoring.reporting.selectors import report_figures
from scoring.setup.services.opening import units_open_to_cluster, year_open
from tests.scoring.factories import install_scheme, put_figures

pytestmark = pytest.mark.django_db


def unit(code, name):
    return Unit.objects.create(code=code, name=name, kind=Unit.Kind.PROVINCIAL_ALLIANCE)


def open_post(world, members, head=None, year="2026"):
    return {
        "year": year,
        "reporting_deadline": "15/12/2026",
        "members": members,
        "head": head if head is not None else members[0],
    }


def test_the_form_offers_previous_members_their_successors_and_attached_units_only(client, world):
    merged = unit("a9", "Liên minh HTX Kế Thừa")
    UnitSuccession.objects.create(
        predecessor=world.unit_a2, successor=merged, effective_on=dt.date(2026, 7, 1)
    )
    attached = unit("x1", "Liên minh HTX Gắn Thêm")
    world.cluster.extra_units.add(attached)
    stranger = unit("z1", "Liên minh HTX Không Liên Quan")
    client.force_login(world.secretariat)
    response = client.get(reverse("year-open", args=[world.cluster.pk]))
    offered = set(response.context["form"].fields["members"].queryset)
    assert offered == {world.unit_a1, world.unit_a2, merged, attached}
    page = response.content.decode()
    assert "Liên minh HTX B1" not in page and stranger.name not in page
    assert set(units_open_to_cluster(cluster=world.cluster)) == offered
    # Cluster B is offered its own member only.
    assert set(units_open_to_cluster(cluster=world.other_cluster)) == {world.unit_b1}


def test_a_unit_of_another_cluster_posted_by_hand_is_refused_by_field(client, world):
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-open", args=[world.cluster.pk]),
        open_post(world, [world.unit_a1.pk, world.unit_b1.pk], head=world.unit_a1.pk),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert str(world.unit_b1.pk) in " ".join(errors["members"])
    assert "không thuộc cụm này" in " ".join(errors["members"])
    assert not EmulationYear.objects.filter(cluster=world.cluster, year=2026).exists()
    # Also as head: refused.
    response = client.post(
        reverse("year-open", args=[world.cluster.pk]),
        open_post(world, [world.unit_a1.pk], head=world.unit_b1.pk),
    )
    assert "head" in response.context["form"].errors
    assert not EmulationYear.objects.filter(cluster=world.cluster, year=2026).exists()
    # And B's reporter gained nothing in cluster A.
    assert not Membership.objects.filter(
        emulation_year__cluster=world.cluster, unit=world.unit_b1
    ).exists()


def test_the_service_refuses_a_unit_outside_the_cluster(world):
    with pytest.raises(ScoringError, match="b1"):
        year_open(
            cluster=world.cluster,
            year=2026,
            members=[world.unit_a1, world.unit_b1],
            head=world.unit_a1,
            deputies=[],
            reporting_deadline=None,
            copy_scheme=False,
        )
    assert not EmulationYear.objects.filter(cluster=world.cluster, year=2026).exists()


def test_a_unit_attached_by_the_administrator_is_accepted(client, world):
    attached = unit("x1", "Liên minh HTX Gắn Thêm")
    world.cluster.extra_units.add(attached)
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-open", args=[world.cluster.pk]),
        open_post(world, [world.unit_a1.pk, attached.pk], head=attached.pk),
    )
    assert response.status_code == 302
    opened = EmulationYear.objects.get(cluster=world.cluster, year=2026)
    assert set(opened.memberships.values_list("unit__code", flat=True)) == {"a1", "x1"}


@pytest.mark.parametrize("huge", ["99999999999999999999", "9223372036854775808", "-1", "abc"])
def test_a_huge_or_bad_unit_id_is_a_field_error_not_a_500(client, world, huge):
    client.force_login(world.secretariat)
    client.raise_request_exception = False
    response = client.post(
        reverse("year-open", args=[world.cluster.pk]),
        open_post(world, [world.unit_a1.pk, huge], head=huge) | {"deputies": [huge]},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"members", "head", "deputies"} <= set(errors)
    assert 'value="2026"' in response.content.decode()  # what was typed stays


def test_last_years_figures_on_the_report_form_come_from_this_cluster_only(client, world):
    """a1 was a member of both clusters in 2025: A's 2026 report form shows A's 2025 figure,
    never B's."""
    install_scheme(world.year)
    install_scheme(world.other_year)
    Membership.objects.create(emulation_year=world.other_year, unit=world.unit_a1)
    put_figures(world.year, {("a1", "new_coops"): 13})
    put_figures(world.other_year, {("a1", "new_coops"): 4321, ("a1", "coop_members"): 8765})
    opened = year_open(
        cluster=world.cluster,
        year=2026,
        members=[world.unit_a1, world.unit_a2],
        head=world.unit_a1,
        deputies=[],
        reporting_deadline=None,
        copy_scheme=True,
    )
    _stored, previous = report_figures(emulation_year=opened, unit_id=world.unit_a1.pk, report=None)
    assert {k: float(v) for k, v in previous.items()} == {"new_coops": 13.0}
    client.force_login(world.reporter_a1)
    page = client.get(reverse("report-detail", args=[opened.pk, world.unit_a1.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "4.321" not in body and "4321" not in body
    assert "8.765" not in body and "8765" not in body
