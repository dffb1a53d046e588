"""The home page's clusters and years, read in one hand-written statement, are exactly what the
permission layer's `visible_clusters` and `visible_years` give, for every kind of user."""

from __future__ import annotations

import pytest

from clusters.models import Cluster, EmulationYear, Membership, RoleGrant
from clusters.permissions import user_scope, visible_clusters, visible_years
from clusters.selectors import home_cards

pytestmark = pytest.mark.django_db


def through_the_orm(user, limit=None) -> list[tuple]:
    clusters = list(
        visible_clusters(user)
        .order_by("name", "pk")
        .values_list("pk", "name", "supervising_unit__name")
    )[:limit]
    years = (
        visible_years(user)
        .order_by("-year", "pk")
        .values_list("pk", "cluster_id", "year", "status")
    )
    return [
        (pk, name, supervising, [(y, year, s) for y, c, year, s in years if c == pk])
        for pk, name, supervising in clusters
    ]


@pytest.fixture
def wider(world, django_user_model):
    """A second year in each cluster, a cluster with no year, a reporter of a unit that was a
    member of cluster B's year only, a user with three roles, and a superuser."""
    EmulationYear.objects.create(cluster=world.cluster, year=2026)
    later_b = EmulationYear.objects.create(cluster=world.other_cluster, year=2026)
    Cluster.objects.create(
        code="cum-c", name="Cụm C (chưa có năm)", supervising_unit=world.supervising
    )
    Membership.objects.create(emulation_year=later_b, unit=world.unit_a2)
    mixed = django_user_model.objects.create_user(username="mixed")
    RoleGrant.objects.create(user=mixed, role="reporter", unit=world.unit_b1)
    RoleGrant.objects.create(user=mixed, role="leadership", unit=world.other_supervising)
    RoleGrant.objects.create(user=mixed, role="secretariat", cluster=world.cluster)
    root = django_user_model.objects.create_superuser(username="root", password="x")
    return world, mixed, root


def test_home_cards_are_what_the_permission_layer_lets_each_user_see(wider):
    world, mixed, root = wider
    users = [
        world.secretariat,
        world.reporter_a1,
        world.reporter_a2,  # a member of A's 2025 year and of B's 2026 year only
        world.leadership,
        world.outsider,
        world.other_secretariat,
        mixed,
        root,
    ]
    for user in users:
        expected = through_the_orm(user)
        assert home_cards(scope=user_scope(user), limit=None) == expected, user.username
        assert home_cards(scope=user_scope(user), limit=1) == expected[:1], user.username
    # The reporter of A2 sees B's 2026 year but not B's 2025 year.
    (b,) = [
        c
        for c in home_cards(scope=user_scope(world.reporter_a2), limit=None)
        if c[0] == world.other_cluster.pk
    ]
    assert [year for _pk, year, _s in b[3]] == [2026]
    assert home_cards(scope=user_scope(world.outsider), limit=None) == []
