from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from scoring.models import (
    Band,
    Criterion,
    CriterionGroup,
    DataElement,
    ManualPoints,
    MemberTarget,
    Objection,
    Pledge,
    PledgeSignature,
    Report,
    ReportValue,
    Scheme,
    ScoringRun,
    Standing,
)
from tests.helpers import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(world):
    return Scheme.objects.create(emulation_year=world.year, version=1, name="S", scale=100)


def test_scheme_versions_are_unique_per_year_and_start_at_one(world, scheme):
    assert refused(
        lambda: Scheme.objects.create(emulation_year=world.year, version=1, name="S", scale=100)
    )
    assert refused(
        lambda: Scheme.objects.create(emulation_year=world.year, version=0, name="S", scale=100)
    )
    assert refused(
        lambda: Scheme.objects.create(emulation_year=world.year, version=2, name="S", scale=0)
    )


def test_criterion_codes_are_unique_and_points_not_negative(scheme):
    group = CriterionGroup.objects.create(scheme=scheme, name="Nội dung 1")
    Criterion.objects.create(scheme=scheme, group=group, code="1.1", name="x", points=10)
    assert refused(
        lambda: Criterion.objects.create(scheme=scheme, group=group, code="1.1", name="y", points=5)
    )
    assert refused(
        lambda: Criterion.objects.create(
            scheme=scheme, group=group, code="1.2", name="y", points=-1
        )
    )
    assert refused(
        lambda: Criterion.objects.create(
            scheme=scheme, group=group, code="1.3", name="y", points=1, rule="lottery"
        )
    )


def test_data_element_codes_are_unique_and_bounds_ordered(scheme):
    DataElement.objects.create(scheme=scheme, code="members", name="Thành viên")
    assert refused(lambda: DataElement.objects.create(scheme=scheme, code="members", name="again"))
    assert refused(
        lambda: DataElement.objects.create(
            scheme=scheme, code="x", name="x", min_value=10, max_value=1
        )
    )


def test_a_band_min_each_is_a_share_between_0_and_1(scheme):
    Band.objects.create(scheme=scheme, name="Xuất sắc", min_total=90, min_each=Decimal("0.85"))
    assert refused(lambda: Band.objects.create(scheme=scheme, name="Tốt", min_each=Decimal("1.5")))


def test_one_member_target_per_unit_and_criterion(world):
    MemberTarget.objects.create(
        emulation_year=world.year, unit=world.unit_a1, criterion_code="1.1", target=25
    )
    assert refused(
        lambda: MemberTarget.objects.create(
            emulation_year=world.year, unit=world.unit_a1, criterion_code="1.1", target=3
        )
    )


def test_one_signature_per_member_and_pledge(world):
    pledge = Pledge.objects.create(emulation_year=world.year, title="Giao ước 2025")
    sign = {
        "pledge": pledge,
        "unit": world.unit_a1,
        "signed_by": "Chủ tịch",
        "signed_on": dt.date(2025, 1, 27),
    }
    PledgeSignature.objects.create(**sign)
    assert refused(lambda: PledgeSignature.objects.create(**sign))
    assert refused(lambda: Pledge.objects.create(emulation_year=world.year, title="second"))


def test_one_report_per_member_and_year_and_one_value_per_element(world):
    report = Report.objects.create(emulation_year=world.year, unit=world.unit_a1)
    assert refused(lambda: Report.objects.create(emulation_year=world.year, unit=world.unit_a1))
    ReportValue.objects.create(report=report, element_code="members", value=10)
    assert refused(
        lambda: ReportValue.objects.create(report=report, element_code="members", value=11)
    )
    assert refused(lambda: Report.objects.filter(pk=report.pk).update(version=0))
    assert refused(lambda: Report.objects.filter(pk=report.pk).update(status="lost"))


def test_manual_points_need_a_reason_and_are_not_negative(world):
    base = {"emulation_year": world.year, "unit": world.unit_a1, "criterion_code": "B.1"}
    assert refused(lambda: ManualPoints.objects.create(points=2, reason="", **base))
    assert refused(lambda: ManualPoints.objects.create(points=-2, reason="x", **base))
    ManualPoints.objects.create(points=2, reason="Bằng khen của Thủ tướng", **base)
    assert refused(lambda: ManualPoints.objects.create(points=1, reason="again", **base))


def test_a_closed_objection_has_an_answer(world):
    base = {
        "emulation_year": world.year,
        "unit": world.unit_a1,
        "criterion_code": "3",
        "text": "Mẫu số sai",
    }
    assert refused(lambda: Objection.objects.create(status="accepted", **base))
    assert Objection.objects.create(status="accepted", answer="Sửa mẫu số", **base).pk


def test_a_year_has_one_current_run_and_only_a_finished_run_is_current(world, scheme):
    ScoringRun.objects.create(
        emulation_year=world.year,
        scheme=scheme,
        input_version=1,
        input_hash="a",
        status="done",
        is_current=True,
    )
    assert refused(
        lambda: ScoringRun.objects.create(
            emulation_year=world.year,
            scheme=scheme,
            input_version=2,
            input_hash="b",
            status="done",
            is_current=True,
        )
    )
    assert refused(
        lambda: ScoringRun.objects.create(
            emulation_year=world.other_year,
            scheme=scheme,
            input_version=1,
            input_hash="c",
            status="running",
            is_current=True,
        )
    )


def test_a_standing_has_a_positive_rank_and_non_negative_parts(world, scheme):
    run = ScoringRun.objects.create(
        emulation_year=world.year, scheme=scheme, input_version=1, input_hash="a", status="done"
    )
    row = {
        "run": run,
        "unit": world.unit_a1,
        "total": 50,
        "regular": 50,
        "bonus": 0,
        "met_count": 3,
        "eligible": True,
    }
    assert refused(lambda: Standing.objects.create(deduction=0, rank=0, **row))
    assert refused(lambda: Standing.objects.create(deduction=-1, rank=1, **row))
    Standing.objects.create(deduction=0, rank=1, **row)
    assert refused(lambda: Standing.objects.create(deduction=0, rank=2, **row))
