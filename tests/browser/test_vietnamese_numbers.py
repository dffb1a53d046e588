"""Numbers typed the Vietnamese way in a real Chromium, started once with a Vietnamese and once
with an English locale (a browser's own number inputs read "3155,5" by its locale and rewrote
it before the server saw it): the report form, the manual points form and the targets grid all
store exactly what was meant and show it back the Vietnamese way. Also, in the browser: a
publication with a member missing asks first and needs a reason; attaching evidence keeps the
figures typed; a failed save lists what to correct."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from clusters.models import AuditEntry, EmulationYear
from scoring import engine
from scoring.models import EvidenceFile, ManualPoints, MemberTarget, Report, ReportValue
from scoring.ranking.services.recompute import year_recompute
from tests.browser.conftest import screenshot, start_chromium, wait_gone
from tests.browser.test_report_journey import click, fill, login
from tests.scoring.factories import install_scheme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = ["0,5", "1.234,5", "3155,5", "1.000.000"]
STORED = [Decimal("0.5"), Decimal("1234.5"), Decimal("3155.5"), Decimal("1000000")]
SHOWN = ["0,5", "1.234,5", "3.155,5", "1.000.000"]


def _element(code, name, kind="decimal"):
    return engine.DataElement(code=code, name=name, definition=name, type=kind, min=0)


def _criterion(code, measure, points, rule="proportional", target=10.0):
    return engine.Criterion(
        code=code,
        group="Nội dung 1",
        name=f"Tiêu chí {code}",
        definition="",
        measure=measure,
        target=target,
        points=points,
        rule=rule,
    )


# Four figures of different kinds; criteria large enough for the typed points (a manual one).
NUMBERS_SCHEME = engine.Scheme(
    name="Thang điểm số liệu",
    scale=2_000_100,
    data_elements=(
        _element("ratio", "Tỷ lệ HTX có lãi"),
        _element("revenue", "Doanh thu bình quân"),
        _element("members", "Thành viên bình quân"),
        _element("capital", "Vốn điều lệ", kind="integer"),
    ),
    criteria=(
        _criterion("1.1", "ratio", 25),
        _criterion("1.2", "revenue", 25),
        _criterion("1.3", "members", 25),
        _criterion("1.4", "capital", 25),
        _criterion("2.1", "", 2_000_000, rule="manual", target=None),
    ),
)


@pytest.fixture(params=["vi-VN", "en-US"])
def localized_browser(request):
    profile = tempfile.mkdtemp(prefix="chromium-")
    driver = start_chromium(f"--user-data-dir={profile}", f"--lang={request.param}")
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def numbers_year(world):
    install_scheme(world.year, NUMBERS_SCHEME)
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2099, 12, 15)
    )
    world.year.refresh_from_db()
    return world


def press(browser, button):
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    browser.execute_script("arguments[0].click()", button)
    wait_gone(browser, button)


def value_of(browser, name):
    return browser.find_element(By.NAME, name).get_attribute("value")


def test_typed_numbers_are_stored_as_meant_and_shown_back(
    localized_browser, live_server, numbers_year
):
    browser, w = localized_browser, numbers_year
    codes = ["ratio", "revenue", "members", "capital"]

    # The report form.
    login(browser, live_server, "reporter_a1")
    browser.get(f"{live_server.url}/nam/{w.year.pk}/bao-cao/{w.unit_a1.pk}/")
    for code, typed in zip(codes, TYPED, strict=True):
        assert browser.find_element(By.NAME, f"e_{code}").get_attribute("type") == "text"
        fill(browser, f"e_{code}", typed)
    click(browser, "save")
    stored = dict(ReportValue.objects.values_list("element_code", "value"))
    assert [stored[c] for c in codes] == STORED
    assert [value_of(browser, f"e_{c}") for c in codes] == SHOWN

    # The manual points form, one value after another.
    login(browser, live_server, "secretariat")
    for typed, number, shown in zip(TYPED, STORED, SHOWN, strict=True):
        browser.get(f"{live_server.url}/nam/{w.year.pk}/diem-cham-tay/")
        form = browser.find_element(By.ID, "manual-form")
        Select(form.find_element(By.NAME, "unit")).select_by_value(str(w.unit_a1.pk))
        Select(form.find_element(By.NAME, "criterion")).select_by_value("2.1")
        form.find_element(By.NAME, "points").send_keys(typed)
        form.find_element(By.NAME, "reason").send_keys("Chấm theo biên bản")
        press(browser, form.find_element(By.CSS_SELECTOR, "button[value=set]"))
        assert ManualPoints.objects.get().points == number
        assert shown in browser.find_element(By.ID, "manual-points").text

    # The targets grid: one cell per typed value.
    browser.get(f"{live_server.url}/nam/{w.year.pk}/chi-tieu/")
    cells = [f"t_{w.unit_a1.pk}_{c}" for c in ("1.1", "1.2", "1.3", "1.4")]
    for cell, typed in zip(cells, TYPED, strict=True):
        fill(browser, cell, typed)
    press(browser, browser.find_element(By.CSS_SELECTOR, "#targets-form button[type=submit]"))
    targets = dict(MemberTarget.objects.values_list("criterion_code", "target"))
    assert [targets[c] for c in ("1.1", "1.2", "1.3", "1.4")] == STORED
    assert [value_of(browser, cell) for cell in cells] == SHOWN


def test_a_failed_save_lists_what_to_correct_and_keeps_everything(
    browser, live_server, numbers_year
):
    w = numbers_year
    login(browser, live_server, "reporter_a1")
    browser.get(f"{live_server.url}/nam/{w.year.pk}/bao-cao/{w.unit_a1.pk}/")
    fill(browser, "e_ratio", "62,5")
    fill(browser, "e_capital", "1,5")  # not a whole number
    click(browser, "save")
    summary = browser.find_element(By.ID, "error-summary")
    assert "Vốn điều lệ" in summary.text and "Nhập một số nguyên, ví dụ 1.250." in summary.text
    assert summary.find_element(By.TAG_NAME, "a").get_attribute("href").endswith("#id_e_capital")
    assert value_of(browser, "e_ratio") == "62,5" and value_of(browser, "e_capital") == "1,5"
    assert not Report.objects.exists()
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, "report-form-error-summary")


def test_attaching_evidence_after_typing_keeps_the_figures(
    browser, live_server, numbers_year, tmp_path
):
    w = numbers_year
    scan = tmp_path / "quyet-dinh.pdf"
    scan.write_bytes(b"%PDF-1.7\nquyet dinh")
    login(browser, live_server, "reporter_a1")
    browser.get(f"{live_server.url}/nam/{w.year.pk}/bao-cao/{w.unit_a1.pk}/")
    fill(browser, "e_revenue", "3155,5")
    fill(browser, "e_capital", "1.000.000")
    browser.find_element(By.ID, "id_evidence").send_keys(str(scan))
    click(browser, "evidence")
    assert value_of(browser, "e_revenue") == "3.155,5"
    assert value_of(browser, "e_capital") == "1.000.000"
    assert "quyet-dinh.pdf" in browser.find_element(By.ID, "evidence").text
    assert EvidenceFile.objects.count() == 1
    assert Report.objects.get().status == "draft"


def test_publishing_with_a_member_missing_asks_first_and_needs_a_reason(
    browser, live_server, world
):
    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(status="verification")
    Report.objects.create(emulation_year=world.year, unit=world.unit_a2, status="verified")
    year_recompute(emulation_year_id=world.year.pk)
    login(browser, live_server, "secretariat")
    browser.get(f"{live_server.url}/nam/{world.year.pk}/")
    form = browser.find_element(By.ID, "status-form")
    Select(form.find_element(By.NAME, "status")).select_by_value("published")
    press(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    said = browser.find_element(By.ID, "status-consequences").text
    assert "Liên minh HTX A1 chưa nộp báo cáo" in said
    assert EmulationYear.objects.get(pk=world.year.pk).status == "verification"
    screenshot(browser, "publish-confirmation")

    # Confirming without a reason: the browser asks for it (required), and so does the server.
    browser.execute_script("document.getElementById('id_reason').removeAttribute('required')")
    press(browser, browser.find_element(By.ID, "status-confirm"))
    assert "cần ghi rõ lý do" in browser.find_element(By.ID, "status-error").text
    assert EmulationYear.objects.get(pk=world.year.pk).status == "verification"

    browser.find_element(By.ID, "id_reason").send_keys("A1 xin rút, hội nghị đã thống nhất")
    press(browser, browser.find_element(By.ID, "status-confirm"))
    assert EmulationYear.objects.get(pk=world.year.pk).status == "published"
    entry = AuditEntry.objects.get(action="year.status", after__status="published")
    assert entry.reason == "A1 xin rút, hội nghị đã thống nhất"
    assert entry.after["not_ready"]["not_submitted"] == ["Liên minh HTX A1"]
