"""The engine is pure: its tests must run without Django (`pytest -p no:django tests/engine`)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_and_in_process():
    # Overrides the project-wide autouse fixture, which needs pytest-django's `settings`;
    # nothing in scoring.engine reads settings or queues tasks.
    yield
