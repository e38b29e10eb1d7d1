"""A correction made in the dashboard, in headless Chromium: it shows in `stancewatch corrections list`, in an
export's corrected_label column and in the trend with corrections on, and re-scoring does not remove it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from analysis.scoring import score_warehouse
from dashboard import data, server
from tests.analysis.fakes import FakeScorer
from tests.dashboard.test_dash_browser import CHROMIUM, OUTPUT, _settle
from tests.processes import kill_tree
from warehouse import reader, writer
from warehouse.export import export
from warehouse.filters import Filters

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MODEL = "fake@1+000000000000"
ANALYST = "browser-analyst"


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("stancewatch")
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from stancewatch.cli import main; main()"]


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
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: apt-get install chromium (CI has it)")
    db = tmp_path / "w.duckdb"
    _build(db)
    log = (tmp_path / "dashboard.log").open("wb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STANCEWATCH_")}
    env.pop("USER", None)  # the analyst types a name
    process = subprocess.Popen([*_cli(), "--db", str(db), "dashboard", "--port", str(free_port), "--timeout", "120"],
                               stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path, start_new_session=True)
    base = f"http://127.0.0.1:{free_port}"
    try:
        server.wait_ready(base, 120, process)
        yield base, db
    finally:
        process.terminate()
        try:
            process.wait(40)
        finally:
            kill_tree(process)
            log.close()


def _listed(db: Path) -> list[dict[str, Any]]:
    res = subprocess.run([*_cli(), "--db", str(db), "corrections", "list", "--json"], capture_output=True,
                         text=True, timeout=120)
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
    from playwright.sync_api import sync_playwright

    base, db = served
    before_mean, before_n = _trend_point(db, corrected=False)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1400})
            # a00: "Russia condemned the plan." (the model: negative); the analyst says positive
            page.goto(f"{base}/articles?article=a00&country=RU", timeout=60_000)
            page.get_by_text("Toward RU").first.wait_for(timeout=60_000)
            _settle(page)
            name = page.get_by_label("Your name (recorded with each correction)")
            name.fill(ANALYST)
            name.press("Enter")
            _settle(page)
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
            _settle(page)
            shot = page.screenshot(full_page=True)
            (tmp_path / "corrected-article.png").write_bytes(shot)
            (OUTPUT / "corrected-article.png").write_bytes(shot)
            assert page.locator("[data-testid=stException]").count() == 0
            assert page.locator("[data-testid=stAlertContentError]").count() == 0
            assert page.locator("mark", has_text="Russia").count() >= 1
            assert page.locator("[data-testid=stForm]").count() == 2  # a control per mention (RU and CN)
            page.locator("[data-testid=stExpander] summary", has_text="agreement").click()
            # the per-language agreement table (a canvas grid: its headers are in a hidden accessible table)
            page.locator("[data-testid=stExpander] [data-testid=stDataFrame]").wait_for(timeout=60_000)
            page.locator("[data-testid=stExpander] th", has_text="n (labelled)").wait_for(state="attached",
                                                                                       timeout=60_000)
            # the trend with corrections on renders, toggle on
            page.goto(f"{base}/?country=RU&corr=1", timeout=60_000)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            _settle(page)
            assert page.get_by_role("switch", name="With analysts' corrections").is_checked()
            assert page.locator("[data-testid=stException]").count() == 0
            (OUTPUT / "trend-with-corrections.png").write_bytes(page.screenshot(full_page=True))
        finally:
            browser.close()

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
