"""A correction made in the dashboard, in headless Chromium: it shows in `stancewatch corrections list`, in an
export's corrected_label column and in the trend with corrections on, and re-scoring does not remove it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from analysis.scoring import score_warehouse
from dashboard import data
from tests import browser
from tests.analysis.fakes import FakeScorer
from warehouse import reader, writer
from warehouse.export import export
from warehouse.filters import Filters

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MODEL = "fake@1+000000000000"
ANALYST = "browser-analyst"
OUTPUT = browser.SCREENSHOTS / "dashboard"


def _build(db: Path) -> None:
    """Twelve articles over four weeks about Russia and China, scored through the real pipeline (fake model)."""
    start = datetime(2026, 11, 2, 9)
    texts = ["Russia condemned the plan. China praised the talks.", "Russia praised the deal. China helped Kyiv.",
             "Russia held a meeting. China attacked the plan."]
    with writer(db) as w:
        w.con.execute("INSERT INTO sources VALUES ('test.example', 'https://test.example', 'KZ', 'en', [], [], "
                      "NULL, [], true, ?)", [start])
        for i in range(12):
            w.con.execute(
                "INSERT INTO articles (id, url, source, title, text, published_at, fetched_at, language, "
                "content_hash, story_id, extractor) VALUES (?, ?, 'test.example', ?, ?, ?, ?, 'en', ?, ?, 'test')",
                [f"a{i:02d}", f"https://test.example/{i}", f"Report {i}", texts[i % 3],
                 start + timedelta(days=2 * i), start + timedelta(days=2 * i), f"h{i}", f"s{i}"])
    score_warehouse(db, scorer=FakeScorer(), progress=False)


@pytest.fixture
def served(tmp_path: Path, free_port: int) -> Iterator[tuple[str, Path]]:
    """`stancewatch dashboard` on a freshly scored warehouse, stopped after the test."""
    browser.require_chromium()
    db = tmp_path / "w.duckdb"
    _build(db)
    with browser.serve_dashboard(db, free_port, tmp_path, unset=("USER",)) as base:  # the analyst types a name
        yield base, db


def _listed(db: Path) -> list[dict[str, Any]]:
    res = subprocess.run([*browser.stancewatch_cli(), "--db", str(db), "corrections", "list", "--json"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return list(json.loads(res.stdout))


def _trend_point(db: Path, corrected: bool) -> tuple[float, int]:
    data.clear_cache()
    points = data.trend(str(db), MODEL, Filters(countries=("RU",)), "week", corrected=corrected)
    row = points[points["period"] == datetime(2026, 11, 2)].iloc[0]
    return float(row["mean"]), int(row["n_articles"])


class ShiftedScorer(FakeScorer):
    """The same model id, new probabilities: re-scoring after new weights."""

    def score(self, targets: Any) -> np.ndarray:
        """Everything mildly negative."""
        return np.tile(np.asarray([[0.5, 0.3, 0.2]], dtype=np.float32), (len(targets), 1))


def test_a_correction_made_in_the_browser_reaches_list_export_and_trend(served: tuple[str, Path],
                                                                        tmp_path: Path) -> None:
    base, db = served
    before_mean, before_n = _trend_point(db, corrected=False)
    with browser.open_page(height=1400) as page:
        # a00: "Russia condemned the plan." (the model: negative); the analyst says positive
        page.goto(f"{base}/articles?article=a00&country=RU", timeout=60_000)
        page.get_by_text("Toward RU").first.wait_for(timeout=60_000)
        browser.settle(page)
        name = page.get_by_label("Your name (recorded with each correction)")
        name.fill(ANALYST)
        name.press("Enter")
        browser.settle(page)
        form = page.locator("[data-testid=stForm]").nth(1)  # countries in order: CN's mention, then RU's
        form.scroll_into_view_if_needed()
        form.locator("[data-testid=stSelectbox]").click()
        page.keyboard.type("positive")
        page.keyboard.press("Enter")
        form.get_by_label("Note (optional)").fill("sarcasm")
        form.get_by_role("button", name="Save").click()
        page.get_by_text("Saved: the RU mention is positive").wait_for(timeout=60_000)
        page.get_by_text("corrected: positive").first.wait_for(timeout=60_000)
        page.get_by_text("With corrections:").first.wait_for(timeout=60_000)
        browser.settle(page)
        browser.screenshot(page, "corrected-article", tmp_path, OUTPUT)
        browser.assert_no_errors(page, "corrected article")
        assert page.locator("mark", has_text="Russia").count() >= 1
        assert page.locator("[data-testid=stForm]").count() == 2  # a control per mention (RU and CN)
        page.locator("[data-testid=stExpander] summary", has_text="agreement").click()
        # the per-language agreement table (a canvas grid: its headers are in a hidden accessible table)
        page.locator("[data-testid=stExpander] [data-testid=stDataFrame]").wait_for(timeout=60_000)
        page.locator("[data-testid=stExpander] th", has_text="n (labelled)").wait_for(state="attached",
                                                                                   timeout=60_000)
        # the trend with corrections on renders, toggle on
        browser.load(page, f"{base}/?country=RU&corr=1")
        assert page.get_by_role("switch", name="With analysts' corrections").is_checked()
        browser.assert_no_errors(page, "trend with corrections")
        browser.screenshot(page, "trend-with-corrections", OUTPUT)

    listed = _listed(db)
    assert [(c["article_id"], c["country"], c["label"], c["analyst"], c["model_label"], c["note"])
            for c in listed] == [("a00", "RU", "positive", ANALYST, "negative", "sarcasm")]
    out = tmp_path / "mentions.csv"
    export(db, Filters(countries=("RU",)), level="mentions", fmt="jsonl", out=out, code_version="test")
    labels = {(r["article_id"], r["country"]): r["corrected_label"]
              for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert labels[("a00", "RU")] == "positive" and labels[("a03", "RU")] is None
    stance_out = tmp_path / "stance.jsonl"
    export(db, Filters(countries=("RU",)), level="stance", fmt="jsonl", out=stance_out, code_version="test")
    corrected = {r["article_id"]: r["corrected_label"]
                 for r in map(json.loads, stance_out.read_text(encoding="utf-8").splitlines())}
    assert corrected["a00"] == "favourable" and corrected["a03"] is None

    after_mean, after_n = _trend_point(db, corrected=True)
    assert after_n == before_n and after_mean > before_mean  # a00's RU stance went from -0.75 to +1
    assert _trend_point(db, corrected=False) == (before_mean, before_n)  # the model's trend is untouched

    with writer(db) as w:  # re-scoring the model: its articles are pending again, new probabilities come
        w.con.execute("DELETE FROM article_scoring")
    score_warehouse(db, scorer=ShiftedScorer(), progress=False)
    assert [c["id"] for c in _listed(db)] == [listed[0]["id"]]
    with reader(db) as r:
        rows = r.con.execute("SELECT label, stance FROM article_stance_corrected WHERE article_id = 'a00' "
                             "AND country = 'RU'").fetchall()
    assert rows == [("favourable", 1.0)]  # the one RU mention is the analyst's one-hot positive
    rescored_mean, _ = _trend_point(db, corrected=True)
    model_mean, _ = _trend_point(db, corrected=False)
    assert rescored_mean > model_mean  # the correction still lifts the re-scored trend
