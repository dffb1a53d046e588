"""A test CA, a signer's PKCS#12 file, and a small Vietnamese minutes rendered by WeasyPrint."""

from __future__ import annotations

import pytest
import weasyprint

from tests.documents.pki import make_ca

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
