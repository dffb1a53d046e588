"""One proposal of the demo cluster's conference carried to the award decision in a real headless
Chromium: the cluster's secretariat makes the dossier, the Vietnam Cooperative Alliance's council
votes, the secretariat files the documents generated from the year's data (the documents room's
minutes and letter, as Word and PDF) and uploads the report, sends it; the VCA's emulation board
downloads the generated minutes' PDF, returns the dossier with a reason (the letter is not
signed), the secretariat uploads the signed letter and sends it again, the board appraises it and
records the decision — which the unit then finds in its award history and in the eligibility the
app computes in the following year."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from clusters.models import EmulationYear, Unit
from scoring.dev.demo import CLUSTER_CODE, demo_load
from scoring.models import AwardDecision, AwardProposal, Dossier
from tests.browser.conftest import screenshot, wait_gone
from tests.browser.test_report_journey import login
from tests.dossiers.factories import docx_upload, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The walk happens on Monday 2 March 2026 (NĐ 152/2025 in force; the demo's 2025 year published,
# its conference held on 27/01/2026): the page judges 2025's achievements, the year before.
TODAY = dt.date(2026, 3, 2)


def submit(browser, form):
    button = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    browser.execute_script("arguments[0].click()", button)
    wait_gone(browser, button)


def main(browser) -> str:
    return browser.find_element(By.TAG_NAME, "main").text


def fill(form, name, value):
    field = form.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def download(browser, link) -> bytes:
    """What a link of the page downloads, fetched by the page itself (with the user's session)."""
    found = browser.execute_async_script(
        """const done = arguments[arguments.length - 1];
        fetch(arguments[0].href, {credentials: "same-origin"}).then(async r => {
          const bytes = new Uint8Array(await r.arrayBuffer());
          let text = "";
          for (const b of bytes) text += String.fromCharCode(b);
          done([r.status, r.headers.get("Content-Type"), btoa(text)]);
        });""",
        link,
    )
    status, content_type, data = found
    assert (status, content_type) == (200, "application/pdf"), found[:2]
    return base64.b64decode(data)


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def generate(browser, dossier_url, item):
    browser.get(dossier_url)
    form = browser.find_element(By.ID, "generated-form")
    Select(form.find_element(By.NAME, "item_code")).select_by_value(item)
    submit(browser, form)
    assert "Đã dùng tài liệu tạo từ dữ liệu của năm." in main(browser)


def upload(browser, dossier_url, item, path, number=""):
    browser.get(dossier_url)
    form = browser.find_element(By.ID, "document-form")
    Select(form.find_element(By.NAME, "item_code")).select_by_value(item)
    form.find_element(By.NAME, "file").send_keys(str(path))
    if number:
        fill(form, "number", number)
    submit(browser, form)
    assert "Đã đính kèm tài liệu." in main(browser)


def test_a_conference_proposal_goes_through_the_council_the_dossier_and_the_vca_decision(
    browser, live_server, monkeypatch, tmp_path
):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    demo_load()
    users = get_user_model().objects
    for name in ("thuky", "thiduakt", "baocao.cantho"):
        user = users.get(username=name)
        user.set_password("pw-" + name)
        user.save()
    year = EmulationYear.objects.get(cluster__code=CLUSTER_CODE, year=2025)
    proposal = AwardProposal.objects.get(emulation_year=year)
    can_tho = Unit.objects.get(code="can-tho")
    assert proposal.unit == can_tho
    signed_letter = tmp_path / "to-trinh-da-ky.pdf"
    signed_letter.write_bytes(pdf_bytes(2))
    report = tmp_path / "bao-cao-thanh-tich.docx"
    report.write_bytes(docx_upload().read())

    # The secretariat goes from the conference to the year's dossiers and makes one for the
    # conference's proposal, to the Vietnam Cooperative Alliance (above its supervising office).
    login(browser, live_server, "thuky")
    browser.get(f"{live_server.url}/nam/{year.pk}/hoi-nghi/")
    browser.find_element(By.ID, "year-dossiers-link").click()
    assert "Cờ thi đua của Liên minh HTX Việt Nam: Liên minh HTX thành phố Cần Thơ" in main(browser)
    form = browser.find_element(By.ID, "dossier-create-form")
    Select(form.find_element(By.NAME, "proposal")).select_by_value(str(proposal.pk))
    Select(form.find_element(By.NAME, "award_code")).select_by_value("co-thi-dua-lmhtxvn")
    Select(form.find_element(By.NAME, "body")).select_by_visible_text(
        "Liên minh Hợp tác xã Việt Nam"
    )
    submit(browser, form)
    dossier = Dossier.objects.get(proposal=proposal)
    dossier_url = f"{live_server.url}/ho-so/{dossier.pk}/"
    assert browser.current_url == dossier_url
    assert "Đang chuẩn bị" in browser.find_element(By.ID, "dossier-state").text

    # The VCA's council votes on the proposal by secret ballot: the board records the counts.
    login(browser, live_server, "thiduakt")
    browser.get(live_server.url + "/")
    browser.find_element(By.CSS_SELECTOR, ".awarding-body a").click()
    browser.find_element(By.PARTIAL_LINK_TEXT, "2025").click()
    form = browser.find_element(By.ID, "result-form")
    Select(form.find_element(By.NAME, "dossier")).select_by_value(str(dossier.pk))
    for name, value in {"present": "7", "yes": "6", "no": "1", "invalid": "0"}.items():
        fill(form, name, value)
    submit(browser, form)
    row = browser.find_element(By.ID, f"proposal-{dossier.pk}").text
    assert "Đạt" in row and "6/7 phiếu đồng ý (85,71 %), cần ≥ 80 % tổng số thành viên" in row

    # The secretariat files the documents: the cluster's letter and the minutes generated from
    # the year's data by the documents room (Word and PDF; the minutes carry the vote), the
    # report uploaded; then sends it.
    login(browser, live_server, "thuky")
    browser.get(dossier_url)
    assert "7/7 thành viên có mặt; 6 đồng ý, 1 không đồng ý" in main(browser)
    generate(browser, dossier_url, "to-trinh")
    generate(browser, dossier_url, "bien-ban")
    row = browser.find_element(By.ID, "item-bien-ban")
    assert "Tạo từ dữ liệu của năm: Word · PDF" in row.text and "/BB-CTĐTNSH" in row.text
    minutes = pdf_text(download(browser, row.find_element(By.LINK_TEXT, "PDF")))
    assert "BIÊN BẢN" in minutes and "Liên minh HTX thành phố Cần Thơ" in minutes
    letter = browser.find_element(By.ID, "item-to-trinh")
    assert "TỜ TRÌNH" in pdf_text(download(browser, letter.find_element(By.LINK_TEXT, "PDF")))
    upload(browser, dossier_url, "bao-cao-thanh-tich", report)
    submit(browser, browser.find_element(By.ID, "submit-form"))
    assert "Đã gửi hồ sơ." in main(browser)
    assert "Còn 20 ngày làm việc." in browser.find_element(By.ID, "clock").text

    # The board sees it in its queue, with the working days left, and returns it with a reason.
    login(browser, live_server, "thiduakt")
    browser.get(f"{live_server.url}/ho-so/?state=submitted")
    queue = browser.find_element(By.ID, "queue").text
    assert "Liên minh HTX thành phố Cần Thơ" in queue and "30/03/2026 20" in queue
    browser.get(dossier_url)
    # The board reads the generated minutes through the dossier (it has no access to the
    # cluster's documents page).
    row = browser.find_element(By.ID, "item-bien-ban")
    assert "Cờ thi đua" in pdf_text(download(browser, row.find_element(By.LINK_TEXT, "PDF")))
    form = browser.find_element(By.ID, "return-form")
    fill(form, "reason", "Tờ trình chưa có chữ ký và dấu của Cụm trưởng.")
    submit(browser, form)
    assert "Bị trả lại" in browser.find_element(By.ID, "dossier-state").text

    # The secretariat reads the reason, uploads the signed letter and sends it again.
    login(browser, live_server, "thuky")
    browser.get(dossier_url)
    assert "Tờ trình chưa có chữ ký và dấu của Cụm trưởng." in (
        browser.find_element(By.ID, "return-reason").text
    )
    upload(browser, dossier_url, "to-trinh", signed_letter, number="05/TTr-CTĐ")
    submit(browser, browser.find_element(By.ID, "submit-form"))
    assert "Đã gửi lại hồ sơ." in main(browser)

    # The board appraises it: the engine finds Cần Thơ not eligible (it leads the cluster by the
    # conference's vote, though ranked second, but was "Tốt"), so the appraisal needs the
    # officer's grounds — refused without, kept with them.
    login(browser, live_server, "thiduakt")
    browser.get(dossier_url)
    verdict = browser.find_element(By.ID, "verdict").text
    assert "Chưa đủ điều kiện" in verdict
    assert (
        "Dẫn đầu cụm Cụm thi đua Tây Nam sông Hậu năm 2025 — theo kết quả bình xét, suy tôn của "
        "hội nghị cụm"
    ) in verdict
    assert "Năm 2025 chưa Hoàn thành xuất sắc nhiệm vụ" in verdict
    submit(browser, browser.find_element(By.ID, "appraise-form"))
    assert "ghi ý kiến thẩm định nói rõ căn cứ" in browser.find_element(By.ID, "error-summary").text
    form = browser.find_element(By.ID, "appraise-form")
    fill(form, "note", "Cụm suy tôn Cần Thơ dẫn đầu theo biên bản hội nghị 27/01/2026.")
    submit(browser, form)
    assert "Đã thẩm định" in browser.find_element(By.ID, "dossier-state").text

    # … and records the decision at the VCA level.
    form = browser.find_element(By.ID, "decide-form")
    fill(form, "number", "17/QĐ-LMHTXVN")
    submit(browser, form)
    assert "Đã có quyết định" in browser.find_element(By.ID, "dossier-state").text
    assert "17/QĐ-LMHTXVN, 02/03/2026 — Liên minh Hợp tác xã Việt Nam" in (
        browser.find_element(By.ID, "decision").text
    )
    decision = AwardDecision.objects.get(number="17/QĐ-LMHTXVN")
    assert (decision.award_code, decision.achievement_year) == ("co-thi-dua-lmhtxvn", 2025)
    screenshot(browser, "award-dossier-decided", height=1600)

    # The unit's reporter sees every step, then finds the decision in its award history and in
    # the eligibility computed in 2026 (for 2025's achievements, the flag is not given twice).
    login(browser, live_server, "baocao.cantho")
    browser.get(dossier_url)
    steps = browser.find_element(By.ID, "steps").text
    for step in ("Lập hồ sơ", "Hội đồng bỏ phiếu", "Gửi hồ sơ", "Trả lại hồ sơ", "Gửi lại hồ sơ"):
        assert step in steps
    assert "Thẩm định" in steps and "Quyết định khen thưởng — " in steps
    assert "Tờ trình chưa có chữ ký và dấu của Cụm trưởng." in steps
    browser.get(f"{live_server.url}/don-vi/{can_tho.pk}/khen-thuong/")
    history = browser.find_element(By.ID, "decisions").text
    assert "2025 Cờ thi đua của Liên minh Hợp tác xã Việt Nam 17/QĐ-LMHTXVN, 02/03/2026" in history
    eligibility = browser.find_element(By.ID, "eligibility").text
    assert (
        "Đã được Cờ thi đua của Liên minh Hợp tác xã Việt Nam cho thành tích năm 2025 "
        "(QĐ 17/QĐ-LMHTXVN)"
    ) in eligibility
