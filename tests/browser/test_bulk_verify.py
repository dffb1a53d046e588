"""Bulk verification in a real browser: from the year page to the confirmation, one report
unticked, the others verified, the message naming them."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from clusters.models import Membership, Unit
from scoring.models import Report
from tests.browser.conftest import wait_gone
from tests.browser.test_report_journey import login
from tests.scoring.factories import install_scheme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_secretariat_verifies_two_of_three_clean_reports_from_the_year_page(
    browser, live_server, world
):
    install_scheme(world.year)
    a3 = Unit.objects.create(code="a3", name="Liên minh HTX A3")
    Membership.objects.create(emulation_year=world.year, unit=a3)
    for unit in (world.unit_a1, world.unit_a2, a3):
        Report.objects.create(emulation_year=world.year, unit=unit, status="submitted")

    login(browser, live_server, "secretariat")
    browser.get(f"{live_server.url}/nam/{world.year.pk}/")
    link = browser.find_element(By.CSS_SELECTOR, "#bulk-actions a[href$='/tham-dinh/']")
    browser.execute_script("arguments[0].click()", link)
    wait_gone(browser, link)
    rows = browser.find_elements(By.CSS_SELECTOR, "#verifiable tbody tr")
    assert [r.find_element(By.TAG_NAME, "label").text for r in rows] == [
        "Liên minh HTX A1",
        "Liên minh HTX A2",
        "Liên minh HTX A3",
    ]
    box = rows[1].find_element(By.NAME, "report")
    browser.execute_script("arguments[0].click()", box)  # untick A2
    button = browser.find_element(By.CSS_SELECTOR, "#verify-form button[type=submit]")
    browser.execute_script("arguments[0].click()", button)
    wait_gone(browser, button)
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "Đã thẩm định 2 báo cáo: Liên minh HTX A1, Liên minh HTX A3." in text
    assert dict(Report.objects.values_list("unit__code", "status")) == {
        "a1": "verified",
        "a2": "submitted",
        "a3": "verified",
    }
