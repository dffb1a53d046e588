"""Finding 10 of issue #14: parallel writes on the embedded SQLite database wait for each other
instead of failing with "database is locked" (8 parallel votes gave two 500s)."""

from __future__ import annotations

import json

import pytest

from tests.test_settings import run

# Each of 8 threads reads, then writes, in one transaction — as a vote does (check, then insert).
# With SQLite's default deferred transactions two readers that both want to write deadlock and
# one fails at once, whatever the timeout; BEGIN IMMEDIATE makes them queue.
RACE = """
import json, os, threading, time, django
from django.conf import settings
if os.environ.get("RACE_CONTROL"):  # the control: SQLite's defaults, deferred transactions
    settings.DATABASES["default"]["OPTIONS"] = {}
django.setup()
from django.db import connection, connections, transaction
with connection.cursor() as c:
    c.execute("CREATE TABLE IF NOT EXISTS race (n integer)")
barrier = threading.Barrier(8)
errors = []
def vote():
    try:
        barrier.wait()
        with transaction.atomic():
            with connection.cursor() as c:
                c.execute("SELECT count(*) FROM race")
                time.sleep(0.2)
                c.execute("INSERT INTO race VALUES (1)")
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        connections.close_all()
threads = [threading.Thread(target=vote) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM race")
    rows = c.fetchone()[0]
print(json.dumps({"errors": errors, "rows": rows,
                  "options": settings.DATABASES["default"].get("OPTIONS", {})}))
"""


@pytest.mark.parametrize("named_by", ["SQLITE_PATH", "DATABASE_URL"])
def test_eight_parallel_writes_on_the_embedded_sqlite_all_succeed(tmp_path, named_by):
    path = str(tmp_path / "race.sqlite3")
    env = (
        {"SQLITE_PATH": path} if named_by == "SQLITE_PATH" else {"DATABASE_URL": f"sqlite://{path}"}
    )
    found = race(env)
    assert found["errors"] == []
    assert found["rows"] == 8
    assert found["options"] == {"transaction_mode": "IMMEDIATE", "timeout": 20}


def test_without_the_options_parallel_writes_fail_with_database_is_locked(tmp_path):
    """The control: the same race on SQLite's defaults loses writes (what finding 10 saw)."""
    found = race({"SQLITE_PATH": str(tmp_path / "race.sqlite3"), "RACE_CONTROL": "1"})
    assert found["options"] == {}
    assert found["errors"] and all("database is locked" in e for e in found["errors"])
    assert found["rows"] == 8 - len(found["errors"])


def race(env: dict[str, str]) -> dict:
    done = run(RACE, env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
