"""AppTest for the Alerts page: stored alerts listed with their sides, movers, evidence and links; the
empty state when the model has none."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from dash_fixture import MODEL_ID
from streamlit.testing.v1 import AppTest

from dashboard import auth, data
from warehouse import writer

APP = Path(data.__file__).resolve().parent / "app.py"
PAGE = "views/alerts.py"


def _alert(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "a1", "model_id": MODEL_ID, "aggregation": 1, "series": "outlet", "outlet_country": "KZ",
        "outlet": "kz-outlet", "target": "RU", "week": date(2026, 3, 2), "before": 0.31, "before_lo": 0.2,
        "before_hi": 0.4, "after": -0.42, "after_lo": -0.5, "after_hi": -0.3, "n_before": 40, "n_after": 35,
        "outlets_before": 1, "outlets_after": 1, "before_from": date(2026, 1, 5), "after_to": date(2026, 4, 27),
        "movers": json.dumps([{"outlet": "kz-outlet", "before": 0.31, "after": -0.42, "shift": -0.73,
                               "n_before": 40, "n_after": 35}]),
        "evidence": json.dumps([{"article_id": "x", "outlet": "kz-outlet", "title": "T", "url": "https://x/",
                                 "published_at": "2026-03-04T10:00:00", "stance": -0.9,
                                 "sentences": ["Officials condemned Moscow for the blockade."]}]),
        "computed_at": datetime(2026, 5, 1),
    }
    return {**base, **over}


def _run(db: Path, monkeypatch: pytest.MonkeyPatch, query: dict[str, str] | None = None) -> AppTest:
    monkeypatch.setenv("STANCEWATCH_DB", str(db))
    monkeypatch.delenv(auth.HASH_ENV, raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    at.query_params.clear()
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_alerts_are_listed_with_sides_movers_evidence_and_links(fixture_db: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(fixture_db, db)
    with writer(db) as w:
        w.write_batch("alerts_insert", [
            _alert(),
            _alert(id="a2", series="outlet_country", outlet=None, target="CN", week=date(2026, 2, 2),
                   before=-0.1, after=-0.5, outlets_before=3, outlets_after=3)])
    at = _run(db, monkeypatch)
    assert [t.value for t in at.title] == ["Stance-shift alerts"]
    table = at.dataframe[0].value
    assert list(table["target"]) == ["RU", "CN"]  # newest week first
    assert list(table["outlet"]) == ["kz-outlet", "(all)"]
    assert table.iloc[0]["before"] == "+0.31 [+0.20, +0.40]"
    labels = [e.label for e in at.expander]
    assert labels[0] == "2026-03-02: kz-outlet on RU, +0.31 → -0.42"
    assert labels[1].startswith("2026-02-02: KZ outlets on CN")
    markdown = "\n".join(m.value for m in at.markdown)
    assert "Officials condemned Moscow for the blockade." in markdown
    links = at.get("page_link")
    trend = [link for link in links if "Weekly trend" in link.proto.label]
    articles = [link for link in links if "articles since the shift" in link.proto.label]
    assert len(trend) == 2 and len(articles) == 2
    # the trend: the alert's series, weekly, over both sides; the articles: from the shift week to the end
    assert parse_qs(trend[0].proto.query_string) == {
        "country": ["RU"], "outlet": ["kz-outlet"], "outlet_country": ["KZ"], "from": ["2026-01-05"],
        "to": ["2026-05-03"], "grain": ["week"], "split": ["outlet"]}
    assert parse_qs(articles[0].proto.query_string) == {
        "country": ["RU"], "outlet": ["kz-outlet"], "outlet_country": ["KZ"], "from": ["2026-03-02"],
        "to": ["2026-05-03"]}
    assert parse_qs(trend[1].proto.query_string)["split"] == ["outlet_country"]
    assert "outlet" not in parse_qs(articles[1].proto.query_string)
    # a target filter in the URL narrows the list
    narrowed = _run(db, monkeypatch, {"country": "CN"})
    assert list(narrowed.dataframe[0].value["target"]) == ["CN"]


def test_no_alerts_says_when_they_come(fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run(fixture_db, monkeypatch)
    assert not at.dataframe
    assert any("No stance shifts" in i.value for i in at.info)
