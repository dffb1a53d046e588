"""One task through a real Redis broker to a real worker and back, writing to PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from clusters.models import EmulationYear
from scoring import engine
from scoring.models import ScoringRun, Standing
from scoring.services.figures import figures_import
from scoring.services.schemes import scheme_create_version

from .conftest import wait_for

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
    assert run.input_version == year.input_version
    assert year.scored_version == year.input_version
    standings = {s.unit.code: s for s in Standing.objects.filter(run=run).select_related("unit")}
    assert standings["a1"].rank == 1 and standings["a1"].total == pytest.approx(100)
    assert standings["a2"].rank == 2 and standings["a2"].total == pytest.approx(50)
    assert run.scores.count() == 2
