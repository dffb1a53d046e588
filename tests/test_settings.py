"""The settings switch: embedded defaults need no service; variables switch to production parts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
from django.conf import settings
django.setup()
from emulation.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": settings.DATABASES["default"]["NAME"],
    "host": settings.DATABASES["default"].get("HOST"),
    "port": settings.DATABASES["default"].get("PORT"),
    "user": settings.DATABASES["default"].get("USER"),
    "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "cache": settings.CACHES["default"]["BACKEND"],
    "debug": settings.DEBUG,
    "secret_len": len(settings.SECRET_KEY),
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
}))
"""

KEYS = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "TESTING",
    "INTEGRATION",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
]


def run(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in KEYS}
    clean.update(env, DJANGO_SETTINGS_MODULE="emulation.settings")
    return subprocess.run(
        [sys.executable, *args] if args else [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def probe(**env: str) -> dict:
    done = run(PROBE, env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_with_no_variables_it_needs_no_service():
    found = probe()
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"].endswith("db.sqlite3")
    assert found["eager"] is True
    assert found["broker"] == "memory://localhost/"
    assert found["cache"].endswith("LocMemCache")
    assert found["debug"] is True
    assert found["secret_len"] > 40


def test_database_url_switches_to_postgresql():
    found = probe(DATABASE_URL="postgres://thidua:p%40ss@db.internal:5433/thidua_prod")
    assert found["engine"] == "django.db.backends.postgresql"
    assert (found["name"], found["host"], found["port"], found["user"]) == (
        "thidua_prod",
        "db.internal",
        "5433",
        "thidua",
    )


def test_a_redis_broker_switches_off_eager_tasks_and_on_the_redis_cache():
    found = probe(CELERY_BROKER_URL="redis://127.0.0.1:6379/3")
    assert found["eager"] is False
    assert found["broker"] == "redis://127.0.0.1:6379/3"
    assert found["cache"].endswith("RedisCache")


def test_debug_off_without_a_secret_key_is_a_clear_start_up_error():
    done = run(PROBE, {"DEBUG": "false", "ALLOWED_HOSTS": "x.example"})
    assert done.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in done.stderr


def test_debug_off_without_allowed_hosts_is_a_clear_start_up_error():
    done = run(PROBE, {"DEBUG": "false", "SECRET_KEY": "x7Gv2pQm9Lr4Tz8Wc1Nh6Bk3Yd5Fs0Ja" * 2})
    assert done.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG is off" in done.stderr


def test_a_malformed_boolean_names_the_variable():
    done = run(PROBE, {"DEBUG": "maybe"})
    assert done.returncode != 0
    assert "DEBUG must be a boolean" in done.stderr


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def test_env_example_documents_every_variable_the_settings_read():
    import re

    source = (ROOT / "emulation" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', source))
    documented = set(
        re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M)
    )
    assert read - documented == set()


def test_check_deploy_is_clean_with_the_production_like_variables_of_env_example():
    env = env_example()
    env["SECRET_KEY"] = (
        "x7Gv2pQm9Lr4Tz8Wc1Nh6Bk3Yd5Fs0Ja" * 2
    )  # long and random-looking, as check wants
    done = run("", env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
