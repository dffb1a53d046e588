"""The work inbox on the home page in a real headless Chromium: a user who reports for a member
and keeps the cluster's secretariat sees both lists, each task linking to its page (the
screenshot in docs/screenshots/inbox-desktop.png)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from clusters.models import EmulationYear, RoleGrant
from scoring.models import Ballot, Objection, Pledge, PledgeSignature, Report, ReportComment
from tests.browser.conftest import screenshot
from tests.browser.test_report_journey import login
from tests.scoring.factories import install_scheme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_the_inbox_shows_each_task_and_links_to_its_page(browser, live_server, world):
    from django.contrib.auth import get_user_model

    year = world.year
    install_scheme(year)
    deadline = dt.date.today() + dt.timedelta(days=5)
    EmulationYear.objects.filter(pk=year.pk).update(status="reporting", reporting_deadline=deadline)
    user = get_user_model().objects.create_user(username="thuky", password="pw-thuky")
    RoleGrant.objects.create(user=user, role="secretariat", cluster=world.cluster)
    RoleGrant.objects.create(user=user, role="reporter", unit=world.unit_a1)
    returned = Report.objects.create(emulation_year=year, unit=world.unit_a1, status="returned")
    ReportComment.objects.create(report=returned, element_code="new_coops", text="Thiếu minh chứng")
    ReportComment.objects.create(report=returned, text="Bổ sung thuyết minh")
    Report.objects.create(emulation_year=year, unit=world.unit_a2, status="submitted")
    Objection.objects.create(
        emulation_year=year, unit=world.unit_a2, criterion_code="1.1", text="?"
    )
    pledge = Pledge.objects.create(emulation_year=year, title="Giao ước thi đua 2025")
    PledgeSignature.objects.create(
        pledge=pledge, unit=world.unit_a2, signed_by="Bà B", signed_on=deadline
    )
    Ballot.objects.create(emulation_year=year, purpose="head")

    login(browser, live_server, "thuky")
    browser.get(live_server.url + "/")
    inbox = browser.find_element(By.ID, "inbox")
    text = inbox.text
    assert "Việc cần làm" in text
    for line in (
        "Báo cáo bị trả lại: bổ sung và nộp lại",
        "2 nhận xét cần trả lời",
        "Bỏ phiếu đang mở: Bầu cụm trưởng",
        "Báo cáo chờ thẩm định",
        "Kiến nghị chờ trả lời",
        "Đơn vị chưa ký giao ước",
    ):
        assert line in text, line
    links = {a.text: a.get_attribute("href") for a in inbox.find_elements(By.TAG_NAME, "a")}
    base = live_server.url
    assert links["Báo cáo bị trả lại: bổ sung và nộp lại"] == (
        f"{base}/nam/{year.pk}/bao-cao/{world.unit_a1.pk}/"
    )
    assert links["Kiến nghị chờ trả lời"] == f"{base}/nam/{year.pk}/kien-nghi/"
    assert links["Đơn vị chưa ký giao ước"] == f"{base}/nam/{year.pk}/giao-uoc/"
    path = screenshot(browser, "inbox-desktop")
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS / "inbox-desktop.png")
    # The first task opens the report page it names.
    inbox.find_element(By.LINK_TEXT, "Báo cáo bị trả lại: bổ sung và nộp lại").click()
    assert browser.current_url == f"{base}/nam/{year.pk}/bao-cao/{world.unit_a1.pk}/"
    assert "Thiếu minh chứng" in browser.find_element(By.TAG_NAME, "main").text
