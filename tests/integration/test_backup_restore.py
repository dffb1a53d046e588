"""Backups restore to the same rankings (docs/operations.md, issue #7).

The demo cluster (8 years, mergers, pledges, reports, every year scored) is backed up, restored
into a fresh, empty database by the documented commands, and read back by a separate process:
every year's standings (unit, rank, total, band, eligibility), the row counts of every model, and
— the inputs being complete — a recompute of every year from the restored inputs, which must give
the same ranking from inputs with the same hash. Then a new run is written on the restored
database (its sequences must have been restored too).

- `dumpdata`/`loaddata` (the portable path): runs in both passes — SQLite in the embedded pass
  (restored into a new SQLite file), PostgreSQL in the integration pass (restored into a new
  PostgreSQL database).
- `pg_dump -Fc`/`pg_restore`: PostgreSQL only, marked `integration`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
RESTORED_YEAR = (
    2026  # the demo's open year: a new run may be written there; the others are published
)

# Run in the restored database's own process: snapshot, a forced recompute of the open year
# (which writes a new run, its score lines and standings), snapshot again.
CHECK_SCRIPT = f"""
import json
from django.core.management import call_command
from scoring.dev.demo import CLUSTER_CODE
from tests.integration.test_backup_restore import snapshot
before = snapshot()
call_command("recompute", "--cluster", CLUSTER_CODE, "--year", "{RESTORED_YEAR}", "--force")
print("SNAPSHOT " + json.dumps({{"before": before, "after": snapshot()}}))
"""


def snapshot() -> dict:
    """What a restore must give back, in plain JSON values."""
    from django.apps import apps

    from clusters.models import EmulationYear
    from scoring.dev.demo import CLUSTER_CODE
    from scoring.models import ScoringRun, Standing
    from scoring.ranking.selectors import years_inputs

    years = list(EmulationYear.objects.filter(cluster__code=CLUSTER_CODE).order_by("year"))
    inputs = years_inputs(emulation_years=years)
    rankings = {}
    for year in years:
        run = ScoringRun.objects.filter(emulation_year=year, is_current=True).first()
        stored = (
            [
                [s.unit.code, s.rank, round(s.total, 6), s.band, s.eligible]
                for s in Standing.objects.filter(run=run)
                .select_related("unit")
                .order_by("rank", "unit__code")
            ]
            if run
            else None
        )
        recomputed = same_inputs = None
        if year.pk in inputs:
            result = inputs[year.pk].run()
            recomputed = sorted(
                (
                    [s.unit, s.rank, round(s.total, 6), s.band or "", s.eligible]
                    for s in result.standings
                ),
                key=lambda row: (row[1], row[0]),
            )
            same_inputs = run is not None and inputs[year.pk].digest() == run.input_hash
        rankings[str(year.year)] = {
            "status": year.status,
            "dirty": year.is_dirty,
            "stored": stored,
            "recomputed": recomputed,
            "same_inputs": same_inputs,
        }
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"clusters", "scoring"}
        or model._meta.label in {"auth.User", "auth.Group"}
    }
    return {"rankings": rankings, "counts": counts}


@pytest.fixture
def demo(monkeypatch, tmp_path):
    """The demo cluster with every year scored in this process (no broker involved)."""
    from clusters.models import EmulationYear
    from scoring.dev.demo import CLUSTER_CODE
    from scoring.ranking.services import dirty as years_service
    from scoring.ranking.services.recompute import years_recompute

    monkeypatch.setattr(years_service, "year_queue_recompute", lambda **_kw: False)
    call_command("load_demo", "--force", "--logins-file", str(tmp_path / "logins.txt"))
    ids = list(
        EmulationYear.objects.filter(cluster__code=CLUSTER_CODE)
        .order_by("year")
        .values_list("pk", flat=True)
    )
    years_recompute(emulation_year_ids=ids)
    original = snapshot()
    # The demo as it should be: 8 years, 7 scored (2019 only carries the baseline figures).
    rankings = original["rankings"]
    assert sorted(rankings) == [str(y) for y in range(2019, 2027)]
    assert rankings["2019"]["stored"] is None
    assert all(rankings[str(y)]["stored"] for y in range(2020, 2027))
    assert len(rankings["2024"]["stored"]) == 7  # before the mergers of 1 July 2025
    assert {row[0] for row in rankings["2026"]["stored"]} == {"an-giang", "ca-mau", "can-tho"}
    assert not any(r["dirty"] for r in rankings.values())
    return original


def run_manage(args: list[str], env: dict, *, timeout: float = 120) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def restored_env(**database: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SQLITE_PATH", "CELERY_BROKER_URL", "REDIS_URL"}
    }
    # No broker: the restored database's process recomputes in-process.
    env.update(TESTING="1", PYTHONUNBUFFERED="1", **database)
    return env


def check_restored(original: dict, env: dict) -> None:
    out = run_manage(["shell", "-c", CHECK_SCRIPT], env)
    line = next(x for x in out.splitlines() if x.startswith("SNAPSHOT "))
    restored = json.loads(line.removeprefix("SNAPSHOT "))
    # The restore gives back every ranking and every row.
    assert restored["before"] == original
    # The restored inputs are complete: recomputing every year gives the stored ranking, from
    # inputs with the same hash as the run that wrote it.
    for year, ranking in restored["before"]["rankings"].items():
        if ranking["stored"] is not None:
            assert ranking["recomputed"] == ranking["stored"], year
            assert ranking["same_inputs"] is True, year
    # A new run was written on the restored database (sequences restored) with the same ranking.
    after = restored["after"]
    runs = "scoring.ScoringRun"
    assert after["counts"][runs] == original["counts"][runs] + 1
    assert after["rankings"] == original["rankings"]


def _pg_admin():
    """An autocommit connection to the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg2

    settings = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or "5432",
    )
    admin.autocommit = True
    return admin


class FreshPostgresDatabase:
    """A new, empty database beside the test database; dropped afterwards."""

    def __init__(self):
        self.name = f"{connection.settings_dict['NAME']}_restore_{os.getpid()}"
        self.admin = _pg_admin()
        with self.admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{self.name}"')

    @property
    def url(self) -> str:
        from tests.integration.conftest import _database_url

        return _database_url({**connection.settings_dict, "NAME": self.name})

    def drop(self) -> None:
        with self.admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.close()


# The portable path, as docs/operations.md gives it.
DUMPDATA_ARGS = [
    "--natural-foreign",
    "--exclude=contenttypes",
    "--exclude=auth.permission",
    "--exclude=sessions",
]


@pytest.mark.django_db
def test_a_dumpdata_backup_loads_into_a_fresh_database_with_the_same_rankings(demo, tmp_path):
    backup = tmp_path / "thidua.json.gz"
    call_command("dumpdata", *DUMPDATA_ARGS, "--output", str(backup), verbosity=0)
    assert backup.stat().st_size > 10_000
    fresh = None
    try:
        if connection.vendor == "postgresql":
            fresh = FreshPostgresDatabase()
            env = restored_env(DATABASE_URL=fresh.url)
        else:
            env = restored_env(SQLITE_PATH=str(tmp_path / "restored.sqlite3"))
        run_manage(["migrate", "--noinput", "-v0"], env)
        out = run_manage(["loaddata", str(backup)], env)
        assert "Installed" in out
        check_restored(demo, env)
    finally:
        if fresh is not None:
            fresh.drop()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
def test_a_pg_dump_backup_restores_into_a_fresh_database_with_the_same_rankings(demo, tmp_path):
    assert connection.vendor == "postgresql"
    settings = connection.settings_dict
    libpq = dict(
        os.environ,
        PGHOST=settings["HOST"] or "127.0.0.1",
        PGPORT=str(settings["PORT"] or "5432"),
        PGUSER=settings["USER"] or "",
        PGPASSWORD=settings["PASSWORD"] or "",
    )
    backup = tmp_path / "thidua.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--file", str(backup), settings["NAME"]],
        env=libpq,
        check=True,
        timeout=120,
    )
    fresh = FreshPostgresDatabase()
    try:
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--dbname",
                fresh.name,
                str(backup),
            ],
            env=libpq,
            check=True,
            timeout=120,
        )
        check_restored(demo, restored_env(DATABASE_URL=fresh.url))
    finally:
        fresh.drop()
