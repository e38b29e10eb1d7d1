"""Issue #12 part 1 on the demo: `stancewatch alerts --json` finds the demo's built-in drift (Outlet.after,
from the Monday of the week 75 days before the demo runs) near its week and nothing for outlet-target pairs
whose leaning holds, and the dashboard's Alerts page shows them in a real browser."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from stancewatch.demo import content
from stancewatch.demo.content import OUTLETS
from tests import browser

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-P", "-c", "from stancewatch.cli import main; main()"]
# The demo's largest size: at fewer articles per outlet and target, a shift of 0.2 on the stance scale
# cannot be told from noise (about 115 stance rows per pair at this size).
ARTICLES = 5000
OUTPUT = browser.SCREENSHOTS / "alerts"

CHANGED = {(o.country, o.name, target) for o in OUTLETS for target in o.after}
STABLE = {(o.country, o.name, target) for o in OUTLETS for target in o.before} - CHANGED


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    """The demo warehouse, built once, and the Monday of its drift week."""
    folder = tmp_path_factory.mktemp("demo")
    started = datetime.now(UTC).replace(tzinfo=None)
    drift = content.drift_start(started)
    done = subprocess.run([*CLI, "demo", "--no-serve", "--dir", str(folder), "--articles", str(ARTICLES)],
                          capture_output=True, text=True, timeout=1500, cwd=folder)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return folder / "stancewatch.duckdb", drift.date()


def _alerts(db: Path, *extra: str) -> list[dict[str, object]]:
    done = subprocess.run([*CLI, "--db", str(db), "alerts", "--json", *extra], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def _weeks_off(alert: dict[str, object], drift_week: date) -> int:
    return (date.fromisoformat(str(alert["week"])) - drift_week).days // 7


def test_alerts_report_the_demo_drift_and_nothing_else(demo: tuple[Path, date]) -> None:
    db, drift_week = demo
    alerts = _alerts(db)
    for alert in alerts:
        assert {"outlet_country", "target", "week", "before", "after", "n_before", "n_after"} <= alert.keys()
    per_outlet = [a for a in alerts if a["series"] == "outlet"]
    found = {(a["outlet_country"], a["outlet"], a["target"]) for a in per_outlet}
    assert not found & STABLE, f"alerts for pairs whose leaning does not change: {found & STABLE}"
    assert found <= CHANGED
    summary = sorted((a["outlet"], a["target"], _weeks_off(a, drift_week)) for a in per_outlet)
    on_time = {(a["outlet_country"], a["outlet"], a["target"]) for a in per_outlet
               if abs(_weeks_off(a, drift_week)) <= 1}
    # The demo's articles lie in the same weeks around its drift Monday whatever day it is built
    # (content.drift_start), so this outcome does not change with the day. Every shifted pair is found within
    # a week of the drift week, each once. Measured 2026-12-04: 11 of the 13 in the drift week itself,
    # astana-ledger on RU a week late and steppe-courier on RU and kyiv-visnyk on CN a week early; with the
    # drift week given, the faintest shift reads |z| 4.3 (lakeshore-tribune on KZ) against 2.6 for the
    # noisiest pair that holds (content.py says why each drift is large enough).
    assert on_time == CHANGED, summary
    assert len(per_outlet) == len(CHANGED), summary
    # Outlet-country series: only where some outlet of the country shifted, and the Kazakh press on Russia,
    # all three of whose outlets turned critical, is found.
    countries = {(a["outlet_country"], a["target"]) for a in alerts if a["series"] == "outlet_country"}
    assert countries <= {(c, t) for c, _, t in CHANGED}
    assert ("KZ", "RU") in countries
    kz_ru = next(a for a in alerts if a["series"] == "outlet_country" and (a["outlet_country"], a["target"]) ==
                 ("KZ", "RU"))
    assert float(kz_ru["after"]) < float(kz_ru["before"])  # type: ignore[arg-type]
    assert kz_ru["evidence"] and all(q["stance"] < kz_ru["before"] for q in kz_ru["evidence"])  # type: ignore
    # --since the drift week leaves exactly the alerts of that week and later
    later = _alerts(db, "--since", drift_week.isoformat())
    assert later and all(_weeks_off(a, drift_week) >= 0 for a in later)
    assert len(later) == sum(_weeks_off(a, drift_week) >= 0 for a in alerts)


@pytest.fixture
def dashboard_on(demo: tuple[Path, date], free_port: int, tmp_path: Path) -> Iterator[str]:
    """`stancewatch dashboard` on the demo warehouse, stopped after the test."""
    browser.require_chromium()
    with browser.serve_dashboard(demo[0], free_port, tmp_path, cli=CLI) as base:
        yield base


@pytest.mark.browser
def test_alerts_page_in_chromium(dashboard_on: str, tmp_path: Path) -> None:
    with browser.open_page() as page:
        page.goto(f"{dashboard_on}/alerts", timeout=60_000)
        page.get_by_role("heading", name="Stance-shift alerts").wait_for(timeout=60_000)
        page.wait_for_selector("[data-testid=stDataFrame]", timeout=60_000)
        expander = page.locator("[data-testid=stExpander]", has_text="on RU").first
        expander.locator("summary").click()
        expander.get_by_text("Outlets that moved most").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)  # let the tables draw before the browser.screenshot
        browser.screenshot(page, "alerts", OUTPUT, tmp_path)
        browser.assert_no_errors(page, "alerts")
        assert page.locator("a", has_text="Weekly trend of this series").count() >= 1
        link = expander.locator("a", has_text="articles since the shift")
        browser.click_through(page, link, "**/articles?**")
        assert "country=RU" in page.url and "from=" in page.url
        page.get_by_text("articles match.").wait_for(timeout=60_000)
