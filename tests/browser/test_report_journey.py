"""The year's work in a real browser: a reporter fills, saves and submits; the secretariat
returns one figure; the reporter corrects and resubmits; the secretariat verifies; the ranking
updates."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By

from clusters.models import EmulationYear
from scoring.models import Report, Standing
from tests.browser.conftest import screenshot, wait_gone
from tests.scoring.factories import install_scheme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(browser, live_server, username):
    browser.delete_all_cookies()
    browser.get(live_server.url + "/dang-nhap/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys("pw-" + username)
    button = browser.find_element(By.CSS_SELECTOR, "main button[type=submit]")
    button.click()
    wait_gone(browser, button)
    assert "/dang-nhap/" not in browser.current_url, browser.find_element(By.TAG_NAME, "main").text


def fill(browser, field, value):
    element = browser.find_element(By.NAME, field)
    element.clear()
    element.send_keys(value)


def click(browser, value):
    button = browser.find_element(By.CSS_SELECTOR, f"button[name=action][value={value}]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    try:
        button.click()
    except ElementClickInterceptedException:
        # Headless Chromium sometimes reports a click on a button just scrolled to as covered.
        browser.execute_script("arguments[0].click()", button)
    # The form posts and a new page loads: wait until the old button is gone.
    wait_gone(browser, button)


def test_report_submit_return_correct_verify_and_the_ranking_updates(browser, live_server, world):
    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2099, 12, 15)
    )
    report_url = f"{live_server.url}/nam/{world.year.pk}/bao-cao/{world.unit_a1.pk}/"

    # The reporter fills two figures, saves a draft, previews, then submits.
    login(browser, live_server, "reporter_a1")
    browser.get(report_url)
    fill(browser, "e_new_coops", "25")
    fill(browser, "e_coop_members", "1.200")
    click(browser, "save")
    assert "Đã lưu bản nháp" in browser.page_source, browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_element(By.NAME, "e_coop_members").get_attribute("value") == "1.200"
    click(browser, "preview")
    assert "60/60 điểm" in browser.find_element(By.ID, "preview").text
    screenshot(browser, "report-reporter-desktop")
    screenshot(browser, "report-reporter-phone", width=390, height=844)
    browser.set_window_size(1280, 900)
    click(browser, "submit")
    assert "Xác nhận nộp báo cáo" in browser.find_element(By.ID, "confirm-submit").text
    assert browser.find_element(By.ID, "report-status").text != "Đã nộp"
    click(browser, "submit_confirmed")
    assert browser.find_element(By.ID, "report-status").text == "Đã nộp"

    # The secretariat returns one figure with a comment.
    login(browser, live_server, "secretariat")
    browser.get(report_url)
    browser.find_element(By.NAME, "c_new_coops").send_keys("25 HTX: gửi kèm quyết định thành lập")
    click(browser, "return")
    assert browser.find_element(By.ID, "report-status").text == "Trả lại để bổ sung"

    # The reporter reads the comment, corrects the figure and submits again.
    login(browser, live_server, "reporter_a1")
    browser.get(report_url)
    assert "gửi kèm quyết định thành lập" in browser.find_element(By.ID, "report-comments").text
    fill(browser, "e_new_coops", "18")
    click(browser, "submit")
    assert "Xác nhận nộp báo cáo" in browser.find_element(By.ID, "confirm-submit").text
    assert browser.find_element(By.ID, "report-status").text != "Đã nộp"
    click(browser, "submit_confirmed")
    assert browser.find_element(By.ID, "report-status").text == "Đã nộp"

    # The secretariat verifies; the ranking shows the corrected points.
    login(browser, live_server, "secretariat")
    browser.get(report_url)
    click(browser, "verify")
    assert browser.find_element(By.ID, "report-status").text == "Đã thẩm định"
    browser.get(f"{live_server.url}/nam/{world.year.pk}/")
    ranking = browser.find_element(By.CSS_SELECTOR, "table.table-ranking").text
    assert "Liên minh HTX A1" in ranking and "54,00" in ranking
    # The vendored chart library drew the totals (no CDN: the page works offline).
    assert browser.find_element(By.CSS_SELECTOR, "#totals-chart svg").is_displayed()
    screenshot(browser, "year-ranking-desktop")
    screenshot(browser, "year-ranking-phone", width=390, height=844)

    report = Report.objects.get(unit=world.unit_a1)
    assert report.status == "verified"
    assert report.values.get(element_code="new_coops").value == 18
    standing = Standing.objects.get(
        run__emulation_year=world.year, run__is_current=True, unit=world.unit_a1
    )
    assert standing.total == pytest.approx(54.0)
