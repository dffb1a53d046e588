"""Fixtures of the documents' tests: a test CA, a signer's PKCS#12 file and a small Vietnamese
minutes rendered by WeasyPrint (signing); and a year with everything its documents show: five
members with bands (the `conf` world), a published pledge signed by every member, the year's
details typed in, a closed award ballot and a closed election whose vote order differs from the
ranking (a2, ranked 2nd, is elected with the most votes), and the rotating flag handed over."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import weasyprint
from django.utils import timezone

from clusters.models import FlagHandover, YearOffice
from scoring.conference.services.conference import ballot_close, ballot_open, ballot_vote
from scoring.models import Ballot, ConferenceDetails, Pledge, PledgeSignature
from tests.documents.pki import make_ca
from tests.scoring.factories import kind

PASSWORD = "Mật-khẩu-ký-số 2025"

MINUTES = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm 15mm 20mm 30mm }
body { font-family: 'Liberation Serif'; font-size: 13pt; text-align: justify }
.header { display: flex; justify-content: space-between; text-align: center; font-size: 12pt }
h1 { font-size: 14pt; text-align: center }
.signatures { display: flex; justify-content: space-between; margin-top: 10mm;
  text-align: center; break-inside: avoid }
.signatures div { width: 45% }
.gap { height: 22mm }
</style></head><body>
<div class="header"><div><b>CỤM THI ĐUA CÁC LIÊN MINH HTX</b></div>
<div><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b></div></div>
<p style="text-align:right"><i>Hà Nội, ngày 28 tháng 11 năm 2025</i></p>
<h1>BIÊN BẢN<br>Hội nghị tổng kết công tác thi đua năm 2025</h1>
<p>Thời gian: 8 giờ 00 ngày 28/11/2025. Địa điểm: Hội trường tầng 3, Liên minh HTX A1.</p>
<p>Hội nghị đã nghe báo cáo kết quả chấm điểm, xếp hạng; bỏ phiếu suy tôn đơn vị dẫn đầu
và bầu cụm trưởng, cụm phó năm 2026. Liên minh HTX A1 được 2/2 phiếu.</p>
<div class="signatures">
  <div><b>THƯ KÝ HỘI NGHỊ</b><div class="gap" id="chu-ky-thu-ky"></div><b>Trần Thị Bình</b></div>
  <div><b>CHỦ TRÌ HỘI NGHỊ</b><div class="gap" id="chu-ky-chu-tri"></div><b>Nguyễn Văn An</b></div>
</div>
</body></html>"""


@pytest.fixture(scope="session")
def ca():
    return make_ca()


@pytest.fixture(scope="session")
def chair(ca):
    return ca.leaf("Nguyễn Văn An")


@pytest.fixture(scope="session")
def chair_p12(ca, chair) -> bytes:
    return ca.pkcs12(chair, PASSWORD)


@pytest.fixture(scope="session")
def minutes_document():
    """The rendered minutes: its PDF and where its signature gaps are."""
    return weasyprint.HTML(string=MINUTES).render()


@pytest.fixture(scope="session")
def minutes(minutes_document) -> bytes:
    return minutes_document.write_pdf()


@pytest.fixture
def trusted(settings, ca, tmp_path):
    """The test CA's root configured as the one trust root."""
    settings.SIGNATURE_TRUST_ROOTS = [ca.root_file(tmp_path)]
    return settings.SIGNATURE_TRUST_ROOTS


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
