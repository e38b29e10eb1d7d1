"""An export's text filter is the dashboard's search: through the same full-text index (case-folded word
prefixes and stems, in Russian, Ukrainian and Kazakh too), and the same substring scan while the index is
unavailable; either way an export holds exactly the articles the dashboard's search lists."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dashboard"))  # the dashboard's fixture builder

from dash_fixture import MODEL_ID, build

from dashboard import data
from warehouse import search, writer
from warehouse.export import export
from warehouse.filters import Filters

# Articles of the region's languages, added to the dashboard's fixture: (id, source, language, title, text)
REGIONAL = [
    ("ru-rossiey", "tass.ru", "ru", "Соглашение", "Казахстан подписал соглашение с Россией о поставках."),
    ("ru-amerika", "ria.ru", "ru", "Обзор", "Американский посол выступил в Москве."),
    ("uk-upper", "ukrinform.ua", "uk", "ЗАЯВА", "УКРАЇНА ТА ПОЛЬЩА ПІДПИСАЛИ УГОДУ."),
    ("uk-ukrainy", "ukrinform.ua", "uk", "Новини", "Уряд України обговорив енергетичну безпеку."),
    ("kk-resey", "kazinform.kz", "kk", "Жаңалықтар", "Ресейдің сыртқы істер министрі Астанаға келді."),
    ("kk-kazakh", "kazinform.kz", "kk", "Экономика", "ҚАЗАҚСТАНДА мұнай өндіру артты."),
]
# search text -> the regional articles it must find (a case-folded word prefix, or a Russian stem)
EXPECTED = {
    "россия": {"ru-rossiey"},          # stem: "Россией"
    "україн": {"uk-upper", "uk-ukrainy"},  # prefix, case-folded: "УКРАЇНА", "України"
    "ресей": {"kk-resey"},             # prefix of the inflected "Ресейдің"
    "қазақстан": {"kk-kazakh"},        # Kazakh letters case-folded: "ҚАЗАҚСТАНДА"
    "кан": set(),                      # inside a word ("Американский"): a prefix search does not find it
}
TEXTS = [*EXPECTED, "Officials", "Kazakhstan Russia", "report 3-1"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export-search") / "w.duckdb"
    build(path)
    now = datetime.now(UTC).replace(tzinfo=None)
    with writer(path) as w:
        for i, (aid, source, language, title, text) in enumerate(REGIONAL):
            published = now - timedelta(days=i + 1)
            w.con.execute("INSERT INTO articles (id, url, source, title, text, published_at, fetched_at, language, "
                          "content_hash, story_id, extractor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'test')",
                          [aid, f"https://{source}/{aid}", source, title, text, published, published, language,
                           "c" + aid, aid])
            w.con.execute("INSERT INTO article_stance VALUES (?, 'RU', ?, -0.3, 'critical', 0.7, 1, ?, ?, 1)",
                          [aid, MODEL_ID, json.dumps([text]), now])
    return path


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    data.clear_cache()
    yield
    data.clear_cache()


def _exported(db: Path, tmp_path: Path, filters: Filters, level: str = "articles") -> list[str]:
    out = tmp_path / f"{level}.jsonl"
    export(db, filters, level=level, fmt="jsonl", out=out, code_version="t", record=False)
    return [json.loads(line)["article_id"] for line in out.read_text(encoding="utf-8").splitlines()]


def _listed(db: Path, filters: Filters) -> set[str]:
    """Every article the dashboard's Articles page lists for the filters."""
    count = data.article_count(str(db), MODEL_ID, filters)
    page = data.articles(str(db), MODEL_ID, filters, max(count, 1), 0)
    assert len(page) == count
    return set(page["id"])


@pytest.mark.parametrize("text", TEXTS)
def test_an_export_holds_what_the_dashboard_search_lists(db: Path, tmp_path: Path, text: str) -> None:
    filters = Filters(text=text)
    listed = _listed(db, filters)
    exported = _exported(db, tmp_path, filters)
    assert len(exported) == len(set(exported))
    assert set(exported) == listed
    stance_ids = _exported(db, tmp_path, filters, "stance")
    assert set(stance_ids) == listed  # the stance level is narrowed the same way
    if text in EXPECTED:
        assert listed & {aid for aid, *_ in REGIONAL} == EXPECTED[text]
    else:
        assert listed  # the English fixture's words: some articles or, for "Officials", most (keys excluded)


def test_most_articles_matching_hand_over_the_others(db: Path, tmp_path: Path) -> None:
    found = search.matches(db, "Officials")
    assert found.exclude  # the index lists the non-matching articles: the export must invert them
    exported = _exported(db, tmp_path, Filters(text="Officials", countries=("RU",)))
    assert set(exported) == _listed(db, Filters(text="Officials", countries=("RU",)))
    assert not set(exported) & {aid for aid, *_ in REGIONAL}  # their texts do not say "officials"


def test_while_the_index_is_unavailable_both_scan_by_substring(db: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def busy(db: str | Path, text: str, *, timeout: float = 0.0) -> search.Matches:
        raise search.SearchUnavailable(f"{db}: busy")
    monkeypatch.setattr(search, "matches", busy)
    filters = Filters(text="кан")  # a substring scan finds "Американский"
    exported = _exported(db, tmp_path, filters)
    assert set(exported) == _listed(db, filters) == {"ru-amerika"}
