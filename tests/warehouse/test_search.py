"""The full-text index (warehouse.search) on real DuckDB files and real tantivy indexes: matching in
Russian, Ukrainian and Kazakh, idempotent re-indexing, and an index that is behind being noticed."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from filelock import FileLock

from warehouse import reader, search, writer

T0 = datetime(2026, 3, 1, 12, 0)

ARTICLES = {  # name: (language, title, text)
    "ru-russia": ("ru", "Визит в Москву", "Президент России встретился с министрами. Энергетика и газ."),
    "ru-rossiey": ("ru", "Соглашение", "Казахстан подписал соглашение с Россией о поставках."),
    "ru-yolka": ("ru", "Праздник", "На площади поставили ёлку."),
    "uk-ukraine": ("uk", "Новини", "Уряд України обговорив енергетичну безпеку."),
    "uk-upper": ("uk", "ЗАЯВА", "УКРАЇНА ТА ПОЛЬЩА ПІДПИСАЛИ УГОДУ."),
    "kk-resey": ("kk", "Жаңалықтар", "Ресейдің сыртқы істер министрі Астанаға келді."),
    "kk-kazakh": ("kk", "Экономика", "ҚАЗАҚСТАНДА мұнай өндіру артты."),
    "en-energy": ("en", "Energy talks", "Ministers discussed energies and pipelines in Astana."),
}


def _id(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()


def _row(name: str, language: str, title: str, text: str, fetched: datetime) -> dict[str, Any]:
    return {"id": _id(name), "url": f"https://example.test/{name}", "source": "example", "title": title,
            "description": None, "text": text, "authors": [], "published_at": fetched - timedelta(hours=1),
            "fetched_at": fetched, "language": language, "content_hash": _id("c" + name), "story_id": _id(name),
            "extractor": "trafilatura", "run_id": "r1"}


def _store(db: Path, rows: list[dict[str, Any]]) -> None:
    """Upsert articles with the crawler's own named statement (without the crawler's index hook)."""
    with writer(db) as w:
        w.write_batch("crawl_upsert_articles", pa.Table.from_pylist(rows))


def _found(db: Path, text: str) -> set[str]:
    """The ids of the articles a search matches (the index hands over keys, or non-matching keys)."""
    found = search.matches(db, text)
    with reader(db) as r:
        keyed = dict(r.con.execute("SELECT hash(id), id FROM articles").fetchall())
    keys = {int(k) for k in found.keys.to_pylist()}
    ids = {aid for key, aid in keyed.items() if (key in keys) != found.exclude}
    assert len(ids) == found.count
    return ids


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    _store(path, [_row(name, *values, T0 + timedelta(minutes=i)) for i, (name, values) in enumerate(ARTICLES.items())])
    search.sync(path)
    return path


# queries -> the articles each of them finds
MATCHES: dict[tuple[str, ...], set[str]] = {
    # Russian: stems ("России" finds "Россией" and "России"), prefixes, case, ё as е
    ("России", "россия"): {"ru-russia", "ru-rossiey"},
    ("энерг", "ЭНЕРГЕТИКА"): {"ru-russia"},
    ("елка", "ёлки"): {"ru-yolka"},
    # Ukrainian: prefix and case folding ("Україна" in capitals, "України"), stems of the Russian stemmer
    ("україн", "Україна"): {"uk-ukraine", "uk-upper"},
    ("енергетичн",): {"uk-ukraine"},
    # Kazakh: inflected forms by prefix ("Ресейдің", "Астанаға"), Kazakh letters case-folded
    ("Ресей", "Астана"): {"kk-resey"},
    ("қазақстан",): {"kk-kazakh"},
    # English: stems and prefixes
    ("energy", "pipeline", "ASTANA"): {"en-energy"},
    # every word must match, in title or text
    ("энергетика газ", "визит Президент"): {"ru-russia"},
    ("энергетика Казахстан",): set(),
    # no words: nothing
    ("%",): set(),
}


@pytest.mark.parametrize(("text", "expected"), [(text, names) for texts, names in MATCHES.items() for text in texts])
def test_matching_folds_case_and_matches_prefixes_and_stems(db: Path, text: str, expected: set[str]) -> None:
    assert _found(db, text) == {_id(name) for name in expected}


def test_most_articles_matching_hands_over_the_rest(db: Path) -> None:
    rows = [_row(f"common-{i}", "en", "Common", "grain exports", T0 + timedelta(hours=1, seconds=i))
            for i in range(30)]
    _store(db, rows)
    found = search.matches(db, "grain")
    assert found.exclude and found.count == 30 and len(found.keys) == len(ARTICLES)
    assert _found(db, "grain") == {r["id"] for r in rows}


def test_rewriting_an_article_keeps_one_document_with_the_new_text(db: Path) -> None:
    name = "ru-yolka"
    for i in range(2):  # the same batch twice: still one document
        _store(db, [_row(name, "ru", "Праздник", "На площади поставили сосну.", T0 + timedelta(days=1, seconds=i))])
        search.sync(db)
    index = search.index_dir(db)
    assert json.loads((index / search.STATE_FILE).read_text())["articles"] == len(ARTICLES)
    assert _found(db, "сосна") == {_id(name)}
    assert _found(db, "ёлка") == set()
    assert search.matches(db, "праздник").count == 1


def test_an_index_left_behind_is_caught_up_before_a_search(db: Path) -> None:
    # Written without the hook, as when a process dies between the warehouse's commit and the index's.
    _store(db, [_row("late", "ru", "Поздно", "Нефтепровод открыли.", T0 + timedelta(days=2))])
    assert _found(db, "нефтепровод") == {_id("late")}
    # A refreshed article whose text changed is caught up the same way.
    _store(db, [_row("late", "ru", "Поздно", "Газопровод открыли.", T0 + timedelta(days=3))])
    assert _found(db, "нефтепровод") == set() and _found(db, "газопровод") == {_id("late")}


def test_articles_behind_the_recorded_time_are_found_by_a_rebuild(db: Path) -> None:
    # Written with an older fetched_at than the index has seen (another crawl's buffered batch): catching
    # up by time misses it, the count does not, and the index is rebuilt.
    _store(db, [_row("old", "kk", "Ескі", "Алматыда жиналыс өтті.", T0 - timedelta(days=30))])
    assert _found(db, "алматы") == {_id("old")}


def test_a_writer_s_batch_is_indexed_even_when_older_than_the_newest_seen(db: Path) -> None:
    # A rewrite committed after a newer batch (another crawl buffered it): the count does not change and
    # its fetched_at is behind the index's newest, so the writer names the ids it committed.
    _store(db, [_row("ru-yolka", "ru", "Праздник", "На площади поставили сосну.", T0 - timedelta(days=1))])
    search.sync(db, ids=[_id("ru-yolka")])
    assert _found(db, "сосна") == {_id("ru-yolka")} and _found(db, "ёлка") == set()


def test_an_index_of_another_format_or_a_lost_state_is_rebuilt(db: Path) -> None:
    state_file = search.index_dir(db) / search.STATE_FILE
    state = json.loads(state_file.read_text())
    state_file.write_text(json.dumps({**state, "format": search.FORMAT - 1}))
    assert _found(db, "России") == {_id("ru-russia"), _id("ru-rossiey")}
    state_file.unlink()
    assert _found(db, "Ресей") == {_id("kk-resey")}
    assert json.loads(state_file.read_text()) == state


def test_a_missing_index_is_built_on_first_search(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _store(path, [_row("one", "ru", "Один", "Текст о зерне.", T0)])
    assert not search.index_dir(path).exists()
    assert _found(path, "зерно") == {_id("one")}


@pytest.fixture
def held_index(db: Path) -> Iterator[Path]:
    """The index's lock held by another thread (as by another process rebuilding it)."""
    lock = FileLock(f"{search.index_dir(db)}.lock", thread_local=False)
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            taken.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(5)
    try:
        yield db
    finally:
        release.set()
        holder.join()


def test_an_index_behind_and_busy_is_reported_not_used(held_index: Path) -> None:
    _store(held_index, [_row("late", "ru", "Поздно", "Нефтепровод открыли.", T0 + timedelta(days=2))])
    with pytest.raises(search.SearchUnavailable, match="held the search index"):
        search.matches(held_index, "нефтепровод", timeout=0.2)


def test_a_current_index_answers_while_another_process_holds_its_lock(held_index: Path) -> None:
    assert _found(held_index, "России") == {_id("ru-russia"), _id("ru-rossiey")}


def test_the_reindex_command_rebuilds_the_index(db: Path) -> None:
    import subprocess
    import sys
    state_file = search.index_dir(db) / search.STATE_FILE
    state_file.unlink()
    done = subprocess.run([sys.executable, "-m", "stancewatch.cli", "--db", str(db), "search", "reindex", "--full"],
                          capture_output=True, text=True, timeout=120, check=False,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert f"{len(ARTICLES)} articles" in " ".join(done.stdout.split())  # rich wraps long paths at 80 columns
    assert json.loads(state_file.read_text())["articles"] == len(ARTICLES)
    assert _found(db, "России") == {_id("ru-russia"), _id("ru-rossiey")}
