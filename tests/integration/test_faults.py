"""Faults of the production shape, with real processes: a broker outage, a worker killed in the
middle of a recompute, a database restart between requests (issue #7).

Each test starts its own redis-server on a free port (never the shared one), and the app under
gunicorn, Celery workers and beat as subprocesses on the test database. Nothing in the test
process queues a task: it writes inputs directly and lets the processes under test do the rest.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time

import psycopg2
import pytest
from django.db import connection
from django.urls import reverse

from clusters.models import EmulationYear
from scoring.models import Report, Score, ScoringRun, Standing
from scoring.ranking.services import dirty as years_service
from scoring.ranking.services.recompute import year_recompute
from scoring.reporting.services.figures import figures_import
from tests.integration.conftest import (
    Browser,
    children_of,
    service_database_url,
    start_beat,
    start_gunicorn,
    start_worker,
    stop,
    wait_for,
)
from tests.scoring.factories import install_scheme

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SWEEP_SECONDS = 2


@pytest.fixture
def open_year(world, monkeypatch):
    """World's year in reporting, with the small scheme (1.1: new_coops / 20 × 60 points) and a
    deadline far ahead. The test process itself never queues a recompute (its broker is the
    shared Redis): only the processes under test do."""
    monkeypatch.setattr(years_service, "year_queue_recompute", lambda **_kw: False)
    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2099, 12, 15)
    )
    world.year.refresh_from_db()
    return world


def year_of(world) -> EmulationYear:
    return EmulationYear.objects.get(pk=world.year.pk)


def is_clean(world) -> bool:
    return not year_of(world).is_dirty


def ranking(world) -> list[tuple[str, int, float]]:
    run = ScoringRun.objects.get(emulation_year=world.year, is_current=True)
    return [
        (s.unit.code, s.rank, round(s.total, 2))
        for s in Standing.objects.filter(run=run).select_related("unit").order_by("rank", "unit")
    ]


def json_ranking(browser: Browser, world) -> list[tuple[str, int, float]]:
    import json

    status, body, _s = browser.request(reverse("ranking-json", args=[world.year.pk]))
    assert status == 200, body[:2000]
    return [(r["unit"], r["rank"], r["total"]) for r in json.loads(body)["ranking"]]


def report_form(version: int, action: str, new_coops: str) -> dict:
    return {
        "version": str(version),
        "action": action,
        "note": "",
        "e_new_coops": new_coops,
        "e_coop_members": "",
    }


def report_path(world, unit) -> str:
    return reverse("report-detail", args=[world.year.pk, unit.pk])


def database_backends() -> list[tuple[int, str]]:
    """Every connection to the test database but this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY pid"
        )
        return cursor.fetchall()


def terminate_database_backends() -> list[tuple[int, str]]:
    """What a PostgreSQL restart does to its clients: every connection to the test database but
    this test's own is cut."""
    backends = database_backends()
    with connection.cursor() as cursor:
        # Two statements: in one, PostgreSQL may well evaluate the terminate before the filter.
        cursor.execute(
            "SELECT pid FROM unnest(%s::int[]) AS pid WHERE pg_terminate_backend(pid)",
            [[pid for pid, _name in backends]],
        )
        killed = {row[0] for row in cursor.fetchall()}
    terminated = [(pid, name) for pid, name in backends if pid in killed]
    # pg_terminate_backend only signals: wait until they are gone.
    pids = [pid for pid, _name in terminated]
    wait_for(lambda: not {p for p, _n in database_backends()} & set(pids), timeout=15)
    return terminated


# --- 1. broker outage ---------------------------------------------------------------------------


def test_during_a_broker_outage_reports_are_saved_and_the_sweep_scores_them_after_it(
    open_year, private_redis, tmp_path
):
    w = open_year
    web = worker = beat = None
    try:
        web, base = start_gunicorn(broker_url=private_redis.url, log=tmp_path / "web.log")
        worker = start_worker(
            broker_url=private_redis.url, log=tmp_path / "worker.log", name="outage-worker"
        )
        beat = start_beat(
            broker_url=private_redis.url, tmp_path=tmp_path, sweep_seconds=SWEEP_SECONDS
        )
        secretariat = Browser(base)
        secretariat.login("secretariat", "pw-secretariat")
        reporter_a1 = Browser(base)
        reporter_a1.login("reporter_a1", "pw-reporter_a1")

        # Before the outage: a submitted report goes through the broker to the worker.
        status, body, _s = reporter_a1.request(
            report_path(w, w.unit_a1), report_form(1, "submit_confirmed", "10")
        )
        assert status == 302, body[:2000]
        wait_for(lambda: is_clean(w), timeout=30)
        before = ScoringRun.objects.get(emulation_year=w.year, is_current=True)
        assert ranking(w) == [("a1", 1, 30.0), ("a2", 2, 0.0)]

        # The outage: Redis (broker and, in this shape, cache) dies.
        private_redis.kill()
        reporter_a2 = Browser(base)
        reporter_a2.login("reporter_a2", "pw-reporter_a2")  # sessions live in the database
        status, body, draft_seconds = reporter_a2.request(
            report_path(w, w.unit_a2), report_form(1, "save", "12")
        )
        assert status == 302, body[:2000]
        status, body, submit_seconds = reporter_a2.request(
            report_path(w, w.unit_a2), report_form(2, "submit_confirmed", "16")
        )
        assert status == 302, body[:2000]
        status, body, _s = reporter_a2.request(report_path(w, w.unit_a2))
        assert status == 200 and "Đã nộp báo cáo." in body, body[:3000]
        # The queueing failed soft, fast: the member waited no more than a few seconds.
        assert max(draft_seconds, submit_seconds) < 10, (draft_seconds, submit_seconds)
        report = Report.objects.get(emulation_year=w.year, unit=w.unit_a2)
        assert report.status == Report.Status.SUBMITTED
        assert {v.element_code: float(v.value) for v in report.values.all()} == {"new_coops": 16}
        year = year_of(w)
        assert year.dirty_since is not None and year.scored_version < year.input_version
        assert (
            f"could not queue the recompute of year {w.year.pk}"
            in (tmp_path / "web.log").read_text()
        )
        # The previous results are still served, from the database.
        assert ScoringRun.objects.get(emulation_year=w.year, is_current=True).pk == before.pk
        assert json_ranking(secretariat, w) == [("a1", 1, 30.0), ("a2", 2, 0.0)]
        time.sleep(SWEEP_SECONDS + 1)  # beat's sweeps fail meanwhile; it must survive them
        assert beat.poll() is None and worker.poll() is None and web.poll() is None
        assert year_of(w).is_dirty

        # The broker returns, empty (nothing was queued). No one does anything by hand.
        beat_log, worker_log = tmp_path / "beat.log", tmp_path / "worker.log"
        beat_seen, worker_seen = len(beat_log.read_text()), len(worker_log.read_text())
        private_redis.start()
        returned = time.monotonic()
        wait_for(lambda: is_clean(w), timeout=90, interval=0.25)
        recovery_seconds = time.monotonic() - returned
        print(
            f"outage: draft {draft_seconds:.2f} s, submit {submit_seconds:.2f} s; "
            f"scored {recovery_seconds:.1f} s after the broker returned"
        )
        assert ranking(w) == [("a2", 1, 48.0), ("a1", 2, 30.0)]
        assert json_ranking(secretariat, w) == [("a2", 1, 48.0), ("a1", 2, 30.0)]
        year = year_of(w)
        assert year.dirty_since is None and year.scored_version == year.input_version
        # It was the sweep: after the broker came back, beat sent it and the worker ran it.
        assert "scoring.tasks.recompute_dirty_years" in beat_log.read_text()[beat_seen:]
        after = worker_log.read_text()[worker_seen:]
        assert "recompute_dirty_years" in after and "'status': 'written'" in after
    finally:
        stop(beat)
        stop(worker)
        stop(web)


def test_during_a_broker_outage_the_ranking_pages_still_answer(open_year, private_redis, tmp_path):
    w = open_year
    figures_import(
        cluster_id=w.cluster.pk,
        figures={("a1", 2025, "new_coops"): 20.0, ("a2", 2025, "new_coops"): 10.0},
        filename="figures.csv",
    )
    year_recompute(emulation_year_id=w.year.pk)
    web = None
    log = tmp_path / "web.log"
    try:
        web, base = start_gunicorn(broker_url=private_redis.url, log=log)
        secretariat = Browser(base)
        secretariat.login("secretariat", "pw-secretariat")
        pages = [reverse("year-detail", args=[w.year.pk]), reverse("overview")]
        assert [secretariat.request(page)[0] for page in pages] == [200, 200]
        private_redis.kill()
        statuses = [secretariat.request(page)[0] for page in pages]
        # The cache (on the same Redis) fails soft: the pages are served uncached.
        assert statuses == [200, 200], log.read_text()[-3000:]
    finally:
        stop(web)


def test_a_submit_answers_within_seconds_while_the_broker_hangs(open_year, private_redis, tmp_path):
    import urllib.error

    w = open_year
    web = None
    try:
        web, base = start_gunicorn(broker_url=private_redis.url, log=tmp_path / "web.log")
        reporter = Browser(base)
        reporter.login("reporter_a2", "pw-reporter_a2")
        private_redis.process.send_signal(signal.SIGSTOP)  # up, accepting, answering nothing
        try:
            status, body, seconds = reporter.request(
                report_path(w, w.unit_a2), report_form(1, "submit_confirmed", "16"), timeout=8
            )
        except (TimeoutError, urllib.error.URLError) as error:
            saved = Report.objects.filter(unit=w.unit_a2, status="submitted").exists()
            pytest.fail(f"no answer within 8 s ({error!r}); report saved: {saved}")
        print(f"submit while the broker hangs: {status} in {seconds:.2f} s")
        assert status == 302 and seconds < 8, (status, seconds, body[:2000])
        assert year_of(w).is_dirty
    finally:
        if private_redis.process.poll() is None:
            private_redis.process.send_signal(signal.SIGCONT)
        stop(web)


# --- 2. a worker killed in the middle of a recompute ----------------------------------------------


class StandingsWriteBlocker:
    """Holds a SHARE lock on the standings table from a connection of its own: a recompute gets
    through its reads, the engine, superseding the previous run and inserting the new run and its
    score lines — then waits on its INSERT of the standings, inside its open transaction. There
    the worker is killed, in the middle of writing its results."""

    def __init__(self):
        self.conn = psycopg2.connect(service_database_url())
        self.conn.autocommit = False
        with self.conn.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{Standing._meta.db_table}" IN SHARE MODE')

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


def blocked_recompute() -> tuple[int, str] | None:
    """The backend of a recompute waiting on its INSERT of standings, if there is one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND query LIKE %s",
            [f'INSERT INTO "{Standing._meta.db_table}"%'],
        )
        return cursor.fetchone()


def queue_recompute(broker_url: str, year_id: int) -> str:
    """Queue on the private broker. Its connection is explicit: a Celery app's own broker setting
    gives way to the CELERY_BROKER_URL of this process's environment (the shared Redis)."""
    from celery import Celery
    from kombu import Connection

    probe = Celery("probe")
    try:
        with Connection(broker_url) as conn:
            return probe.send_task(
                "scoring.tasks.recompute_year", args=[year_id], connection=conn
            ).id
    finally:
        probe.close()


def scored_once(world) -> ScoringRun:
    """Inputs a1 = 20 (60 points), a2 = 10 (30 points) scored in this process; then a2 = 30: the
    year is dirty with a2 to 60 points."""
    figures_import(
        cluster_id=world.cluster.pk,
        figures={("a1", 2025, "new_coops"): 20.0, ("a2", 2025, "new_coops"): 10.0},
        filename="figures.csv",
    )
    assert year_recompute(emulation_year_id=world.year.pk).status == "written"
    assert ranking(world) == [("a1", 1, 60.0), ("a2", 2, 30.0)]
    figures_import(
        cluster_id=world.cluster.pk,
        figures={("a2", 2025, "new_coops"): 30.0},
        filename="figures.csv",
    )
    assert year_of(world).is_dirty
    return ScoringRun.objects.get(emulation_year=world.year, is_current=True)


def assert_previous_results_intact(world, before: ScoringRun) -> None:
    runs = ScoringRun.objects.filter(emulation_year=world.year)
    assert list(runs.filter(is_current=True).values_list("pk", flat=True)) == [before.pk]
    assert runs.count() == 1  # the killed run's rows are not visible, not even half of them
    assert ranking(world) == [("a1", 1, 60.0), ("a2", 2, 30.0)]
    assert Score.objects.filter(run=before).count() == 4  # 2 members × 2 criteria


def assert_completed_after_the_kill(world, before: ScoringRun) -> None:
    runs = ScoringRun.objects.filter(emulation_year=world.year)
    current = runs.get(is_current=True)
    assert current.pk != before.pk and current.status == ScoringRun.Status.DONE
    assert runs.count() == 2  # the previous one and one complete new one, nothing half-written
    assert ranking(world) == [("a1", 1, 60.0), ("a2", 1, 60.0)]
    assert Score.objects.filter(run=current).count() == 4
    year = year_of(world)
    assert year.scored_version == year.input_version == current.input_version


def test_a_pool_process_killed_mid_recompute_is_redelivered_and_the_next_run_completes(
    open_year, private_redis, tmp_path
):
    """`--pool=prefork` (production): SIGKILL the pool process running the task. The task is
    acks_late with reject_on_worker_lost: the worker puts it back and runs it again itself,
    without beat."""
    w = open_year
    before = scored_once(w)
    worker = blocker = None
    log = tmp_path / "worker.log"
    try:
        worker = start_worker(
            broker_url=private_redis.url, log=log, name="prefork-worker", pool="prefork"
        )
        blocker = StandingsWriteBlocker()
        task_id = queue_recompute(private_redis.url, w.year.pk)
        wait_for(blocked_recompute, timeout=30)
        (child,) = children_of(worker.pid)
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: "WorkerLostError" in log.read_text(), timeout=30)
        assert worker.poll() is None  # the worker itself lives on, with a new pool process
        assert_previous_results_intact(w, before)
        # The killed process's backend stays until its statement ends (PostgreSQL notices a
        # dead client only then); its transaction can never commit.
        blocker.release()
        wait_for(lambda: is_clean(w), timeout=60, interval=0.25)
        assert_completed_after_the_kill(w, before)
        # The very task that was killed ran again and succeeded (no beat here, no sweep).
        wait_for(lambda: f"recompute_year[{task_id}] succeeded" in log.read_text(), timeout=10)
    finally:
        if blocker is not None:
            blocker.release()
        stop(worker)


def test_a_whole_worker_killed_mid_recompute_is_made_good_by_the_sweep(
    open_year, private_redis, tmp_path
):
    """SIGKILL the whole worker (solo pool: the process that runs the task). Its message stays
    unacknowledged in Redis until the visibility timeout (15 minutes by default); a new worker
    and beat's sweep finish the job well before."""
    import redis

    w = open_year
    before = scored_once(w)
    first = second = beat = blocker = None
    try:
        first = start_worker(
            broker_url=private_redis.url, log=tmp_path / "first.log", name="first-worker"
        )
        blocker = StandingsWriteBlocker()
        queue_recompute(private_redis.url, w.year.pk)
        wait_for(blocked_recompute, timeout=30)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert_previous_results_intact(w, before)
        blocker.release()
        client = redis.Redis(host="127.0.0.1", port=private_redis.port, socket_timeout=2)
        try:
            assert client.hlen("unacked") == 1  # the killed worker's task, not redelivered yet
        finally:
            client.close()
        assert year_of(w).is_dirty

        second = start_worker(
            broker_url=private_redis.url, log=tmp_path / "second.log", name="second-worker"
        )
        beat = start_beat(
            broker_url=private_redis.url, tmp_path=tmp_path, sweep_seconds=SWEEP_SECONDS
        )
        wait_for(lambda: is_clean(w), timeout=60, interval=0.25)
        assert_completed_after_the_kill(w, before)
        assert "recompute_dirty_years" in (tmp_path / "second.log").read_text()
    finally:
        if blocker is not None:
            blocker.release()
        stop(beat)
        stop(second)
        stop(first)


# --- 3. the database restarts between requests ---------------------------------------------------


def test_after_the_database_cuts_every_connection_the_app_and_worker_carry_on(
    open_year, private_redis, tmp_path
):
    w = open_year
    web = worker = None
    try:
        # Persistent connections (the production default of 60 s), health-checked before reuse.
        web, base = start_gunicorn(
            broker_url=private_redis.url, log=tmp_path / "web.log", DB_CONN_MAX_AGE="60"
        )
        worker = start_worker(
            broker_url=private_redis.url,
            log=tmp_path / "worker.log",
            name="fault-worker",
            DB_CONN_MAX_AGE="60",
        )
        secretariat = Browser(base)
        secretariat.login("secretariat", "pw-secretariat")
        reporter = Browser(base)
        reporter.login("reporter_a1", "pw-reporter_a1")
        other_reporter = Browser(base)
        other_reporter.login("reporter_a2", "pw-reporter_a2")
        year_page = reverse("year-detail", args=[w.year.pk])
        assert secretariat.request(year_page)[0] == 200
        status, body, _s = reporter.request(
            report_path(w, w.unit_a1), report_form(1, "submit_confirmed", "10")
        )
        assert status == 302, body[:2000]
        wait_for(lambda: is_clean(w), timeout=30)

        # The restart: the app's and the worker's persistent connections are cut. (The worker
        # keeps its connection between tasks, as the web server does between requests.)
        cut = terminate_database_backends()
        assert {"fault-web", "fault-worker"} <= {name for _pid, name in cut}, cut
        statuses = [secretariat.request(year_page)[0] for _ in range(3)]
        assert statuses == [200, 200, 200]
        assert json_ranking(secretariat, w) == [("a1", 1, 30.0), ("a2", 2, 0.0)]
        # New connections replaced the cut ones.
        assert "fault-web" in {name for _pid, name in database_backends()}

        # Cut again, and the first request after it is a write whose recompute the worker —
        # whose connection was cut too — must run.
        terminate_database_backends()
        status, body, _s = other_reporter.request(
            report_path(w, w.unit_a2), report_form(1, "submit_confirmed", "16")
        )
        assert status == 302, body[:2000]
        wait_for(lambda: is_clean(w), timeout=30)
        assert ranking(w) == [("a2", 1, 48.0), ("a1", 2, 30.0)]
        assert json_ranking(secretariat, w) == [("a2", 1, 48.0), ("a1", 2, 30.0)]
        assert web.poll() is None and worker.poll() is None
        # The recompute ran on a new connection, which the worker kept.
        assert "fault-worker" in {name for _pid, name in database_backends()}
        assert "Traceback" not in (tmp_path / "worker.log").read_text()
    finally:
        stop(worker)
        stop(web)
