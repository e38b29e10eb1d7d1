"""A real browser: `stancewatch dashboard` on the fixture warehouse, every page loaded in headless Chromium.

Each page must render without a Streamlit exception and, where it has charts, with Plotly's SVG in the
page; a screenshot of each lands in test-output/dashboard/ (and the test's tmp folder). Clicking a matrix
cell must lead to that cell's articles.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import server
from tests.processes import kill_tree

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "dashboard"
# name -> (path, has a chart); Trends is the default page, served at the root (its url_path is not used).
PAGES = {"trends": ("", True), "matrix": ("matrix", True), "articles": ("articles", True),  # evidence chart
         "sources": ("sources", False), "export": ("export", False)}


_DB: dict[str, Path] = {}


def _first_article(base: str) -> str:
    """The newest article of the warehouse the running dashboard reads (its evidence has a chart)."""
    from dashboard import data
    from warehouse.filters import Filters

    return str(data.articles(str(_DB[base]), "m-test-1", Filters(), 1, 0).iloc[0]["id"])


@pytest.fixture
def running(fixture_db: Path, free_port: int, tmp_path: Path) -> Iterator[str]:
    """`stancewatch dashboard` on a free port, stopped after the test."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: apt-get install chromium (CI has it)")
    exe = Path(sys.executable).with_name("stancewatch")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from stancewatch.cli import main; main()"]
    db = tmp_path / "w.duckdb"
    shutil.copy(fixture_db, db)
    log = (tmp_path / "dashboard.log").open("wb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STANCEWATCH_")}
    process = subprocess.Popen([*cmd, "--db", str(db), "dashboard", "--port", str(free_port), "--timeout", "120"],
                               stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path,
                               start_new_session=True)
    base = f"http://127.0.0.1:{free_port}"
    try:
        server.wait_ready(base, 120, process)
        _DB[base] = db
        yield base
    finally:
        process.terminate()  # the CLI stops its streamlit child on the way out
        try:
            process.wait(40)
        finally:  # whatever is left of its session (tests/shell/test_signals.py checks nothing is)
            kill_tree(process)
            log.close()


def test_every_page_renders_in_chromium(running: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for name, (path, has_chart) in PAGES.items():
                query = f"?article={_first_article(running)}" if name == "articles" else ""
                page.goto(f"{running}/{path}{query}", timeout=60_000)
                page.wait_for_selector("[data-testid=stMainBlockContainer] h1", timeout=60_000)
                if has_chart:
                    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
                _settle(page)
                shot = page.screenshot(full_page=True)
                (tmp_path / f"{name}.png").write_bytes(shot)
                (OUTPUT / f"{name}.png").write_bytes(shot)
                assert page.locator("[data-testid=stException]").count() == 0, name
                assert page.locator("[data-testid=stAlertContentError]").count() == 0, name
                assert page.locator("[data-testid=stDialog]").count() == 0, name  # e.g. "Page not found"
                if has_chart:
                    assert page.locator(".js-plotly-plot").count() >= 1, name
            # The health table and its warning are on the Sources page.
            page.goto(f"{running}/sources", timeout=60_000)
            page.get_by_text("Volume dropped well below usual").wait_for(timeout=60_000)
        finally:
            browser.close()


@pytest.mark.parametrize("how", ["click", "link"])
def test_a_trend_point_leads_to_its_articles(running: str, how: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{running}/?country=RU&grain=week", timeout=60_000)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            _settle(page)
            if how == "click":
                page.locator(".js-plotly-plot .scatterlayer .point").nth(3).click(force=True)
            else:
                page.locator("[data-testid=stExpander] summary", has_text="period").click()
                page.locator("a", has_text="articles: RU, week of").first.click()
            page.wait_for_url("**/articles?**", timeout=60_000)
            page.get_by_text("articles match.").wait_for(timeout=60_000)
            assert "country=RU" in page.url and "from=" in page.url and "to=" in page.url
        finally:
            browser.close()


def test_clicking_a_matrix_cell_opens_its_articles(running: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{running}/matrix", timeout=60_000)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            _settle(page)
            point = page.locator(".js-plotly-plot .scatterlayer .point").first
            point.click(force=True)
            page.wait_for_url("**/articles?**", timeout=60_000)
            page.get_by_text("articles match.").wait_for(timeout=60_000)
            page.wait_for_selector("[data-testid=stDataFrame]", timeout=60_000)
            _settle(page)
            assert "country=" in page.url and "outlet_country=" in page.url
            OUTPUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUTPUT / "matrix-click-articles.png"), full_page=True)
        finally:
            browser.close()


def _settle(page: object) -> None:
    """Wait until Streamlit has finished running the script (its status widget disappears)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if page.locator("[data-testid=stStatusWidget]").count() == 0:  # type: ignore[attr-defined]
            break
        time.sleep(0.2)
    page.wait_for_timeout(800)  # type: ignore[attr-defined]
