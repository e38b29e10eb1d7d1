"""The dashboard in a real browser, for tests: `stancewatch dashboard` served on a free port, a headless Chromium
page on it, and the waits and checks every browser test makes (Streamlit has finished, no error is shown).

Playwright drives Debian's /usr/bin/chromium; a test whose fixture calls ``require_chromium`` skips where it
is absent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dashboard import server
from tests.processes import kill_tree

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output"  # browser tests leave theirs here to be looked at
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
WIDTH = 1400
CHART = ".js-plotly-plot .main-svg"  # a Plotly chart has drawn
# A Streamlit exception, an st.error box, and a dialog such as Streamlit's own "Page not found".
ERRORS = ("stException", "stAlertContentError", "stDialog")
TIMEOUT_MS = 60_000


def require_chromium() -> None:
    """Skip the test where Debian's chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: apt-get install chromium (CI has it)")


def stancewatch_cli() -> list[str]:
    """The command line that runs `stancewatch` from this interpreter's environment."""
    exe = Path(sys.executable).with_name("stancewatch")
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from stancewatch.cli import main; main()"]


@contextmanager
def serve_dashboard(db: Path, port: int, folder: Path, *, cli: list[str] | None = None,
                    unset: tuple[str, ...] = ()) -> Iterator[str]:
    """`stancewatch dashboard` on db at 127.0.0.1:port, run in folder (its log: folder/dashboard.log), with no
    STANCEWATCH_* variable nor those in unset; yields its base URL and stops it, and all it started, after."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STANCEWATCH_") and k not in unset}
    log = (folder / "dashboard.log").open("wb")
    process = subprocess.Popen([*(cli or stancewatch_cli()), "--db", str(db), "dashboard", "--port", str(port),
                                "--timeout", "120"], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        server.wait_ready(base, 120, process)
        yield base
    finally:
        process.terminate()  # the CLI stops its streamlit child on the way out
        try:
            process.wait(40)
        finally:  # whatever is left of its session (tests/shell/test_signals.py checks nothing is)
            kill_tree(process)
            log.close()


@contextmanager
def open_page(height: int = 1000) -> Iterator[Page]:
    """A new page, WIDTH by height pixels, in headless Chromium; the browser is closed after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": WIDTH, "height": height})
        finally:
            browser.close()


def load(page: Page, url: str, *selectors: str) -> None:
    """Go to url, wait for each of selectors (a chart's SVG where none is named), then for Streamlit to finish."""
    page.goto(url, timeout=TIMEOUT_MS)
    for selector in selectors or (CHART,):
        page.wait_for_selector(selector, timeout=TIMEOUT_MS)
    settle(page)


def settle(page: Page) -> None:
    """Wait until Streamlit has finished running the script (its status widget disappears)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if page.locator("[data-testid=stStatusWidget]").count() == 0:
            break
        time.sleep(0.2)
    page.wait_for_timeout(800)  # the last elements draw after the widget goes


def click_through(page: Page, target: Locator, url_glob: str, *, force: bool = False, tries: int = 3) -> None:
    """Click target until the page's URL matches url_glob, trying up to tries times, TIMEOUT_MS in all."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # A click that lands while Streamlit is still redrawing the element can be lost on a busy machine (seen
    # once in CI); clicking again is what a user does. The URL is still required to change within TIMEOUT_MS.
    for attempt in range(tries):
        target.click(force=force, timeout=TIMEOUT_MS // tries)
        try:
            page.wait_for_url(url_glob, timeout=TIMEOUT_MS // tries)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise


def assert_no_errors(page: Page, what: str) -> None:
    """Assert the page shows none of ERRORS; what names the page in the message."""
    for testid in ERRORS:
        assert page.locator(f"[data-testid={testid}]").count() == 0, (what, testid)


def screenshot(page: Page, name: str, *folders: Path) -> None:
    """Save a full-page screenshot as name.png in each of folders (created where missing)."""
    shot = page.screenshot(full_page=True)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.png").write_bytes(shot)
