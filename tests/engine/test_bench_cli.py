"""The what-if bench (#18 item 4) builds its files, runs `score` and the lean scorer as whole
processes, and finds the same ranking — at a small size here."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytest.importorskip("numpy")


def test_bench_cli_finds_the_same_ranking_as_the_lean_scorer():
    out = io.StringIO()
    call_command("bench_cli", "--members", "60", "--criteria", "16", "--runs", "1", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("60 members × 16 criteria, ") and "figure rows" in lines[0]
    summary = json.loads(lines[-1])
    assert summary["same"] is True
    assert set(summary) >= {"score --format json", "lean numpy scorer", "score --format xlsx"}
    assert all(
        v["seconds"] > 0 and v["peak_mb"] > 0 for k, v in summary.items() if isinstance(v, dict)
    )
