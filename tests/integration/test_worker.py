"""One task through a real Redis broker to a real worker and back, writing to PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from clusters.models import EmulationYear
from scoring import engine
from scoring.models import ScoringRun, Standing
from scoring.reporting.services.figures import figures_import
from scoring.schemes.services import scheme_create_version
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SCHEME = engine.Scheme(
    name="Thang điểm kiểm thử",
    scale=100,
    data_elements=(
        engine.DataElement(
            code="new_coops", name="HTX thành lập mới", definition="", type="integer", min=0
        ),
    ),
    criteria=(
        engine.Criterion(
            code="1.1",
            group="Nội dung 1",
            name="Thành lập mới HTX",
            definition="Số HTX thành lập mới",
            measure="new_coops",
            target=20,
            points=100,
            rule="proportional",
        ),
    ),
)


def test_a_figure_change_is_scored_by_the_worker_through_redis(world, live_worker):
    assert connection.vendor == "postgresql"
    scheme_create_version(emulation_year=world.year, scheme=SCHEME)
    figures_import(
        cluster_id=world.cluster.pk,
        figures={("a1", 2025, "new_coops"): 20.0, ("a2", 2025, "new_coops"): 10.0},
        filename="figures.csv",
    )
    # The commit queued recompute_year on Redis; only the worker process can have written this.
    wait_for(lambda: not EmulationYear.objects.get(pk=world.year.pk).is_dirty)
    year = EmulationYear.objects.get(pk=world.year.pk)
    run = ScoringRun.objects.get(emulation_year=world.year, is_current=True)
    # The current run holds the results of the year's current inputs. (Its input_version may be
    # the scheme's if the first task, queued by the scheme, already read the figures that the
    # second one then found unchanged: the same inputs, the same hash, no second copy.)
    from scoring.ranking.selectors import year_inputs

    assert run.input_hash == year_inputs(emulation_year=year).digest()
    assert run.input_version <= year.input_version
    assert year.scored_version == year.input_version
    standings = {s.unit.code: s for s in Standing.objects.filter(run=run).select_related("unit")}
    assert standings["a1"].rank == 1 and standings["a1"].total == pytest.approx(100)
    assert standings["a2"].rank == 2 and standings["a2"].total == pytest.approx(50)
    assert run.scores.count() == 2


def _setup(world):
    scheme_create_version(emulation_year=world.year, scheme=SCHEME)
    figures_import(
        cluster_id=world.cluster.pk,
        figures={("a1", 2025, "new_coops"): 20.0, ("a2", 2025, "new_coops"): 10.0},
        filename="figures.csv",
    )
    wait_for(lambda: not EmulationYear.objects.get(pk=world.year.pk).is_dirty)


def test_ten_queued_recomputes_of_one_change_write_one_run(world, live_worker):
    from scoring.tasks import recompute_year

    _setup(world)
    runs_before = ScoringRun.objects.filter(emulation_year=world.year).count()
    figures_import(
        cluster_id=world.cluster.pk,
        figures={("a2", 2025, "new_coops"): 16.0},
        filename="figures.csv",
    )
    results = [recompute_year.delay(world.year.pk) for _ in range(9)]
    wait_for(lambda: not EmulationYear.objects.get(pk=world.year.pk).is_dirty)
    # Every queued task has been consumed (the queue is empty once the worker answers ping again).
    wait_for(
        lambda: ScoringRun.objects.filter(emulation_year=world.year).count() >= runs_before + 1
    )
    import time

    time.sleep(2)  # let the duplicates drain; none of them may write
    assert ScoringRun.objects.filter(emulation_year=world.year).count() == runs_before + 1
    current = ScoringRun.objects.get(emulation_year=world.year, is_current=True)
    assert Standing.objects.get(run=current, unit__code="a2").total == pytest.approx(80)
    assert results  # the producer side got task ids from Redis


def test_a_change_that_changes_nothing_writes_no_new_run(world, live_worker):
    _setup(world)
    current = ScoringRun.objects.get(emulation_year=world.year, is_current=True)
    figures_import(
        cluster_id=world.cluster.pk,
        figures={("a2", 2025, "new_coops"): 10.0},
        filename="figures.csv",
    )
    wait_for(lambda: not EmulationYear.objects.get(pk=world.year.pk).is_dirty)
    assert ScoringRun.objects.get(emulation_year=world.year, is_current=True).pk == current.pk


def test_a_year_another_process_is_computing_waits_for_it_then_completes(world, live_worker):
    from scoring.ranking.services.recompute import ADVISORY_NAMESPACE

    _setup(world)
    before = ScoringRun.objects.get(emulation_year=world.year, is_current=True)
    with connection.cursor() as cursor:
        # This test process plays the other recompute: it holds the year's lock.
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [ADVISORY_NAMESPACE, world.year.pk])
        figures_import(
            cluster_id=world.cluster.pk,
            figures={("a1", 2025, "new_coops"): 5.0},
            filename="figures.csv",
        )
        import time

        time.sleep(3)
        assert EmulationYear.objects.get(pk=world.year.pk).is_dirty  # the worker backed off
        assert ScoringRun.objects.get(emulation_year=world.year, is_current=True).pk == before.pk
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_NAMESPACE, world.year.pk])
    wait_for(lambda: not EmulationYear.objects.get(pk=world.year.pk).is_dirty, timeout=90)
    current = ScoringRun.objects.get(emulation_year=world.year, is_current=True)
    assert current.pk != before.pk
    assert Standing.objects.get(run=current, unit__code="a1").total == pytest.approx(25)


def test_a_batch_recompute_is_shared_by_the_worker_from_the_bulk_queue(world, live_worker):
    """recompute_all's fan-out through Redis: the chunks go to the bulk queue, the worker (which
    consumes it, as `make worker` does) recomputes them and counts them in the batch."""
    from clusters.models import Cluster, Membership
    from scoring.models import RecomputeBatch
    from scoring.ranking.services.fan_out import recompute_fan_out

    _setup(world)
    years = [world.year]
    for i in range(5):
        cluster = Cluster.objects.create(
            code=f"bulk-{i}", name=f"Cụm {i}", supervising_unit=world.supervising
        )
        year = EmulationYear.objects.create(cluster=cluster, year=2025)
        Membership.objects.create(emulation_year=year, unit=world.unit_a1)
        scheme_create_version(emulation_year=year, scheme=SCHEME)
        years.append(year)
    batch = recompute_fan_out(emulation_year_ids=[y.pk for y in years], chunk=2, force=True)
    wait_for(lambda: RecomputeBatch.objects.get(pk=batch.pk).finished_at is not None)
    batch.refresh_from_db()
    assert (batch.years_done, batch.chunks_total) == (6, 3)
    assert ScoringRun.objects.filter(emulation_year__in=years, is_current=True).count() == 6
