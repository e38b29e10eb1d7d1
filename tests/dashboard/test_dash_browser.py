"""A real browser: `stancewatch dashboard` on the fixture warehouse, every page loaded in headless Chromium.

Each page must render without a Streamlit exception and, where it has charts, with Plotly's SVG in the
page; a screenshot of each lands in test-output/dashboard/ (and the test's tmp folder). Clicking a matrix
cell must lead to that cell's articles.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUTPUT = browser.SCREENSHOTS / "dashboard"
# name -> (path, has a chart); Trends is the default page, served at the root (its url_path is not used).
PAGES = {"trends": ("", True), "matrix": ("matrix", True), "articles": ("articles", True),  # evidence chart
         "sources": ("sources", False), "export": ("export", False)}
HEADING = "[data-testid=stMainBlockContainer] h1"
POINTS = ".js-plotly-plot .scatterlayer .point"


_DB: dict[str, Path] = {}


def _first_article(base: str) -> str:
    """The newest article of the warehouse the running dashboard reads (its evidence has a chart)."""
    from dashboard import data
    from warehouse.filters import Filters

    return str(data.articles(str(_DB[base]), "m-test-1", Filters(), 1, 0).iloc[0]["id"])


@pytest.fixture
def running(fixture_db: Path, free_port: int, tmp_path: Path) -> Iterator[str]:
    """`stancewatch dashboard` on a free port, stopped after the test."""
    browser.require_chromium()
    db = tmp_path / "w.duckdb"
    shutil.copy(fixture_db, db)
    with browser.serve_dashboard(db, free_port, tmp_path) as base:
        _DB[base] = db
        yield base


def test_every_page_renders_in_chromium(running: str, tmp_path: Path) -> None:
    with browser.open_page() as page:
        for name, (path, has_chart) in PAGES.items():
            query = f"?article={_first_article(running)}" if name == "articles" else ""
            browser.load(page, f"{running}/{path}{query}", HEADING, *([browser.CHART] if has_chart else []))
            browser.screenshot(page, name, tmp_path, OUTPUT)
            browser.assert_no_errors(page, name)  # "Page not found" is a dialog
            if has_chart:
                assert page.locator(".js-plotly-plot").count() >= 1, name
        # The health table and its warning are on the Sources page.
        page.goto(f"{running}/sources", timeout=60_000)
        page.get_by_text("Volume dropped well below usual").wait_for(timeout=60_000)


@pytest.mark.parametrize("how", ["click", "link"])
def test_a_trend_point_leads_to_its_articles(running: str, how: str) -> None:
    with browser.open_page() as page:
        browser.load(page, f"{running}/?country=RU&grain=week")
        if how == "click":
            browser.click_through(page, page.locator(POINTS).nth(3), "**/articles?**", force=True)
        else:
            page.locator("[data-testid=stExpander] summary", has_text="period").click()
            browser.click_through(page, page.locator("a", has_text="articles: RU, week of").first, "**/articles?**")
        page.get_by_text("articles match.").wait_for(timeout=60_000)
        assert "country=RU" in page.url and "from=" in page.url and "to=" in page.url


def test_clicking_a_matrix_cell_opens_its_articles(running: str) -> None:
    with browser.open_page() as page:
        browser.load(page, f"{running}/matrix")
        browser.click_through(page, page.locator(POINTS).first, "**/articles?**", force=True)
        page.get_by_text("articles match.").wait_for(timeout=60_000)
        page.wait_for_selector("[data-testid=stDataFrame]", timeout=60_000)
        browser.settle(page)
        assert "country=" in page.url and "outlet_country=" in page.url
        browser.screenshot(page, "matrix-click-articles", OUTPUT)
