"""A real headless Chromium (Debian's package) driven by Selenium through Debian's chromedriver.
No browser is downloaded at run time."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER):
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.exit(
            "browser tests need Debian's chromium and chromium-driver (scripts/install-system.sh --browser)",
            returncode=3,
        )
    skip = pytest.mark.skip(
        reason="no chromium/chromedriver: run scripts/install-system.sh --browser"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--window-size=1280,900",
)


def start_chromium(*extra_flags: str):
    """Debian's headless Chromium through Debian's chromedriver, with the flags the project
    requires (no background networking, no component updates, no sync)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, *extra_flags):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


@pytest.fixture
def browser():

    profile = tempfile.mkdtemp(prefix="chromium-")
    driver = start_chromium(f"--user-data-dir={profile}", "--lang=vi")
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver, name: str, *, width: int = 1280, height: int = 900) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(width, height)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def wait_gone(driver, element, timeout: float = 15) -> None:
    """Wait until `element` has left the page (the form posted and a new page loaded). Chromium
    reports a node of an unloaded document either as stale or as 'does not belong to the
    document': both mean gone."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def gone(_driver) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:
            return True
        return False

    WebDriverWait(driver, timeout).until(gone)
