"""The coverage-aware Trends page in a real browser: low-coverage periods shaded, the coverage row under the
volume bars, the analysis modes and the per-story count, and the "What changed" section.

The fixture's quiet.kz stops publishing in the last week; with it and kazinform.kz selected, the last
week has about 40% of the articles the two outlets' own history leads one to expect, so it is shaded.
Screenshots land in test-output/dashboard/ (trend-coverage*.png).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_dash_browser import OUTPUT, running  # noqa: F401  (running is a fixture)

from tests import browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SELECTION = "country=RU&outlet=quiet.kz&outlet=kazinform.kz&grain=week"
SHADE = "rgb(255, 165, 0)"  # charts.LOW_COVERAGE_FILL as the browser writes it


def _ytitles(page: object) -> list[str]:
    """The trend chart's y-axis titles, top to bottom (SVG text: textContent, not innerText)."""
    found = page.locator(".js-plotly-plot").first.locator(".infolayer text").evaluate_all(  # type: ignore[attr-defined]
        "els => els.filter(e => /^y[0-9]*title$/.test(e.getAttribute('class') || ''))"
        ".map(e => e.textContent.trim())")
    return list(found)


def test_low_coverage_is_shaded_with_a_coverage_row(running: str, tmp_path: Path) -> None:  # noqa: F811
    with browser.open_page(height=1400) as page:
        browser.load(page, f"{running}/?{SELECTION}")
        chart = page.locator(".js-plotly-plot").first
        shades = chart.locator(".shapelayer path")
        fills = [shades.nth(i).get_attribute("style") or "" for i in range(shades.count())]
        assert sum(SHADE in f for f in fills) >= 1, fills  # the last week is shaded
        assert _ytitles(page) == ["mean stance", "articles", "coverage"]
        assert chart.locator(".barlayer .point").count() > 0
        page.get_by_text("1 period(s) under 50% of expected").wait_for(timeout=30_000)
        page.get_by_text("What changed").first.wait_for(timeout=30_000)
        page.get_by_text("Change within outlets:").first.wait_for(timeout=60_000)
        assert page.locator("[data-testid=stDataFrame]").count() >= 2  # outlets and moved sentences
        browser.assert_no_errors(page, "shaded trend")
        browser.screenshot(page, "trend-coverage", tmp_path, OUTPUT)

        # every outlet, the whole warehouse: nothing fell under half, nothing is shaded
        browser.load(page, f"{running}/?country=RU&grain=week")
        page.get_by_text("0 period(s) under 50% of expected").wait_for(timeout=30_000)
        fills = [s or "" for s in (page.locator(".js-plotly-plot .shapelayer path")
                                    .evaluate_all("els => els.map(e => e.getAttribute('style'))"))]
        assert not any(SHADE in f for f in fills)

        # the other modes and the per-story count render, and say which they are
        browser.load(page, f"{running}/?{SELECTION}&mode=within_outlet&story=1")
        page.get_by_text("Analysis: within outlet").wait_for(timeout=30_000)
        assert _ytitles(page) == ["mean stance", "stories", "coverage"]
        browser.assert_no_errors(page, "within outlet, per story")
        browser.screenshot(page, "trend-coverage-within-outlet", OUTPUT)
        browser.load(page, f"{running}/?{SELECTION}&mode=fixed_panel")
        page.get_by_text("Analysis: fixed panel").wait_for(timeout=30_000)
        browser.assert_no_errors(page, "fixed panel")
