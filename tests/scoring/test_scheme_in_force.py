"""The scheme in force is the scoring side's to say (#15): `Scheme.in_force`, one a year, set by
every new version; the clusters app refers to nothing of scoring's, not even by a foreign key."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clusters.models import EmulationYear
from scoring.models import Scheme
from scoring.schemes.selectors import (
    scheme_ids_in_force,
    scheme_in_force,
    scheme_to_engine,
    with_scheme_in_force,
)
from scoring.schemes.services import scheme_create_version
from tests.helpers import refused
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db


def test_no_model_of_the_clusters_app_points_at_a_scoring_model():
    pointers = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("clusters").get_models()
        for field in model._meta.get_fields()
        if field.is_relation
        and not field.auto_created  # reverse relations are the other app's pointers
        and field.related_model is not None
        and field.related_model._meta.app_label == "scoring"
    ]
    assert pointers == []


def test_each_new_version_is_put_in_force_and_the_last_one_leaves_it(world):
    install_scheme(world.year)
    first = Scheme.objects.get(emulation_year=world.year)
    assert first.in_force and scheme_in_force(world.year) == first
    second = scheme_create_version(
        emulation_year=world.year, scheme=scheme_to_engine(first), reason="Sửa"
    )
    first.refresh_from_db()
    assert not first.in_force and second.in_force
    assert scheme_in_force(world.year) == second  # the year object remembers the new one
    assert scheme_in_force(EmulationYear.objects.get(pk=world.year.pk)) == second
    assert scheme_ids_in_force([world.year.pk, world.other_year.pk]) == {world.year.pk: second.pk}


def test_the_database_refuses_two_versions_in_force_for_one_year(world):
    install_scheme(world.year)
    first = Scheme.objects.get(emulation_year=world.year)
    assert refused(
        lambda: Scheme.objects.create(
            emulation_year=world.year, version=2, name="x", scale=100, in_force=True
        )
    )
    assert not refused(
        lambda: Scheme.objects.create(emulation_year=world.year, version=3, name="x", scale=100)
    )
    assert scheme_in_force(world.year) == first


def test_years_read_with_their_schemes_ask_nothing_more(world, django_assert_num_queries):
    install_scheme(world.year)
    with django_assert_num_queries(2):  # the years, then the schemes in force of all of them
        years = list(with_scheme_in_force(EmulationYear.objects.order_by("pk")))
        found = {y.pk: scheme_in_force(y) for y in years}
    assert found[world.year.pk].emulation_year_id == world.year.pk
    assert all(s is None for pk, s in found.items() if pk != world.year.pk)
    assert "source" in found[world.year.pk].get_deferred_fields()  # read only by the download


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_in_force_the_version_the_year_pointed_at(world):
    """Before 0010 the year pointed at its version (`EmulationYear.scheme`); after it, that
    version — not the newest — is the one in force, and back again on the way down."""
    before = [("clusters", "0006_scope_generation"), ("scoring", "0009_ballot_secrecy")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldScheme, OldYear = (
        old.get_model("scoring", "Scheme"),
        old.get_model("clusters", "EmulationYear"),
    )
    v1 = OldScheme.objects.create(emulation_year_id=world.year.pk, version=1, name="a", scale=100)
    OldScheme.objects.create(emulation_year_id=world.year.pk, version=2, name="b", scale=100)
    OldYear.objects.filter(pk=world.year.pk).update(scheme=v1.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(Scheme.objects.filter(in_force=True).values_list("pk", flat=True)) == [v1.pk]
    assert scheme_in_force(world.year).version == 1
    assert scheme_in_force(world.other_year) is None

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    assert (
        old.get_model("clusters", "EmulationYear").objects.get(pk=world.year.pk).scheme_id == v1.pk
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
