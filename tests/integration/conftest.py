"""A real Celery worker process, on the real Redis broker, writing to the test PostgreSQL
database. Used by tests marked `integration` (run with INTEGRATION=1)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def live_worker(transactional_db, tmp_path):
    """Start `celery worker` against the test database; stop it afterwards."""
    from django.db import connection

    from emulation.celery import app

    app.control.purge()
    env = dict(os.environ)
    env["DATABASE_URL"] = _database_url(connection.settings_dict)
    env["DB_CONN_MAX_AGE"] = "0"
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "emulation",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=INFO",
                f"--hostname=test-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("the worker exited: " + log.read_text())
            replies = app.control.ping(
                destination=[f"test-{os.getpid()}@{os.uname().nodename}"], timeout=1
            )
            if replies:
                break
        else:
            pytest.fail("the worker did not answer within 60 s: " + log.read_text())
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # Django's own connection must not keep the test database busy either.
        connection.close()


def wait_for(predicate, *, timeout: float = 60.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s")
