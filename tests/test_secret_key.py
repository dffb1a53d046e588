"""Issue #14, finding 13 (part): production refuses a SECRET_KEY that is short or a placeholder —
a start-up error that says why, before anything is served."""

from __future__ import annotations

import pytest

from tests.test_settings import PROBE, env_example, run

GOOD = "x7Gv2pQm9Lr4Tz8Wc1Nh6Bk3Yd5Fs0Ja" * 2


def start(secret_key: str, debug: str = "false"):
    return run(PROBE, {"DEBUG": debug, "SECRET_KEY": secret_key, "ALLOWED_HOSTS": "x.example"})


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("x", "it has 1 characters, fewer than 50"),
        ("k" * 49, "it has 49 characters, fewer than 50"),
        (env_example()["SECRET_KEY"], "fewer than 50"),  # the placeholder of .env.example
        ("changeme" * 7, "it is a placeholder"),
        ("change-me-to-50-random-characters-change-me-to-50-random", "it is a placeholder"),
        ("django-insecure-" + GOOD, "it is a development key"),
        ("ab" * 30, "fewer than 5 different characters"),
    ],
)
def test_production_refuses_a_weak_or_placeholder_secret_key(key, why):
    done = start(key)
    assert done.returncode != 0
    assert "SECRET_KEY is unfit for production" in done.stderr
    assert why in done.stderr
    if len(key) > 8:
        assert key not in done.stderr  # the error does not echo the key into the logs


def test_production_starts_with_a_long_random_key():
    assert start(GOOD).returncode == 0


def test_development_keeps_any_key():
    assert start("x", debug="true").returncode == 0
