"""A recompute of many years fanned out in chunks (#18): each chunk a task on the bulk queue,
atomic and idempotent; the batch counts the years done; a year another process holds is queued
again until it is done; the command shows the progress."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from clusters.models import AuditEntry, Cluster, EmulationYear, Membership
from scoring.models import RecomputeBatch, ScoringRun
from scoring.ranking.services import fan_out
from scoring.ranking.services.fan_out import recompute_fan_out
from scoring.ranking.services.recompute import RecomputeOutcome
from tests.scoring.factories import install_scheme, put_figures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tasks_in_process(monkeypatch):
    """The chunks run in this process, also in the CI pass that has a broker (no worker listens
    to it here: tests/integration/test_worker.py plays the real worker). Only this task is run
    locally; the app's configuration is left alone."""
    from scoring.tasks import recompute_chunk

    def run_here(args=(), kwargs=None, **_options):
        return recompute_chunk.apply(args=args, kwargs=kwargs or {})

    monkeypatch.setattr(recompute_chunk, "delay", lambda *args: run_here(args))
    monkeypatch.setattr(recompute_chunk, "apply_async", run_here)


@pytest.fixture
def five_years(world):
    """The world's cluster A with five more clusters copying it, each with a scored-ready year."""
    years = [world.year]
    for i in range(4):
        cluster = Cluster.objects.create(
            code=f"cum-x{i}", name=f"Cụm X{i}", supervising_unit=world.supervising
        )
        year = EmulationYear.objects.create(cluster=cluster, year=2025)
        Membership.objects.create(emulation_year=year, unit=world.unit_a1)
        years.append(year)
    for year in years:
        install_scheme(year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    return years


def test_the_years_are_recomputed_in_chunks_and_counted(
    five_years, django_capture_on_commit_callbacks
):
    ids = [y.pk for y in five_years]
    with django_capture_on_commit_callbacks(execute=True):
        batch = recompute_fan_out(
            emulation_year_ids=ids, chunk=2, reason="sửa thang điểm", force=True
        )
    batch.refresh_from_db()
    assert (batch.years_total, batch.chunks_total, batch.years_done) == (5, 3, 5)
    assert batch.years_written == 5 and batch.finished_at is not None and batch.years_left == 0
    assert ScoringRun.objects.filter(emulation_year_id__in=ids, is_current=True).count() == 5
    assert AuditEntry.objects.filter(action="recompute.batch", reason="sửa thang điểm").exists()
    # Again, unchanged: idempotent, nothing written twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = recompute_fan_out(emulation_year_ids=ids, chunk=2)
    again.refresh_from_db()
    assert (again.years_done, again.years_written) == (5, 0)
    assert ScoringRun.objects.filter(emulation_year_id__in=ids).count() == 5


def test_the_chunks_go_to_the_bulk_queue():
    assert settings.CELERY_TASK_ROUTES["scoring.tasks.recompute_chunk"] == {
        "queue": settings.RECOMPUTE_BULK_QUEUE
    }


def test_a_busy_year_is_queued_again_until_it_is_done(
    five_years, monkeypatch, django_capture_on_commit_callbacks
):
    busy_once = {five_years[1].pk}
    real = fan_out.years_recompute

    def flaky(*, emulation_year_ids, force=False, chunk=50):
        held = [i for i in emulation_year_ids if i not in busy_once]
        outcomes = real(emulation_year_ids=held, force=force) if held else []
        refused = [RecomputeOutcome(i, "busy") for i in emulation_year_ids if i in busy_once]
        busy_once.clear()  # free on the next try
        return outcomes + refused

    monkeypatch.setattr(fan_out, "years_recompute", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        batch = recompute_fan_out(
            emulation_year_ids=[y.pk for y in five_years], chunk=5, force=True
        )
    batch.refresh_from_db()
    assert batch.years_done == 5 and batch.finished_at is not None
    assert ScoringRun.objects.filter(emulation_year=five_years[1], is_current=True).exists()


def test_an_empty_batch_is_finished_at_once():
    batch = recompute_fan_out(emulation_year_ids=[])
    assert batch.years_total == 0 and batch.finished_at is not None


@pytest.mark.django_db(transaction=True)  # the chunks are queued on commit, as in production
def test_the_command_queues_the_years_and_shows_the_progress(five_years):
    out = io.StringIO()
    call_command("recompute_all", "--all", "--chunk", "2", "--force", stdout=out)
    text = out.getvalue()
    # (The other cluster's year has no scheme: done, with nothing to write.)
    assert "6 years in 3 chunks queued on the bulk queue" in text
    assert "[##############################] 6/6 years (100%), 0 left" in text
    assert "Done: 6 years, 5 with new results" in text
    out = io.StringIO()
    call_command("recompute_all", "--cluster", "cum-x0", stdout=out)
    assert "1 years in 1 chunks" in out.getvalue()
    with pytest.raises(CommandError, match="Say which years"):
        call_command("recompute_all")
    with pytest.raises(CommandError, match="--chunk must be between 1 and 1000"):
        call_command("recompute_all", "--all", "--chunk", "0")
    assert RecomputeBatch.objects.count() == 2
