"""Issue #14, finding 11: a revoked role grant holds at the next request in every process — with
one local-memory cache per gunicorn worker, and with a shared cache that failed (softly) at the
moment of the revocation."""

from __future__ import annotations

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.test import override_settings
from django.urls import reverse

from clusters.models import RoleGrant, ScopeGeneration, Unit
from clusters.permissions import current_scope_generation, user_scope

pytestmark = pytest.mark.django_db


def worker(name: str):
    """The cache of one gunicorn worker: its own local memory, as in the embedded default."""
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": name,
            }
        }
    )


def report_url(world) -> str:
    return reverse("report-detail", args=[world.year.pk, world.unit_a1.pk])


def test_a_grant_revoked_in_one_worker_is_refused_by_another_at_its_next_request(client, world):
    client.force_login(world.reporter_a1)
    url = report_url(world)
    # Both workers have served the reporter, and cached its scope.
    for name in ("worker-1", "worker-2"):
        with worker(name):
            assert client.get(url).status_code == 200
            assert client.get(url).status_code == 200  # from the cache
    with worker("worker-1"):
        RoleGrant.objects.filter(user=world.reporter_a1).delete()
        assert client.get(url).status_code == 404
    # The other worker was told nothing through its own cache: the database says it.
    with worker("worker-2"):
        assert client.get(url).status_code == 404


def test_a_unit_moved_away_from_a_leadership_unit_is_refused_in_another_worker(client, world):
    """The unit tree (which units lie under a leadership grant) is cached too, under the same
    generation: moving a unit out from under it holds in every worker at the next request."""
    top = Unit.objects.create(code="top", name="Cơ quan cấp trên", kind=Unit.Kind.SUPERVISING_BODY)
    world.supervising.parent = top
    world.supervising.save(update_fields=["parent"])
    RoleGrant.objects.filter(user=world.leadership).delete()
    RoleGrant.objects.create(user=world.leadership, role="leadership", unit=top)
    client.force_login(world.leadership)
    url = reverse("cluster-detail", args=[world.cluster.pk])
    for name in ("worker-1", "worker-2"):
        with worker(name):
            assert client.get(url).status_code == 200
            assert client.get(url).status_code == 200
    with worker("worker-1"):
        world.supervising.parent = None
        world.supervising.save(update_fields=["parent"])
        assert client.get(url).status_code == 404
    with worker("worker-2"):
        assert client.get(url).status_code == 404


class FailingSoftly(LocMemCache):
    """A shared cache as emulation/cache.py serves it while Redis is down: reads miss, writes and
    deletes are skipped, an increment is "not there" — nothing raises."""

    down = False

    def get(self, key, default=None, version=None):
        return default if self.down else super().get(key, default, version)

    def get_many(self, keys, version=None):
        return {} if self.down else super().get_many(keys, version)

    def set(self, key, value, timeout=None, version=None):  # Django's name
        if not self.down:
            super().set(key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return list(data) if self.down else super().set_many(data, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        return False if self.down else super().add(key, value, timeout, version)

    def delete(self, key, version=None):
        return False if self.down else super().delete(key, version)

    def incr(self, key, delta=1, version=None):
        if self.down:
            raise ValueError(f"Key '{key}' not found (or the cache is unavailable)")
        return super().incr(key, delta, version)


@override_settings(
    CACHES={"default": {"BACKEND": "tests.test_revocation.FailingSoftly", "LOCATION": "shared"}}
)
def test_a_revocation_while_the_shared_cache_is_down_holds_once_it_is_back(client, world):
    client.force_login(world.reporter_a1)
    url = report_url(world)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # the scope now comes from the cache
    FailingSoftly.down = True
    try:
        RoleGrant.objects.filter(user=world.reporter_a1).delete()  # the invalidation is lost
    finally:
        FailingSoftly.down = False
    # The cache is back, with the old scope in it: not trusted, since the database moved on.
    assert client.get(url).status_code == 404
    # …and nor while it is still down.
    FailingSoftly.down = True
    try:
        assert client.get(url).status_code == 404
    finally:
        FailingSoftly.down = False


def test_a_grant_change_moves_the_generation_on_in_the_database(world):
    before = current_scope_generation()
    grant = RoleGrant.objects.create(user=world.outsider, role="reporter", unit=world.unit_a2)
    assert current_scope_generation() == before + 1
    grant.delete()
    assert current_scope_generation() == before + 2
    world.unit_b1.save()
    assert current_scope_generation() == before + 3


def test_a_scope_cached_under_an_older_generation_is_read_again(world):
    from django.contrib.auth import get_user_model

    def fresh():
        return get_user_model().objects.get(pk=world.reporter_a1.pk)

    assert user_scope(fresh()).reporter_units == {world.unit_a1.pk}
    # Someone (a shell, raw SQL, a queryset update that sends no signal) changes the grant and
    # moves the generation on by hand: the next read does not trust the cached scope.
    RoleGrant.objects.filter(user=world.reporter_a1).update(unit=world.unit_a2)
    assert user_scope(fresh()).reporter_units == {world.unit_a1.pk}  # no signal, no bump: cached
    ScopeGeneration.objects.filter(pk=1).update(value=current_scope_generation() + 1)
    assert user_scope(fresh()).reporter_units == {world.unit_a2.pk}


def test_without_the_generation_row_scopes_are_still_revoked(world):
    """After a flush (a test database) the row is gone: a bump creates it again with a value no
    stamp holds."""
    from django.contrib.auth import get_user_model

    ScopeGeneration.objects.all().delete()
    user = get_user_model().objects.get(pk=world.reporter_a1.pk)
    assert user_scope(user).reporter_units == {world.unit_a1.pk}
    RoleGrant.objects.filter(user=world.reporter_a1).delete()
    user = get_user_model().objects.get(pk=world.reporter_a1.pk)
    assert user_scope(user).reporter_units == frozenset()
    assert ScopeGeneration.objects.get(pk=1).value > 1


def test_the_generation_is_read_with_the_user_in_one_query(
    client, world, django_assert_num_queries
):
    """Checking that a cached scope is current costs no query of its own: the session's user and
    the generation come in one statement."""
    from django.contrib.auth import get_user

    client.force_login(world.reporter_a1)
    request = type("Request", (), {"session": client.session})()
    with django_assert_num_queries(1):
        user = get_user(request)
        generation = user.scope_generation
    assert user.pk == world.reporter_a1.pk
    assert generation == ScopeGeneration.objects.get(pk=1).value


def test_a_grant_deleted_in_the_admin_is_refused_in_another_worker(
    client, world, django_user_model
):
    from django.test import Client

    root = django_user_model.objects.create_superuser("root", password="pw-root")
    client.force_login(world.reporter_a1)
    url = report_url(world)
    with worker("worker-2"):
        assert client.get(url).status_code == 200
        assert client.get(url).status_code == 200
    admin = Client()
    admin.force_login(root)
    grant = RoleGrant.objects.get(user=world.reporter_a1)
    with worker("worker-1"):
        response = admin.post(
            reverse("admin:clusters_rolegrant_delete", args=[grant.pk]), {"post": "yes"}
        )
        assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    with worker("worker-2"):
        assert client.get(url).status_code == 404
