"""Shared fixtures: fast by default (MD5 hasher, tasks in-process), real where marked.

Personas shared by all view tests: a secretariat of cluster A, a reporter of unit A1, a reporter
of unit A2, a leadership viewer of A's supervising unit, an outsider (and cluster B with its own
secretariat, for 'another cluster'), and the awarding staff of A's supervising unit (the body
A's award dossiers go to)."""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from hypothesis import settings as hypothesis_settings

# In CI the fuzz tests draw the same examples every run, so a red build always means a change
# broke something; locally they stay random and keep looking for new cases.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI", "").lower() == "true":
    hypothesis_settings.load_profile("ci")

INTEGRATION = os.environ.get("INTEGRATION") == "1"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3
        ):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config, items):
    # The marker, not the keyword: every test under tests/integration/ has "integration" among
    # its keywords (the folder's name), also those that need no service.
    marked = [item for item in items if item.get_closest_marker("integration")]
    if not marked:
        return
    if not INTEGRATION:
        skip = pytest.mark.skip(reason="needs INTEGRATION=1 with PostgreSQL, Redis and a worker")
        for item in marked:
            item.add_marker(skip)
        return
    db_url = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    problems = []
    if not db_url.startswith("postgres"):
        problems.append("DATABASE_URL is not a PostgreSQL URL")
    elif not _reachable(db_url, 5432):
        problems.append(f"PostgreSQL at {db_url} is unreachable")
    if not broker.startswith("redis"):
        problems.append("CELERY_BROKER_URL is not a Redis URL")
    elif not _reachable(broker, 6379):
        problems.append(f"Redis at {broker} is unreachable")
    if problems:
        if IN_CI:
            # In CI an unreachable service is a failure, never a silent skip.
            pytest.exit("integration services missing: " + "; ".join(problems), returncode=3)
        skip = pytest.mark.skip(reason="; ".join(problems))
        for item in marked:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_and_in_process(request, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")  # uploads of a test stay with the test
    from django.core.cache import cache

    cache.clear()  # ids repeat between tests: a cached fragment must not outlive its test
    if "integration" in request.keywords:
        yield
        return
    from emulation.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = eager


@dataclass
class World:
    """Two clusters with a year each, their units and one user per persona."""

    supervising: object
    other_supervising: object
    cluster: object
    other_cluster: object
    year: object
    other_year: object
    unit_a1: object
    unit_a2: object
    unit_b1: object
    secretariat: object
    reporter_a1: object
    reporter_a2: object
    leadership: object
    outsider: object
    other_secretariat: object
    awarding: object


@pytest.fixture
def world(django_user_model):
    from clusters.models import Cluster, EmulationYear, Membership, RoleGrant, Unit

    supervising = Unit.objects.create(
        code="sup", name="Cơ quan chỉ đạo A", kind=Unit.Kind.SUPERVISING_BODY
    )
    other_supervising = Unit.objects.create(
        code="sup-b", name="Cơ quan chỉ đạo B", kind=Unit.Kind.SUPERVISING_BODY
    )
    a1 = Unit.objects.create(
        code="a1", name="Liên minh HTX A1", kind=Unit.Kind.PROVINCIAL_ALLIANCE, parent=supervising
    )
    a2 = Unit.objects.create(
        code="a2", name="Liên minh HTX A2", kind=Unit.Kind.PROVINCIAL_ALLIANCE, parent=supervising
    )
    b1 = Unit.objects.create(code="b1", name="Liên minh HTX B1", kind=Unit.Kind.PROVINCIAL_ALLIANCE)
    cluster = Cluster.objects.create(code="cum-a", name="Cụm A", supervising_unit=supervising)
    other_cluster = Cluster.objects.create(
        code="cum-b", name="Cụm B", supervising_unit=other_supervising
    )
    year = EmulationYear.objects.create(
        cluster=cluster, year=2025, reporting_deadline=dt.date(2025, 12, 15)
    )
    other_year = EmulationYear.objects.create(cluster=other_cluster, year=2025)
    Membership.objects.create(emulation_year=year, unit=a1)
    Membership.objects.create(emulation_year=year, unit=a2)
    Membership.objects.create(emulation_year=other_year, unit=b1)

    def user(name, **grant):
        u = django_user_model.objects.create_user(username=name, password="pw-" + name)
        if grant:
            RoleGrant.objects.create(user=u, **grant)
        return u

    return World(
        supervising=supervising,
        other_supervising=other_supervising,
        cluster=cluster,
        other_cluster=other_cluster,
        year=year,
        other_year=other_year,
        unit_a1=a1,
        unit_a2=a2,
        unit_b1=b1,
        secretariat=user("secretariat", role="secretariat", cluster=cluster),
        reporter_a1=user("reporter_a1", role="reporter", unit=a1),
        reporter_a2=user("reporter_a2", role="reporter", unit=a2),
        leadership=user("leadership", role="leadership", unit=supervising),
        outsider=user("outsider"),
        other_secretariat=user("other_secretariat", role="secretariat", cluster=other_cluster),
        awarding=user("awarding", role="awarding", unit=supervising),
    )


@pytest.fixture
def scored(world):
    """The world's year with the example scheme and figures for both members, scored."""
    from scoring.ranking.services.recompute import year_recompute
    from tests.scoring.factories import install_scheme, put_figures

    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    return world


@pytest.fixture
def conf(world):
    """Five members with bands (the conference tests), scored, with the year before."""
    from clusters.models import EmulationYear, Membership, Unit
    from scoring.ranking.services.recompute import year_recompute
    from tests.scoring.factories import BANDED, NEW_COOPS, install_scheme, put_figures

    year = world.year
    for code in ("a3", "a4", "a5"):
        unit = Unit.objects.create(
            code=code,
            name=f"Liên minh HTX {code.upper()}",
            kind=Unit.Kind.PROVINCIAL_ALLIANCE,
            parent=world.supervising,
        )
        Membership.objects.create(emulation_year=year, unit=unit)
    last = EmulationYear.objects.create(cluster=world.cluster, year=2024)
    for unit in Unit.objects.filter(code__in=NEW_COOPS):
        Membership.objects.create(emulation_year=last, unit=unit)
    install_scheme(year, BANDED)
    put_figures(year, {(code, "new_coops"): n for code, n in NEW_COOPS.items()})
    put_figures(year, {(code, "coop_members"): 110 for code in NEW_COOPS})
    put_figures(last, {(code, "coop_members"): 100 for code in NEW_COOPS})
    year_recompute(emulation_year_id=year.pk)
    world.units = {u.code: u for u in Unit.objects.filter(code__in=NEW_COOPS)}
    return world
