"""The leadership dashboards in a real headless Chromium, checked number by number against the
engine: the cluster-year ranking (table, bar chart, heat map), a member's score sheet with its
trend over the years, the overview of the supervising unit and the years compared.

The data is the demo cluster (7 alliances 2019–2024, 3 after the 1 July 2025 mergers, 2026 still
reporting). The expected values are the engine's own result, computed here from the inputs
(`selectors.years_inputs` → `engine.score`), not read back from the pages or the views. The
`world` clusters also have results for 2025: they are outside this leadership user's scope and
must not show."""

from __future__ import annotations

import json
import math
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from clusters.models import Cluster, EmulationYear, Membership, Unit
from scoring.dev.demo import CLUSTER_CODE, demo_load
from scoring.engine.numbers import fmt_number
from scoring.models import Report
from scoring.ranking.selectors import years_inputs
from scoring.ranking.services.recompute import year_recompute
from tests.browser.conftest import screenshot
from tests.browser.test_report_journey import login
from tests.scoring.factories import install_scheme, put_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RANKED_YEAR = 2024  # 7 members, bonus and deduction points, a previous year to compare with
SHEET_UNIT = "can-tho"  # absorbed soc-trang and hau-giang on 1 July 2025: a trend with lineage
NUMBER = re.compile(r"-?\d[\d.]*(?:,\d+)?")


def number(text: str) -> float:
    """The first number in a cell written the Vietnamese way (1.234,56; '−' for minus)."""
    found = NUMBER.search(text.replace("\u2212", "-").replace("\u00a0", " "))
    assert found, f"no number in {text!r}"
    return float(found.group().replace(".", "").replace(",", "."))


def two(value: float) -> str:
    """What floatformat:2 writes in Vietnamese (half up, decimal comma, no grouping)."""
    rounded = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return str(rounded).replace(".", ",")


READ_ROWS = """
return Array.from(document.querySelectorAll(arguments[0])).map((tr) => ({
  id: tr.id,
  cells: Array.from(tr.querySelectorAll("th, td")).map((c) => ({
    text: c.innerText.replace(/\\s+/g, " ").trim(),
    classes: Array.from(c.classList),
    href: c.querySelector("a") ? c.querySelector("a").href : null,
  })),
}));
"""


def table(browser, selector: str) -> list[dict]:
    """The rows matched, each with its id and its cells' visible text, classes and link: read in
    one round trip (cell by cell over WebDriver takes seconds)."""
    return browser.execute_script(READ_ROWS, selector)


def cells(row: dict) -> list[str]:
    return [c["text"] for c in row["cells"]]


def level(line) -> str:
    """The heat map legend: green met, yellow from 80 %, orange from 50 %, red below, grey
    without a figure; without a ratio (a target of 0), green when met, red when not."""
    if line.actual is None:
        return "none"
    if line.met:
        return "met"
    if line.ratio is None:
        return "low"
    return "high" if line.ratio >= 0.8 else "mid" if line.ratio >= 0.5 else "low"


def ordered(result):
    return sorted(result.standings, key=lambda s: (s.rank, s.unit))


def test_leadership_dashboards_show_the_engines_numbers(browser, live_server, world):
    # Another supervising unit's cluster with results in the same calendar year: not in scope.
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    demo_load()
    user = get_user_model().objects.get(username="lanhdao")
    user.set_password("pw-lanhdao")
    user.save()

    cluster = Cluster.objects.get(code=CLUSTER_CODE)
    years = {y.year: y for y in EmulationYear.objects.filter(cluster=cluster)}
    assert sorted(years) == list(range(2019, 2027))
    inputs = years_inputs(emulation_years=list(years.values()))
    results = {y: inputs[ey.pk].run() for y, ey in years.items() if ey.pk in inputs}
    assert sorted(results) == list(range(2020, 2027))  # 2019 only carries baseline figures
    units = {u.code: u for u in Unit.objects.all()}
    ranked = results[RANKED_YEAR]
    before = {s.unit: s for s in results[RANKED_YEAR - 1].standings}
    criteria = [c.code for c in inputs[years[RANKED_YEAR].pk].scheme.criteria]
    names = {c.code: f"{c.code} {c.name}" for c in inputs[years[RANKED_YEAR].pk].scheme.criteria}
    # The data exercises what the pages show: 7 members, bonus and deduction, and a shared rank.
    assert len(ranked.standings) == 7
    assert any(s.bonus for s in ranked.standings) and any(s.deduction for s in ranked.standings)
    assert len({s.rank for s in results[2026].standings}) < len(results[2026].standings)

    login(browser, live_server, "lanhdao")

    # 1. The ranking of the year: table, bar chart and heat map.
    ey = years[RANKED_YEAR]
    browser.get(f"{live_server.url}/nam/{ey.pk}/")
    rows = table(browser, "table.table-ranking tbody tr")
    assert len(rows) == len(ranked.standings)
    for row, s in zip(rows, ordered(ranked), strict=True):
        rank, name, total, regular, bonus, deduction, met, band, eligible, change = cells(row)
        assert name == units[s.unit].name
        assert int(rank) == s.rank, name
        assert number(total) == pytest.approx(s.total, abs=0.005), name
        assert total == two(s.total), name
        assert number(regular) == pytest.approx(s.regular, abs=0.005), name
        assert number(bonus) == pytest.approx(s.bonus, abs=0.005), name
        assert (deduction == "0") if not s.deduction else deduction == "−" + two(s.deduction)
        assert int(met) == s.met_count, name
        # The band, then why, folded under "Vì sao?" (tests/browser/test_grade_explanation.py).
        assert band.split(" Vì sao?")[0] == (s.band or "—") and "Vì sao?" in band, name
        assert eligible == ("✓ Có" if s.eligible else "✗ Không"), name
        # Change since last year: rank moved (positive: up) and total difference.
        old = before[s.unit]
        moved = old.rank - s.rank
        arrow = f"▲{moved}" if moved > 0 else f"▼{-moved}" if moved < 0 else "="
        assert change.split(" · ")[0] == arrow, (name, change)
        assert number(change.split(" · ")[1]) == pytest.approx(s.total - old.total, abs=0.005)
    # The bar chart: drawn by the page's script, one bar per member, over the engine's totals in
    # rank order, on an axis that ends at the first round value above the highest total.
    WebDriverWait(browser, 10).until(
        lambda d: (
            len(d.find_elements(By.CSS_SELECTOR, "#totals-chart svg rect.bar"))
            == len(ranked.standings)
        )
    )
    assert browser.find_element(By.CSS_SELECTOR, "#totals-chart svg").is_displayed()
    data = json.loads(browser.find_element(By.ID, "totals-data").get_attribute("textContent"))
    assert data["labels"] == [units[s.unit].label for s in ordered(ranked)]
    assert data["values"] == pytest.approx([s.total for s in ordered(ranked)], abs=0.005)
    ticks = [
        number(t.get_attribute("textContent"))
        for t in browser.find_elements(By.CSS_SELECTOR, "#totals-chart text.tick")
    ]
    # The axis fits the data: its last step is the first one at or above the highest total.
    step = ticks[1] - ticks[0]
    assert ticks[-1] >= max(data["values"]) > ticks[-1] - step
    # The heat map: one row per member in rank order, one cell per criterion, each cell the
    # attainment in per cent, coloured by the legend and linked to the line on the sheet.
    (head,) = table(browser, "#heatmap thead tr")
    assert cells(head)[1:] == criteria
    heat_rows = table(browser, "#heatmap tbody tr")
    assert len(heat_rows) == len(ranked.standings)
    for row, s in zip(heat_rows, ordered(ranked), strict=True):
        unit = units[s.unit]
        th, *tds = row["cells"]
        assert th["text"] == unit.label
        assert len(tds) == len(criteria)
        for td, code in zip(tds, criteria, strict=True):
            line = ranked.lines[(s.unit, code)]
            assert td["href"] == f"{live_server.url}/nam/{ey.pk}/don-vi/{unit.pk}/#c-{code}"
            if line.actual is None:
                shown = "—"
            elif line.ratio is None:
                shown = "✓" if line.met else "✗"
            else:  # rounded down: 100% only when reached
                shown = f"{math.floor(line.ratio * 100 + 1e-9)}%"
            assert td["text"] == shown, (unit.code, code)
            assert f"heat-{level(line)}" in td["classes"], (unit.code, code)
    # The picture shows the end of the table, the chart and the heat map.
    holder = browser.find_element(By.ID, "totals-chart")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", holder)
    screenshot(browser, "dashboard-ranking")

    # 2. A member's score sheet, reached from its heat map cell of the deduction criterion.
    sheet_unit = units[SHEET_UNIT]
    deduction = next(c.code for c in inputs[ey.pk].scheme.criteria if c.kind == "deduction")
    link = browser.find_element(
        By.CSS_SELECTOR, f"#heatmap a[href$='/don-vi/{sheet_unit.pk}/#c-{deduction}']"
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    browser.execute_script("arguments[0].click()", link)
    WebDriverWait(browser, 10).until(lambda d: "/don-vi/" in d.current_url)
    assert browser.current_url.endswith(f"/nam/{ey.pk}/don-vi/{sheet_unit.pk}/#c-{deduction}")
    # The anchor is the criterion's line, and the browser went to it.
    assert browser.find_element(By.CSS_SELECTOR, ":target").get_attribute("id") == f"c-{deduction}"
    s = ranked.standing(SHEET_UNIT)
    assert s.deduction > 0  # the line followed takes points away
    lead = browser.find_element(By.CSS_SELECTOR, "p.lead").text
    assert f"Hạng {s.rank} · Tổng điểm {two(s.total)} · Xếp loại: {s.band or '—'}" == lead
    lines = table(browser, "tr[id^='c-']")
    assert [r["id"] for r in lines] == [f"c-{code}" for code in criteria]
    for tr in lines:
        code = tr["id"][2:]
        line = ranked.lines[(SHEET_UNIT, code)]
        _criterion, actual, target, points, explanation = cells(tr)
        assert number(points) == pytest.approx(line.points, abs=0.005), code
        if line.actual is None:
            assert actual == "—", code
        else:
            assert number(actual) == pytest.approx(line.actual, abs=0.005), code
        if line.target is None:
            assert target == "—", code
        else:
            assert number(target) == pytest.approx(line.target, abs=0.005), code
        assert explanation == " ".join(line.explanation.split()), code
    # The trend: its own rank and total every year, and those of the units it absorbed before
    # their merger (marked), in year then code order.
    expected_trend = sorted(
        (year, code)
        for year, result in results.items()
        for code in (SHEET_UNIT, "hau-giang", "soc-trang")
        if any(st.unit == code for st in result.standings)
    )
    assert len(expected_trend) == 7 + 2 * 5  # can-tho 2020–2026, the others 2020–2024
    trend = table(browser, "#trend tbody tr")
    assert len(trend) == len(expected_trend)
    for tr, (year, code) in zip(trend, expected_trend, strict=True):
        st = results[year].standing(code)
        shown_year, label, rank, total = cells(tr)
        assert int(shown_year) == year
        assert label.startswith(units[code].label)
        assert ("trước sáp nhập" in label) == (code != SHEET_UNIT), (year, code)
        assert int(rank) == st.rank, (year, code)
        assert number(total) == pytest.approx(st.total, abs=0.005), (year, code)
    # The picture: the sheet from its top (without the anchor the browser would scroll to).
    browser.get(browser.current_url.split("#")[0])
    screenshot(browser, "dashboard-unit-sheet")

    # 3. The overview of the supervising unit: this calendar year by default, then the ranked one.
    def overview_card(year: int):
        ey = years[year]
        card = browser.find_element(By.ID, f"overview-{ey.pk}")
        result = results[year]
        members = Membership.objects.filter(emulation_year=ey).count()
        reports = list(Report.objects.filter(emulation_year=ey).values_list("status", flat=True))
        submitted = sum(r in ("submitted", "verified") for r in reports)
        verified = sum(r == "verified" for r in reports)
        leaders = [st for st in result.standings if st.rank == 1]
        assert len(leaders) == 1
        leader = leaders[0]
        text = card.text
        assert f"Dẫn đầu: {units[leader.unit].name} ({fmt_number(leader.total)})" in text, text
        assert f"Thành viên: {members} ·" in text, text
        assert f"Đã nộp báo cáo: {submitted}/{members}" in text, text
        assert f"Đã thẩm định: {verified}/{members}" in text, text
        badges = [b.text for b in card.find_elements(By.CSS_SELECTOR, ".badge")][1:]
        met = {
            code: sum(result.lines[(st.unit, code)].met for st in result.standings)
            for code in criteria
        }
        n = len(result.standings)
        # Each criterion by its code and name.
        assert badges == [f"{names[code]}: {met[code]}/{n}" for code in sorted(criteria)], badges
        never = [names[code] for code in sorted(criteria) if met[code] == 0]
        assert ("Không đơn vị nào đạt" in text) == bool(never)
        if never:
            assert text.endswith(": " + "; ".join(never)), text
        return members, submitted, verified

    browser.get(f"{live_server.url}/tong-quan/")
    assert browser.find_element(By.TAG_NAME, "h1").text.endswith("— 2026")
    options = browser.find_elements(By.CSS_SELECTOR, "#id_nam option")
    assert [int(o.text) for o in options] == list(range(2026, 2018, -1))
    assert overview_card(2026) == (3, 1, 0)  # An Giang submitted, Cần Thơ drafting, Cà Mau not
    browser.get(f"{live_server.url}/tong-quan/?nam={RANKED_YEAR}")
    assert overview_card(RANKED_YEAR) == (7, 7, 7)
    cards = browser.find_elements(By.CSS_SELECTOR, "[id^='overview-']")
    assert len(cards) == 1  # only the cluster under this leadership's supervising unit
    browser.get(f"{live_server.url}/tong-quan/?nam=2025")
    cards = browser.find_elements(By.CSS_SELECTOR, "[id^='overview-']")
    assert [c.get_attribute("id") for c in cards] == [f"overview-{years[2025].pk}"]
    assert world.cluster.name not in browser.find_element(By.TAG_NAME, "main").text
    browser.get(f"{live_server.url}/tong-quan/?nam={RANKED_YEAR}")
    screenshot(browser, "dashboard-overview")

    # 4. The years compared: one column per year, one row per unit ranked by the latest year.
    browser.get(f"{live_server.url}/cum/{cluster.pk}/so-sanh/")
    (head,) = table(browser, "#compare thead tr")
    # 2019 has figures but no results: no empty column for it.
    assert cells(head)[1:] == [str(y) for y in range(2020, 2027)]
    latest = {st.unit: st.rank for st in results[2026].standings}
    codes = {st.unit for result in results.values() for st in result.standings}
    expected_rows = sorted(codes, key=lambda c: (latest.get(c, 10**6), units[c].name))
    body = table(browser, "#compare tbody tr")
    assert len(body) == len(expected_rows) == 7
    for tr, code in zip(body, expected_rows, strict=True):
        label, *shown = cells(tr)
        assert label == units[code].label
        for year, cell in zip(range(2020, 2027), shown, strict=True):
            ranked_then = {st.unit: st for st in results[year].standings} if year in results else {}
            standing = ranked_then.get(code)
            if standing is None:
                assert cell == "·", (code, year)
                continue
            rank, total = cell.split(" — ")
            assert int(rank) == standing.rank, (code, year)
            assert number(total) == pytest.approx(standing.total, abs=0.005), (code, year)
    screenshot(browser, "dashboard-compare")


def test_the_score_sheet_title_is_plain_text(client, world):
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20})
    year_recompute(emulation_year_id=world.year.pk)
    client.force_login(world.leadership)
    page = client.get(f"/nam/{world.year.pk}/don-vi/{world.unit_a1.pk}/").content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.strip() == "Liên minh HTX A1 — 2025"


def test_heat_map_cells_without_a_ratio_show_whether_the_target_was_met(client):
    demo_load()
    client.force_login(get_user_model().objects.get(username="lanhdao"))
    ey = EmulationYear.objects.get(cluster__code=CLUSTER_CODE, year=RANKED_YEAR)
    result = years_inputs(emulation_years=[ey])[ey.pk].run()
    page = client.get(f"/nam/{ey.pk}/").content.decode()
    ids = dict(Unit.objects.values_list("code", "pk"))
    lines = [result.lines[(s.unit, "T.1")] for s in result.standings]
    assert all(line.ratio is None and line.actual is not None for line in lines)
    assert {line.met for line in lines} == {True, False}  # both kinds are on the page
    for line in lines:
        cell = re.search(
            rf'<td class="heat-(\w+) text-center"><a href="/nam/{ey.pk}/don-vi/{ids[line.unit]}/'
            rf'#c-T\.1"[^>]*>([^<]*)</a>',
            page,
        )
        assert cell, line.unit
        colour, text = cell.groups()
        if line.met:
            assert colour == "met", (line.unit, colour)
        else:
            assert colour not in ("none", "met"), (line.unit, colour)
        assert text != "—", line.unit
