"""The dashboard's text search goes through the full-text index, and gives what scanning the warehouse
gives (the fallback while the index is busy) wherever the two agree: whole words of the fixture."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dashboard"))  # the dashboard's fixture builder

from dash_fixture import MODEL_ID, build

from dashboard import data
from warehouse import reader, search, writer
from warehouse.filters import Filters


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("search-dash") / "w.duckdb"
    build(path)
    return path


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    data.clear_cache()
    yield
    data.clear_cache()


def _scanning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the index unavailable, as while another process rebuilds it: the data module scans instead."""
    def busy(db: str | Path, text: str, *, timeout: float = 0.0) -> search.Matches:
        raise search.SearchUnavailable(f"{db}: busy")
    monkeypatch.setattr(search, "matches", busy)
    data.clear_cache()


FILTERS = [
    Filters(text="Kazakhstan"),                                   # some articles: their keys are handed over
    Filters(text="officials", countries=("RU",)),                 # every article: the others' keys are
    Filters(text="China", outlet_countries=("KZ",), stance_max=0.0),
    Filters(text="tengrinews", languages=("ru",)),
    Filters(text="Ukraine", countries=("RU", "US"), stance_min=-0.5),
]


@pytest.mark.parametrize("filters", FILTERS)
def test_pages_and_counts_through_the_index_equal_the_scan(db: Path, filters: Filters,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    indexed = [data.articles(str(db), MODEL_ID, filters, 20, offset) for offset in (0, 20)]
    count = data.article_count(str(db), MODEL_ID, filters)
    assert search.index_dir(db).is_dir() and count > 0
    _scanning(monkeypatch)
    scanned = [data.articles(str(db), MODEL_ID, filters, 20, offset) for offset in (0, 20)]
    assert data.article_count(str(db), MODEL_ID, filters) == count
    for a, b in zip(indexed, scanned, strict=True):
        assert list(a["id"]) == list(b["id"]) and list(a["stance"]) == list(b["stance"])


def test_the_index_finds_what_a_substring_scan_cannot(db: Path) -> None:
    # The English stem of "commenting" matches "commented" in every article's text; a substring scan
    # would find none.
    everything = data.article_count(str(db), MODEL_ID, Filters(countries=("RU",)))
    assert data.article_count(str(db), MODEL_ID, Filters(countries=("RU",), text="COMMENTING")) == everything
    assert data.articles(str(db), MODEL_ID, Filters(text="no-such-word-anywhere"), 20, 0).empty


def test_a_new_article_is_searchable_once_the_snapshot_holds_it(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.duckdb"
    build(path)
    assert data.article_count(str(path), MODEL_ID, Filters(text="Нефтепровод")) == 0
    with reader(path) as r:
        row = r.con.execute("SELECT * FROM articles ORDER BY id LIMIT 1").to_arrow_table().to_pylist()[0]
    row["text"] += " Нефтепровод запущен."
    row["fetched_at"] = datetime.now() + timedelta(days=1)  # a write sets it to the time of the write
    with writer(path) as w:  # written as the crawler writes it, without the crawler's index hook
        w.write_batch("crawl_upsert_articles", pa.Table.from_pylist([row]))
    data.clear_cache()
    monkeypatch.setattr(data, "CUBE_MIN_AGE_S", 0.0)
    found = data.articles(str(path), MODEL_ID, Filters(text="нефтепровода"), 20, 0)
    assert list(found["id"]) == [row["id"]]
