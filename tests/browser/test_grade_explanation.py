"""Every grade explained, in a real headless Chromium on the demo: the score sheet says why
2021's leader on points (An Giang, 98.8) is only "Tốt", and the ranking's "Vì sao?" opens from
the keyboard. The picture of the sheet goes to docs/screenshots/grade-explanation.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from clusters.models import EmulationYear, Unit
from scoring.dev.demo import CLUSTER_CODE, demo_load
from tests.browser.test_report_journey import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PICTURE = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "grade-explanation.png"
WHY_NOT_EXCELLENT = (
    "Xuất sắc cần tổng ≥ 90 và mỗi tiêu chí ≥ 50 % số điểm: 3.3 (Thực hiện nghị quyết của Ban "
    "Chấp hành Liên minh HTX Việt Nam) đạt 0 %"
)
WHY_GOOD = "Đạt “Tốt”: tổng 98,8 ≥ 80"


def test_the_sheet_and_the_ranking_explain_why_the_leader_on_points_is_good(browser, live_server):
    demo_load()
    user = get_user_model().objects.get(username="baocao.angiang")
    user.set_password("pw-baocao.angiang")
    user.save()
    year = EmulationYear.objects.get(cluster__code=CLUSTER_CODE, year=2021)  # published
    an_giang = Unit.objects.get(code="an-giang")
    login(browser, live_server, "baocao.angiang")

    browser.get(f"{live_server.url}/nam/{year.pk}/don-vi/{an_giang.pk}/")
    lead = browser.find_element(By.CSS_SELECTOR, "p.lead").text
    assert "98,80" in lead and "Xếp loại: Tốt" in lead
    section = browser.find_element(By.ID, "band-explanation")
    assert section.is_displayed()
    reasons = [li.text for li in section.find_elements(By.TAG_NAME, "li")]
    assert reasons == [WHY_NOT_EXCELLENT, WHY_GOOD]
    PICTURE.parent.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(1280, 900)
    browser.save_screenshot(str(PICTURE))
    assert PICTURE.stat().st_size > 10_000

    # The ranking: the explanation is folded under "Vì sao?" and opens without a mouse.
    browser.get(f"{live_server.url}/nam/{year.pk}/")
    row = browser.find_element(
        By.XPATH, "//table[contains(@class,'table-ranking')]//tr[.//a[contains(., 'An Giang')]]"
    )
    details = row.find_element(By.CSS_SELECTOR, "details.band-why")
    summary = details.find_element(By.TAG_NAME, "summary")
    assert details.get_attribute("open") is None
    assert not details.find_element(By.TAG_NAME, "li").is_displayed()
    browser.execute_script("arguments[0].focus()", summary)
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert details.get_attribute("open") is not None
    assert [li.text for li in details.find_elements(By.TAG_NAME, "li")] == [
        WHY_NOT_EXCELLENT,
        WHY_GOOD,
    ]
