from __future__ import annotations

import datetime as dt

import pytest

from clusters.models import (
    Cluster,
    EmulationYear,
    FlagHandover,
    Membership,
    RoleGrant,
    Unit,
    UnitSuccession,
    YearOffice,
)
from tests.helpers import refused

pytestmark = pytest.mark.django_db


def test_a_cluster_has_one_emulation_year_per_calendar_year(world):
    assert refused(lambda: EmulationYear.objects.create(cluster=world.cluster, year=2025))
    assert EmulationYear.objects.create(cluster=world.cluster, year=2026).pk


def test_an_emulation_year_outside_2000_to_2100_is_refused(world):
    assert refused(lambda: EmulationYear.objects.create(cluster=world.cluster, year=1999))


def test_scored_version_cannot_run_ahead_of_the_input_version(world):
    assert refused(lambda: EmulationYear.objects.filter(pk=world.year.pk).update(scored_version=5))


def test_a_unit_is_a_member_once_per_year(world):
    assert refused(lambda: Membership.objects.create(emulation_year=world.year, unit=world.unit_a1))


def test_a_year_has_one_head_but_may_have_two_deputies(world):
    c = Unit.objects.create(code="a3", name="A3")
    YearOffice.objects.create(emulation_year=world.year, unit=world.unit_a1, role="head")
    assert refused(
        lambda: YearOffice.objects.create(
            emulation_year=world.year, unit=world.unit_a2, role="head"
        )
    )
    YearOffice.objects.create(emulation_year=world.year, unit=world.unit_a2, role="deputy")
    YearOffice.objects.create(emulation_year=world.year, unit=c, role="deputy")
    assert YearOffice.objects.filter(emulation_year=world.year, role="deputy").count() == 2


def test_a_unit_holds_one_office_per_year(world):
    YearOffice.objects.create(emulation_year=world.year, unit=world.unit_a1, role="head")
    assert refused(
        lambda: YearOffice.objects.create(
            emulation_year=world.year, unit=world.unit_a1, role="deputy"
        )
    )


def test_many_units_may_merge_into_one_but_a_unit_merges_only_once(world):
    merged_on = dt.date(2025, 7, 1)
    UnitSuccession.objects.create(
        predecessor=world.unit_a2, successor=world.unit_a1, effective_on=merged_on
    )
    UnitSuccession.objects.create(
        predecessor=world.unit_b1, successor=world.unit_a1, effective_on=merged_on
    )
    assert world.unit_a1.predecessor_links.count() == 2
    assert refused(
        lambda: UnitSuccession.objects.create(
            predecessor=world.unit_a2, successor=world.unit_b1, effective_on=merged_on
        )
    )


def test_a_unit_cannot_succeed_itself(world):
    assert refused(
        lambda: UnitSuccession.objects.create(
            predecessor=world.unit_a1, successor=world.unit_a1, effective_on=dt.date(2025, 7, 1)
        )
    )


def test_the_flag_is_handed_to_another_unit_once_per_year(world):
    def handover(to):
        return FlagHandover.objects.create(
            cluster=world.cluster,
            emulation_year=world.year,
            from_unit=world.unit_a1,
            to_unit=to,
            handed_on=dt.date(2026, 1, 27),
        )

    assert refused(lambda: handover(world.unit_a1))
    handover(world.unit_a2)
    assert refused(lambda: handover(world.unit_b1))


def test_a_role_grant_names_the_scope_its_role_needs(world, django_user_model):
    u = django_user_model.objects.create_user("x")
    assert refused(lambda: RoleGrant.objects.create(user=u, role="reporter"))
    assert refused(lambda: RoleGrant.objects.create(user=u, role="reporter", cluster=world.cluster))
    assert refused(lambda: RoleGrant.objects.create(user=u, role="secretariat", unit=world.unit_a1))
    assert refused(
        lambda: RoleGrant.objects.create(
            user=u, role="leadership", unit=world.supervising, cluster=world.cluster
        )
    )
    RoleGrant.objects.create(user=u, role="reporter", unit=world.unit_a1)
    assert refused(lambda: RoleGrant.objects.create(user=u, role="reporter", unit=world.unit_a1))
    RoleGrant.objects.create(user=u, role="secretariat", cluster=world.cluster)
    assert refused(
        lambda: RoleGrant.objects.create(user=u, role="secretariat", cluster=world.cluster)
    )


def test_unit_and_cluster_codes_are_unique(world):
    assert refused(lambda: Unit.objects.create(code="a1", name="again"))
    assert refused(
        lambda: Cluster.objects.create(
            code="cum-a", name="again", supervising_unit=world.supervising
        )
    )
