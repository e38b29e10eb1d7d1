"""Issue 15 item 7: export filters that cannot match are refused, and a text search is literal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from warehouse import writer
from warehouse.export import export
from warehouse.filters import Filters

ROOT = Path(__file__).resolve().parents[2]


def _cli(tmp_path: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STANCEWATCH_")}
    env.update(COLUMNS="400", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "stancewatch.cli", "--db", str(db), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def _with_percent_article(db: Path) -> None:
    with writer(db) as w:
        w.con.execute("INSERT INTO articles (id, url, source, title, text, published_at, fetched_at, language, "
                      "content_hash, story_id, extractor) VALUES ('a5', 'https://us-c.example/a5', 'us-c', "
                      "'Prices', 'Inflation in Kazakhstan reached 50% this spring.', ?, ?, 'en', 'h5', 's5', 't')",
                      [datetime(2026, 3, 3), datetime(2026, 3, 5)])
        w.con.execute("INSERT INTO article_stance VALUES ('a5', 'KZ', 'm-new', -0.1, 'neutral', 0.8, 1, ?, ?, 1)",
                      [json.dumps(["evidence"]), datetime(2026, 3, 5)])


def test_search_for_a_wildcard_character_is_literal(scored_db: Path, tmp_path: Path) -> None:
    # Issue 15 item 7: `--search %` matched everything (LIKE wildcards were not escaped).
    _with_percent_article(scored_db)

    def ids(text: str) -> list[str]:
        out = tmp_path / f"search-{len(text)}.jsonl"
        export(scored_db, Filters(text=text), level="articles", fmt="jsonl", out=out, code_version="t",
               record=False)
        return sorted(json.loads(line)["article_id"] for line in out.read_text(encoding="utf-8").splitlines())

    assert ids("%") == []  # no word to search for: nothing, as on the dashboard (warehouse.search.lookup)
    assert ids("50%") == ["a5"]
    assert ids("_") == []
    assert ids("\\") == []
    assert ids("kazakhstan") == ["a3", "a5"]  # case-insensitive substring search still works


def test_reversed_stance_range_is_refused_like_reversed_dates() -> None:
    # Issue 15 item 7: stance-min above stance-max silently wrote 0 rows.
    with pytest.raises(ValueError, match=r"stance_min 0\.5 is above stance_max -0\.5"):
        Filters(stance_min=0.5, stance_max=-0.5)
    Filters(stance_min=-0.5, stance_max=-0.5)  # a single value is a valid range


def test_export_refuses_unknown_countries(scored_db: Path, tmp_path: Path) -> None:
    # Issue 15 item 7: export with an unknown country silently wrote 0 rows.
    out = tmp_path / "x.csv"
    for args, needle in ((["--country", "XX"], "--country 'XX': expected an ISO 3166 alpha-2 code"),
                         (["--country", "Russia"], "--country 'RUSSIA'"),
                         (["--outlet-country", "ZZ"], "--outlet-country 'ZZ'"),
                         (["--stance-min", "0.5", "--stance-max", "-0.5"], "is above stance_max")):
        done = _cli(tmp_path, scored_db, "export", "--out", str(out), *args)
        assert done.returncode == 2, done.stdout + done.stderr
        assert needle in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert not out.exists()
    with writer(scored_db) as w:  # a target that is not an ISO code, once the warehouse holds it
        w.con.execute("INSERT INTO article_stance VALUES ('a3', 'EU', 'm-new', 0.2, 'neutral', 0.8, 1, '[]', ?, 1)",
                      [datetime(2026, 3, 5)])
    for country in ("EU", "FJ"):  # FJ: a real country no article is about: 0 rows, not an error
        done = _cli(tmp_path, scored_db, "export", "--out", str(out), "--country", country, "--level", "stance")
        assert done.returncode == 0, done.stderr
    assert "0 rows" in done.stdout
