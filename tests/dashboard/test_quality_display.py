"""The model's dev figures where its scores are read: beside the language filter and on an article's evidence,
with a language that has no dev figures marked "unmeasured" (dashboard.quality).

The browser test scores a small warehouse in four languages with the shipped default model (its cards' figures
go into model_quality as scoring registers it) and reads both captions in headless Chromium."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dash_fixture import MODEL_ID, build
from streamlit.testing.v1 import AppTest

from analysis.model import MODELS_DIR, load_scorer, read_registry
from analysis.scoring import score_warehouse
from dashboard import auth, data, quality
from tests import browser
from warehouse import reader, writer

OUTPUT = browser.SCREENSHOTS / "dashboard"
APP = Path(data.__file__).resolve().parent / "app.py"
_DEFAULTS = tomllib.loads((Path(__file__).resolve().parents[2] / "stancewatch" / "defaults.toml").read_text())
DEFAULT = str(_DEFAULTS["model"]["name"])
CACHE = Path(_DEFAULTS["model"]["cache_dir"]).expanduser()
ARTICLES = {  # id: language, text (each mentions a country in its own language)
    "q-en": ("en", "Russia condemned the plan. China praised the talks."),
    "q-ru": ("ru", "Россия осудила план. Китай похвалил переговоры."),
    "q-kk": ("kk", "Ресей мен Қазақстан келісімге қол қойды."),
    "q-tg": ("tg", "Русия ва Тоҷикистон созишнома имзо карданд."),
}


def _quality(**over: Any) -> quality.LanguageQuality:
    values: dict[str, Any] = {"language": "kk", "dev_set": "RuSentNE dev, translated by hand (kk)", "n": 237,
                              "f1_pn": 0.325, "f1_pn_lo": 0.208, "f1_pn_hi": 0.429, "macro_f1": 0.471,
                              "ece": 0.083}
    return quality.LanguageQuality(**{**values, **over})


def test_a_measured_language_shows_its_f1_interval_and_n_and_an_unmeasured_one_is_marked() -> None:
    figures = {"kk": _quality()}
    caption = quality.filter_caption(["kk", "tg", "kk"], figures)
    assert "**kk** F1 0.33 [0.21, 0.43], n=237" in caption
    assert f"**tg** {quality.UNMEASURED_BADGE}" in caption
    assert caption.count("**kk**") == 1
    on_evidence = quality.evidence_caption("kk", figures)
    assert "0.33 [95% 0.21, 0.43] on n=237 rows of RuSentNE dev, translated by hand (kk)" in on_evidence
    assert quality.UNMEASURED_BADGE in quality.evidence_caption("tg", figures)
    assert "Model quality in ??" in quality.evidence_caption(float("nan"), figures)  # NULL language


def test_a_model_without_recorded_figures_says_so_and_marks_every_language_unmeasured() -> None:
    caption = quality.filter_caption(["en", "ru"], {})
    assert caption.count(quality.UNMEASURED_BADGE) == 2
    assert "re-run `stancewatch score`" in caption


def _sidebar_caption(at: AppTest) -> str:
    return next(str(c.value) for c in at.sidebar.caption if "by language" in str(c.value))


def test_the_trends_sidebar_shows_the_recorded_figures_and_follows_the_language_filter(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "w.duckdb"
    build(db)  # the dashboard fixture: its model was stored without dev figures
    monkeypatch.setenv("STANCEWATCH_DB", str(db))
    monkeypatch.delenv(auth.HASH_ENV, raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    caption = _sidebar_caption(at)
    assert "No dev figures were recorded" in caption
    assert all(f"**{lang}** {quality.UNMEASURED_BADGE}" in caption for lang in ("ru", "kk", "uk"))

    with writer(db) as w:
        w.write_batch("quality_insert", [{
            "model_id": MODEL_ID, "language": "ru", "dev_set": "RuSentNE dev split", "route": "e5-multi", "n": 945,
            "f1_pn": 0.504, "f1_pn_lo": 0.444, "f1_pn_hi": 0.559, "macro_f1": 0.619, "ece": 0.049,
            "ece_cross_fitted": 0.049, "recorded_at": datetime(2026, 12, 2)}])
    data.clear_cache()
    at.run()
    caption = _sidebar_caption(at)
    assert "**ru** F1 0.50 [0.44, 0.56], n=945" in caption and f"**kk** {quality.UNMEASURED_BADGE}" in caption
    assert "No dev figures were recorded" not in caption
    languages = next(m for m in at.sidebar.multiselect if m.label == "Languages")
    languages.set_value(["kk"]).run()
    caption = _sidebar_caption(at)
    assert f"**kk** {quality.UNMEASURED_BADGE}" in caption and "**ru**" not in caption


def _shipped(name: str) -> bool:
    registry = read_registry()
    return name in registry and all((MODELS_DIR / r["folder"] / "model.onnx").is_file()
                                    for r in registry[name]["routes"])


def _build(db: Path) -> str:
    """The four articles, scored through the real pipeline with the shipped default model; its id."""
    start = datetime(2026, 11, 2, 9)
    with writer(db) as w:
        w.con.execute("INSERT INTO sources VALUES ('test.example', 'https://test.example', 'KZ', 'ru', [], [], "
                      "NULL, [], true, ?)", [start])
        for i, (article_id, (language, text)) in enumerate(ARTICLES.items()):
            w.con.execute(
                "INSERT INTO articles (id, url, source, title, text, published_at, fetched_at, language, "
                "content_hash, story_id, extractor) VALUES (?, ?, 'test.example', ?, ?, ?, ?, ?, ?, ?, 'test')",
                [article_id, f"https://test.example/{i}", f"Report {i}", text, start + timedelta(days=i),
                 start + timedelta(days=i), language, f"h{i}", f"s{i}"])
    scorer = load_scorer(DEFAULT, CACHE)
    score_warehouse(db, scorer=scorer, progress=False)
    return scorer.model_id


@pytest.fixture
def served(tmp_path: Path, free_port: int) -> Iterator[tuple[str, Path, str]]:
    """`stancewatch dashboard` on the scored warehouse, stopped after the test."""
    browser.require_chromium()
    if not _shipped(DEFAULT):
        pytest.skip(f"{DEFAULT}'s trained weights are not in analysis/models")
    db = tmp_path / "w.duckdb"
    model_id = _build(db)
    with browser.serve_dashboard(db, free_port, tmp_path) as base:
        yield base, db, model_id


def _route_figures(language: str) -> dict[str, Any]:
    """The default model's card figures for a language, from the route folder that scores it."""
    routes = read_registry()[DEFAULT]["routes"]
    folder = next((r["folder"] for r in routes if language in r["languages"]),
                  next(r["folder"] for r in routes if "*" in r["languages"]))
    card = json.loads((MODELS_DIR / folder / "card.json").read_text(encoding="utf-8"))
    return dict(card["dev_by_language"][language])


def _shown(language: str) -> str:
    f = _route_figures(language)
    return f"{language} F1 {f['f1_pn']:.2f} [{f['f1_pn_lo']:.2f}, {f['f1_pn_hi']:.2f}], n={f['n']:,}"


@pytest.mark.browser
@pytest.mark.slow
def test_the_language_filter_and_the_evidence_show_dev_figures_and_mark_tajik_unmeasured(
        served: tuple[str, Path, str], tmp_path: Path) -> None:
    base, db, model_id = served
    with reader(db) as r:
        recorded = {row[0] for row in r.con.execute("SELECT language FROM model_quality WHERE model_id = ?",
                                                    [model_id]).fetchall()}
    assert {"en", "ru", "kk"} <= recorded and "tg" not in recorded
    with browser.open_page(height=1400) as page:
        page.goto(f"{base}/articles?article=q-kk", timeout=browser.TIMEOUT_MS)
        page.get_by_text("Model quality in kk").wait_for(timeout=browser.TIMEOUT_MS)
        browser.settle(page)
        browser.assert_no_errors(page, "articles page, Kazakh article")
        sidebar = page.locator("[data-testid=stSidebar]")
        for language in ("en", "ru", "kk"):
            assert sidebar.get_by_text(_shown(language)).count() == 1, language
        tajik = sidebar.get_by_text("tg unmeasured")
        assert tajik.count() == 1
        kk = _route_figures("kk")
        evidence = page.get_by_text("Model quality in kk").inner_text()
        assert f"{kk['f1_pn']:.2f} [95% {kk['f1_pn_lo']:.2f}, {kk['f1_pn_hi']:.2f}] on n={kk['n']}" in evidence
        browser.screenshot(page, "quality-measured-kk", tmp_path, OUTPUT)

        page.goto(f"{base}/articles?article=q-tg&lang=tg", timeout=browser.TIMEOUT_MS)
        page.get_by_text("Model quality in tg").wait_for(timeout=browser.TIMEOUT_MS)
        browser.settle(page)
        browser.assert_no_errors(page, "articles page, Tajik article")
        assert "unmeasured" in page.get_by_text("Model quality in tg").inner_text()
        # the filter narrowed to Tajik: its caption names only Tajik, and as unmeasured
        caption = sidebar.get_by_text("by language:").inner_text()
        assert "tg unmeasured" in caption and " F1 0." not in caption
        browser.screenshot(page, "quality-unmeasured-tg", tmp_path, OUTPUT)
