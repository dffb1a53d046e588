"""The conference pack prints to clean A4 PDF in headless Chromium; its first page carries the
ranking table."""

from __future__ import annotations

import base64
import io

import pytest
from pypdf import PdfReader
from selenium.webdriver.common.print_page_options import PrintOptions

from scoring.ranking.services.recompute import year_recompute
from tests.browser.test_report_journey import login
from tests.scoring.factories import install_scheme, put_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_pack_prints_to_a4_with_the_ranking_on_the_first_page(browser, live_server, world):
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    login(browser, live_server, "leadership")
    browser.get(f"{live_server.url}/nam/{world.year.pk}/ho-so-hoi-nghi/")
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # A4 in cm
    pdf = PdfReader(io.BytesIO(base64.b64decode(browser.print_page(options))))
    first = pdf.pages[0]
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points
    text = " ".join(first.extract_text().split())  # cells wrap: compare words, not lines
    assert "Bảng xếp hạng" in text and "Liên minh HTX A1" in text and "60,00" in text
    assert len(pdf.pages) >= 3  # the ranking, then one score sheet per member on its own page
