"""Screenshots of the main pages of the demo, desktop and phone width, into docs/screenshots/.

    make run            # in one terminal (serves the demo on 127.0.0.1:8000)
    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]

Uses Debian's headless Chromium and the demo logins in var/demo-logins.txt.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def logins() -> dict[str, str]:
    rows = (ROOT / "var" / "demo-logins.txt").read_text(encoding="utf-8").splitlines()
    return {r.split("\t")[0]: r.split("\t")[1] for r in rows if r and not r.startswith("#")}


def main(base: str) -> None:
    profile = tempfile.mkdtemp(prefix="chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--hide-scrollbars",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(
        service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options
    )
    passwords = logins()
    OUT.mkdir(parents=True, exist_ok=True)

    def login(user: str) -> None:
        driver.delete_all_cookies()
        driver.get(base + "/dang-nhap/")
        driver.find_element(By.NAME, "username").send_keys(user)
        driver.find_element(By.NAME, "password").send_keys(passwords[user])
        button = driver.find_element(By.CSS_SELECTOR, "main button[type=submit]")
        button.click()
        WebDriverWait(driver, 15).until(EC.staleness_of(button))

    def shoot(name: str, path: str) -> None:
        for size, (width, height) in SIZES.items():
            driver.set_window_size(width, height)
            driver.get(base + path)
            full = driver.execute_script("return document.body.scrollHeight")
            driver.set_window_size(width, min(max(height, full + 100), 2400))
            time.sleep(1.5)  # let charts finish their entry animation
            driver.save_screenshot(str(OUT / f"{name}-{size}.png"))

    try:
        login("lanhdao")
        driver.get(base + "/")
        year_links = {
            a.text.split(" ")[0]: a.get_attribute("href")
            for a in driver.find_elements(By.CSS_SELECTOR, "a.btn")
        }
        year_2021 = year_links["2021"].replace(base, "")
        year_2025 = year_links["2025"].replace(base, "")
        year_2026 = year_links["2026"].replace(base, "")
        shoot("home", "/")
        shoot(
            "cluster",
            driver.find_element(By.CSS_SELECTOR, "h2 a").get_attribute("href").replace(base, ""),
        )
        shoot("year-ranking", year_2021)
        driver.get(base + year_2021)
        sheet = (
            driver.find_element(By.CSS_SELECTOR, "table.table-ranking tbody a")
            .get_attribute("href")
            .replace(base, "")
        )
        shoot("unit-sheet", sheet)
        shoot("conference", year_2025 + "hoi-nghi/")
        login("baocao.cantho")
        driver.get(base + year_2026)
        report = (
            list(driver.find_elements(By.CSS_SELECTOR, "#member-reports a"))[0]
            .get_attribute("href")
            .replace(base, "")
        )
        shoot("report-form", report)
        login("thuky")
        shoot("year-secretariat", year_2026)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
