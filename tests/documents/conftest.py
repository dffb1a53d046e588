"""A year with everything its documents show: five members with bands (the `conf` world), a
published pledge signed by every member, the year's details typed in, a closed award ballot and
a closed election whose vote order differs from the ranking (a2, ranked 2nd, is elected with the
most votes), and the rotating flag handed over."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from clusters.models import FlagHandover, YearOffice
from scoring.conference.services.conference import ballot_close, ballot_open, ballot_vote
from scoring.models import Ballot, ConferenceDetails, Pledge, PledgeSignature
from tests.scoring.factories import kind

HELD = dt.datetime(2026, 1, 27, 8, 0)


def _vote(ballot, units, voter, choice):
    ballot_vote(ballot=ballot, voter=units[voter], candidate_ids=[units[choice].pk])


@pytest.fixture
def documents_world(conf):
    w = conf
    year, units = w.year, w.units
    YearOffice.objects.create(emulation_year=year, unit=units["a1"], role=YearOffice.Role.HEAD)
    pledge = Pledge.objects.create(
        emulation_year=year,
        title="Giao ước thi đua năm 2025 — Cụm A",
        text="Các đơn vị thống nhất ký kết giao ước.\nThực hiện đúng các chỉ tiêu.",
        signed_at_event="Hội nghị tổng kết năm 2024",
        published_at=timezone.now(),
    )
    for code, unit in units.items():
        PledgeSignature.objects.create(
            pledge=pledge,
            unit=unit,
            signed_by=f"Người ký {code.upper()}",
            title="Chủ tịch",
            signed_on=dt.date(2025, 1, 20),
        )
    ConferenceDetails.objects.create(
        emulation_year=year,
        place="Cần Thơ",
        agency_symbol="CTĐA",
        signer_name="Nguyễn Văn An",
        signer_title="Chủ tịch Liên minh HTX A1",
        minutes_number="05",
        venue="Hội trường Liên minh HTX A1",
        started_at=timezone.make_aware(HELD),
        ended_at=timezone.make_aware(HELD + dt.timedelta(hours=3, minutes=30)),
        attendees="Đại diện Cơ quan chỉ đạo A\nLãnh đạo các đơn vị thành viên",
        chair_name="Nguyễn Văn An",
        chair_title="Chủ tịch Liên minh HTX A1",
        secretary_name="Trần Thị Bình",
        secretary_title="Chuyên viên",
        agenda="Báo cáo kết quả\nBình xét khen thưởng\nBầu cụm trưởng",
    )
    flag = kind(w, code="co", name="Cờ thi đua của Cơ quan chỉ đạo A", conferred_by="Cơ quan A")
    award = ballot_open(emulation_year=year, purpose=Ballot.Purpose.AWARD, award_kind=flag)
    for voter in ("a2", "a3", "a4", "a5"):
        _vote(award, units, voter, "a1")
    _vote(award, units, "a1", "a2")
    ballot_close(ballot=award)
    head = ballot_open(emulation_year=year, purpose=Ballot.Purpose.HEAD)
    for voter in ("a1", "a3", "a4", "a5"):
        _vote(head, units, voter, "a2")
    _vote(head, units, "a2", "a3")
    ballot_close(ballot=head)
    FlagHandover.objects.create(
        cluster=w.cluster,
        emulation_year=year,
        from_unit=units["a1"],
        to_unit=units["a2"],
        handed_on=dt.date(2026, 1, 27),
    )
    return w


def docx_of(document):
    from docx import Document

    return Document(io.BytesIO(bytes(document.docx)))


def pdf_of(document):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(bytes(document.pdf)))
