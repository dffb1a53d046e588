"""The eligibility bench (#17's speed target) runs and counts what it judged."""

from __future__ import annotations

import io
import re

from django.core.management import call_command


def test_bench_eligibility_judges_every_unit_of_the_clusters_it_builds():
    out = io.StringIO()
    call_command("bench_eligibility", "--clusters", "3", "--members", "4", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    for line in lines:
        assert re.fullmatch(r"[a-z-]+: 12 units, \d+ eligible, [\d.]+ s \(nd-152-2025\)", line)
