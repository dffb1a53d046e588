"""`bench_tricks` times the kept speed tricks against what they replace, and both ways give the
same thing (so the figures compare like with like)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from clusters.models import EmulationYear, Unit
from scoring.dev.demo import CLUSTER_CODE, CURRENT_YEAR
from scoring.management.commands.bench_tricks import _orm_member_of_year

pytestmark = pytest.mark.django_db


def test_bench_tricks_needs_the_demo():
    with pytest.raises(CommandError, match="load_demo"):
        call_command("bench_tricks")


def test_bench_tricks_times_both_ways_of_the_same_read(tmp_path):
    from clusters.permissions import _member_of_year

    call_command("load_demo", "--force", "--logins-file", str(tmp_path / "logins.txt"))
    year = EmulationYear.objects.get(cluster__code=CLUSTER_CODE, year=CURRENT_YEAR)
    unit = Unit.objects.get(code="can-tho")
    by_hand, by_orm = _member_of_year(year.pk, unit.pk), _orm_member_of_year(year.pk, unit.pk)
    assert (by_hand[0].pk, by_hand[0].cluster.pk, by_hand[1].pk) == (
        by_orm[0].pk,
        by_orm[0].cluster.pk,
        by_orm[1].pk,
    )
    out = io.StringIO()
    call_command("bench_tricks", "--rounds", "1", stdout=out)
    lines = out.getvalue().splitlines()
    assert re.fullmatch(
        r"a report's year and unit: hand-written [\d.]+ ms, ORM [\d.]+ ms", lines[0]
    )
    assert re.fullmatch(
        r"the report form's \d+ fields: FastInput [\d.]+ ms, widget templates [\d.]+ ms", lines[1]
    )
