"""The five-member world of the conference tests: a scored year with bands, and the year before."""

from __future__ import annotations

import dataclasses

import pytest

from clusters.models import EmulationYear, Membership, Unit
from scoring import engine
from scoring.models import AwardKind
from scoring.services.recompute import year_recompute

from .factories import SMALL_SCHEME, install_scheme, put_figures

BANDED = dataclasses.replace(
    SMALL_SCHEME,
    classification=(engine.Band("Xuất sắc", 90), engine.Band("Tốt", 50), engine.Band("Khá", 0)),
)
# new_coops of a1..a5: 20 → 60 + 40 = 100 (Xuất sắc), 15 → 45 + 40 = 85 (Tốt), 10 → 70 (Tốt),
# 5 → 55 (Tốt), 0 → 40 (Khá). Everyone raised membership by 10% (threshold 8%: 40 points).
NEW_COOPS = {"a1": 20, "a2": 15, "a3": 10, "a4": 5, "a5": 0}


@pytest.fixture
def conf(world):
    year = world.year
    for code in ("a3", "a4", "a5"):
        unit = Unit.objects.create(
            code=code,
            name=f"Liên minh HTX {code.upper()}",
            kind=Unit.Kind.PROVINCIAL_ALLIANCE,
            parent=world.supervising,
        )
        Membership.objects.create(emulation_year=year, unit=unit)
    last = EmulationYear.objects.create(cluster=world.cluster, year=2024)
    for unit in Unit.objects.filter(code__in=NEW_COOPS):
        Membership.objects.create(emulation_year=last, unit=unit)
    install_scheme(year, BANDED)
    put_figures(year, {(code, "new_coops"): n for code, n in NEW_COOPS.items()})
    put_figures(year, {(code, "coop_members"): 110 for code in NEW_COOPS})
    put_figures(last, {(code, "coop_members"): 100 for code in NEW_COOPS})
    year_recompute(emulation_year_id=year.pk)
    world.units = {u.code: u for u in Unit.objects.filter(code__in=NEW_COOPS)}
    return world


def kind(world, **fields):
    values = {"code": "co", "name": "Cờ thi đua", "cluster": world.cluster, "cap_count": 1}
    values.update(fields)
    return AwardKind.objects.create(**values)
