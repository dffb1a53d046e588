"""Small builders for scoring tests: a scheme with two criteria and members' figures."""

from __future__ import annotations

import dataclasses

from scoring import engine
from scoring.models import AwardKind
from scoring.reporting.services.figures import figures_import
from scoring.schemes.services import scheme_create_version

SMALL_SCHEME = engine.Scheme(
    name="Thang điểm nhỏ",
    scale=100,
    data_elements=(
        engine.DataElement(
            code="new_coops",
            name="HTX thành lập mới",
            definition="Số HTX thành lập mới",
            type="integer",
            min=0,
        ),
        engine.DataElement(
            code="coop_members",
            name="Thành viên HTX",
            definition="Số thành viên HTX",
            type="integer",
            min=0,
        ),
    ),
    criteria=(
        engine.Criterion(
            code="1.1",
            group="Nội dung 1",
            name="Thành lập mới HTX",
            definition="Số HTX thành lập mới trong năm",
            measure="new_coops",
            target=20,
            points=60,
            rule="proportional",
        ),
        engine.Criterion(
            code="2.1",
            group="Nội dung 2",
            name="Tăng thành viên",
            definition="Thành viên năm nay so với năm trước",
            measure="(coop_members - prev(coop_members)) / prev(coop_members) * 100",
            target=8,
            points=40,
            rule="threshold",
            unit="%",
        ),
    ),
)


def install_scheme(year, scheme=SMALL_SCHEME):
    return scheme_create_version(emulation_year=year, scheme=scheme)


def put_figures(year, rows: dict[tuple[str, str], float]):
    """rows: (unit code, element) -> value for this year."""
    return figures_import(
        cluster_id=year.cluster_id,
        figures={(unit, year.year, element): value for (unit, element), value in rows.items()},
        filename="test.csv",
    )


BANDED = dataclasses.replace(
    SMALL_SCHEME,
    classification=(engine.Band("Xuất sắc", 90), engine.Band("Tốt", 50), engine.Band("Khá", 0)),
)
# new_coops of a1..a5: 20 → 60 + 40 = 100 (Xuất sắc), 15 → 45 + 40 = 85 (Tốt), 10 → 70 (Tốt),
# 5 → 55 (Tốt), 0 → 40 (Khá). Everyone raised membership by 10% (threshold 8%: 40 points).
NEW_COOPS = {"a1": 20, "a2": 15, "a3": 10, "a4": 5, "a5": 0}


def kind(world, **fields):
    values = {"code": "co", "name": "Cờ thi đua", "cluster": world.cluster, "cap_count": 1}
    values.update(fields)
    return AwardKind.objects.create(**values)
