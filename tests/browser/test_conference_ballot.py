"""One ballot end to end in a real browser: the secretariat opens it, three members vote, one
tries to vote twice, the secretariat closes it and the tally, the proposal and the minutes show."""

from __future__ import annotations

import base64
import io

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions
from selenium.webdriver.support.ui import Select

from clusters.models import RoleGrant
from scoring.models import AwardProposal, Ballot, BallotVoter
from tests.browser.conftest import screenshot, wait_gone
from tests.browser.test_report_journey import login
from tests.scoring.factories import kind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(browser, form):
    button = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    browser.execute_script("arguments[0].click()", button)
    wait_gone(browser, button)


def vote(browser, live_server, conf, username, choice):
    login(browser, live_server, username)
    browser.get(f"{live_server.url}/nam/{conf.year.pk}/hoi-nghi/")
    form = browser.find_element(By.CSS_SELECTOR, "form.vote-form")
    box = form.find_element(
        By.CSS_SELECTOR, f"input[name=choices][value='{conf.units[choice].pk}']"
    )
    browser.execute_script("arguments[0].click()", box)
    submit(browser, form)
    return browser.find_element(By.TAG_NAME, "main").text


def test_three_members_vote_and_the_secretariat_closes_the_ballot(browser, live_server, conf):
    kind(conf, name="Cờ thi đua của Liên minh HTX Việt Nam", min_band="Tốt", leads_cluster=True)
    users = get_user_model().objects
    for code in ("a3", "a4"):
        user = users.create_user(username=f"reporter_{code}", password=f"pw-reporter_{code}")
        RoleGrant.objects.create(user=user, role="reporter", unit=conf.units[code])

    # The secretariat opens the ballot from the page.
    login(browser, live_server, "secretariat")
    browser.get(f"{live_server.url}/nam/{conf.year.pk}/hoi-nghi/")
    assert "Đủ điều kiện" in browser.page_source
    browser.execute_script(
        "document.querySelector('#open-ballot-form').closest('details').open = true"
    )
    form = browser.find_element(By.ID, "open-ballot-form")
    Select(form.find_element(By.NAME, "purpose")).select_by_value("award")
    Select(form.find_element(By.NAME, "award_kind")).select_by_index(1)
    submit(browser, form)
    ballot = Ballot.objects.get()
    assert ballot.status == "open"

    # Three members vote; a5 (band Khá) is not a candidate, and no one may choose itself.
    main = vote(browser, live_server, conf, "reporter_a1", "a2")
    assert "Liên minh HTX A1 đã bỏ phiếu" in main and "1/5 đơn vị đã bỏ phiếu" in main
    form = browser.find_elements(By.CSS_SELECTOR, "form.vote-form")
    assert form == []  # voted: no second ballot paper
    page = vote(browser, live_server, conf, "reporter_a3", "a2")
    assert "2/5 đơn vị đã bỏ phiếu" in page
    login(browser, live_server, "reporter_a4")
    browser.get(f"{live_server.url}/nam/{conf.year.pk}/hoi-nghi/")
    paper = browser.find_element(By.CSS_SELECTOR, "form.vote-form")
    offered = {
        int(box.get_attribute("value"))
        for box in paper.find_elements(By.CSS_SELECTOR, "input[name=choices]")
    }
    # Eligible (band Tốt or better), and not A4 itself.
    assert offered == {conf.units[c].pk for c in ("a1", "a2", "a3")}
    vote(browser, live_server, conf, "reporter_a4", "a1")
    screenshot(browser, "conference-ballot-open")
    assert BallotVoter.objects.filter(ballot=ballot).count() == 3
    # While open, nobody sees a count.
    assert "Số phiếu" not in browser.find_element(By.ID, f"ballot-{ballot.pk}").text

    # The secretariat closes it: 2 of 3 votes (> 50%) for A2, the only place (cap 1).
    login(browser, live_server, "secretariat")
    browser.get(f"{live_server.url}/nam/{conf.year.pk}/hoi-nghi/")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form.close-form"))
    assert "3/5 đơn vị đã bỏ phiếu" in browser.find_element(By.ID, "close-consequences").text
    submit(browser, browser.find_element(By.ID, "ballot-close-confirm"))
    card = browser.find_element(By.ID, f"ballot-{ballot.pk}").text
    assert "3/5 đơn vị bỏ phiếu (0 phiếu giấy)" in card
    assert "Liên minh HTX A2 2 67% 2 Đề nghị" in card
    assert "Liên minh HTX A1 1 33% 1" in card
    assert list(AwardProposal.objects.values_list("unit__code", "votes")) == [("a2", 2)]
    screenshot(browser, "conference-ballot-closed", height=1400)

    # The minutes close the conference pack, on pages of their own, printed to A4 PDF.
    browser.get(f"{live_server.url}/nam/{conf.year.pk}/ho-so-hoi-nghi/")
    minutes = browser.find_element(By.ID, "minutes").text
    assert "BIÊN BẢN" in minutes.upper() and "Liên minh HTX A2 — Cờ thi đua" in minutes
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # A4 in cm
    pdf = PdfReader(io.BytesIO(base64.b64decode(browser.print_page(options))))
    start = next(i for i, page in enumerate(pdf.pages) if "BIÊN BẢN" in page.extract_text().upper())
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages[start:])
    assert start >= 1 + 5  # after the ranking page and the five score sheets
    assert "Kết quả bình xét, suy tôn khen thưởng" in text
    assert "Liên minh HTX A2" in text and "67%" in text and "CHỦ TRÌ HỘI NGHỊ" in text
