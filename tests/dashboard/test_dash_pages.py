"""AppTest for every page: content on the fixture warehouse, filter changes, empty and missing warehouses,
Crawl now, schedules, the export download, and the password gate."""

from __future__ import annotations

from pathlib import Path

import pytest
from dash_fixture import MODEL_NAME
from streamlit.testing.v1 import AppTest

from dashboard import auth, data
from warehouse import jobs

APP = Path(data.__file__).resolve().parent / "app.py"
PAGES = ["views/trends.py", "views/matrix.py", "views/articles.py", "views/sources.py", "views/export.py"]
TIMEOUT = 60


def _app(db: Path, monkeypatch: pytest.MonkeyPatch, query: dict[str, object] | None = None,
         page: str | None = None) -> AppTest:
    monkeypatch.setenv("STANCEWATCH_DB", str(db))
    monkeypatch.delenv(auth.HASH_ENV, raising=False)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if page:
        at.run()
        at.switch_page(page)
        at.query_params.clear()  # the sidebar's links clear the query string; so does this
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title")
             for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def _frame(at: AppTest, index: int = 0):  # type: ignore[no-untyped-def]
    return at.dataframe[index].value


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_fixture_and_names_the_model(fixture_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                               page: str) -> None:
    at = _app(fixture_db, monkeypatch, page=page)
    assert not at.error, [e.value for e in at.error]
    if page != "views/sources.py":
        assert MODEL_NAME in _texts(at)


def test_trends_filter_changes_what_is_shown_and_lands_in_the_url(fixture_db: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(fixture_db, monkeypatch)
    assert len(at.get("plotly_chart")) == 1
    countries = at.sidebar.multiselect[0]
    assert countries.label == "Target countries" and len(countries.value) == 3
    countries.set_value(["RU"]).run()
    at.radio[1].set_value("outlet_country").run()  # split by outlet country
    assert not at.exception
    assert at.query_params["country"] == "RU" and at.query_params["split"] == "outlet_country"
    points = _frame(at)
    assert set(points["target"]) == {"RU"} and set(points["split_value"]) == {"KZ", "UA"}


def test_trends_view_is_restored_from_a_shared_url(fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(fixture_db, monkeypatch, {"country": ["KZ", "US"], "grain": "month", "split": "language"})
    assert at.sidebar.multiselect[0].value == ["KZ", "US"]
    assert at.radio[0].value == "month" and at.radio[1].value == "language"
    assert set(_frame(at)["target"]) == {"KZ", "US"}


def test_matrix_switches_to_volume_share(fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(fixture_db, monkeypatch, page="views/matrix.py")
    assert len(at.get("plotly_chart")) == 1
    at.radio[0].set_value("share").run()
    assert at.query_params["view"] == "share"
    at.sidebar.multiselect[2].set_value(["RU"]).run()  # outlet countries
    assert set(_frame(at)["outlet_country"]) == {"RU"}


def test_articles_filter_narrows_the_list_and_a_chosen_article_shows_its_evidence(
        fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(fixture_db, monkeypatch, page="views/articles.py")
    assert "**616** articles match." in _texts(at)
    at.sidebar.text_input[0].set_value("kazinform.kz report").run()
    assert "**70** articles match." in _texts(at)
    assert at.query_params["q"] == "kazinform.kz report"
    found = data.articles(str(fixture_db), "m-test-1", data.Filters(text="kazinform.kz report"), 1, 0)
    first = str(found.iloc[0]["id"])
    at = _app(fixture_db, monkeypatch, {"q": "kazinform.kz report", "article": first}, page="views/articles.py")
    text = _texts(at)
    assert "<mark>" in text and "open the original" in text and "negative" in text
    assert len(at.get("plotly_chart")) == 1  # the probabilities


def test_articles_from_a_selected_point_link(fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(fixture_db, monkeypatch, {"country": "RU", "outlet_country": "KZ", "smax": "-0.2"},
              page="views/articles.py")
    assert at.sidebar.multiselect[0].value == ["RU"] and at.sidebar.multiselect[2].value == ["KZ"]
    rows = _frame(at)
    assert set(rows["outlet_country"]) == {"KZ"} and all("critical" in s for s in rows["stance"])


def test_sources_page_health_crawl_now_and_schedules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dash_fixture import build
    db = tmp_path / "w.duckdb"
    build(db)
    at = _app(db, monkeypatch, page="views/sources.py")
    assert "quiet.kz" in "\n".join(w.value for w in at.warning)
    assert list(_frame(at, 1)["status"]) == ["done", "failed"]
    before = len(jobs.list_jobs(db))
    crawl = next(b for b in at.button if b.label == "Crawl now")
    crawl.click().run()
    assert len(jobs.list_jobs(db)) == before + 1
    assert "is **queued**" in _texts(at)
    assert jobs.list_jobs(db)[0]["requested_by"] == "dashboard"

    cron = next(t for t in at.text_input if t.label == "Cron" and t.key == "new_cron")
    cron.set_value("61 * * * *").run()
    assert any("not valid" in e.value for e in at.error)
    assert next(b for b in at.button if b.label == "Add schedule").disabled
    next(t for t in at.text_input if t.key == "new_cron").set_value("30 2 * * 1").run()
    assert "Next runs (UTC): Mon" in _texts(at)
    next(t for t in at.text_input if t.label == "Name").set_value("weekly").run()
    next(b for b in at.button if b.label == "Add schedule").click().run()
    assert [s["name"] for s in jobs.list_schedules(db)] == ["every six hours", "weekly"]

    at.toggle[0].set_value(True).run()
    next(b for b in at.button if b.label == "Save changes").click().run()
    assert jobs.list_schedules(db)[0]["paused"] is True


def test_export_page_prepares_a_download_with_its_manifest(fixture_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    import shutil
    db = tmp_path / "copy.duckdb"
    shutil.copy(fixture_db, db)  # the export is recorded in the exports table: keep the shared fixture clean
    at = _app(db, monkeypatch, {"country": "KZ"}, page="views/export.py")
    next(b for b in at.button if b.label == "Prepare the export").click().run()
    assert not at.exception and not at.error
    assert any("rows" in s.value for s in at.success)
    assert len(at.get("download_button")) == 2


@pytest.mark.parametrize("page", PAGES)
def test_empty_warehouse_says_what_to_do(empty_db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = _app(empty_db, monkeypatch, page=page)
    text = _texts(at)
    assert "stancewatch crawl" in text or "Crawl now" in text
    assert not at.error


@pytest.mark.parametrize("page", PAGES)
def test_missing_warehouse_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = _app(tmp_path / "absent.duckdb", monkeypatch, page=page)
    assert "No warehouse at" in _texts(at) and "stancewatch crawl" in _texts(at)
    assert not (tmp_path / "absent.duckdb").exists()  # looking does not create it


@pytest.mark.parametrize("page", ["views/trends.py", "views/articles.py"])
def test_articles_without_scores_say_how_to_score(fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  page: str) -> None:
    import shutil

    from warehouse import writer
    db = tmp_path / "unscored.duckdb"
    shutil.copy(fixture_db, db)
    with writer(db) as w:
        w.con.execute("DELETE FROM article_stance")
    at = _app(db, monkeypatch, page=page)
    assert "none scored yet" in _texts(at) and "stancewatch score" in _texts(at)


def test_password_gate_asks_first(fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCEWATCH_DB", str(fixture_db))
    monkeypatch.setenv(auth.HASH_ENV, auth.hash_password("open sesame", iterations=1000))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.get("plotly_chart") and at.text_input[0].label == "Password"
    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert any("Wrong password" in e.value for e in at.error) and not at.get("plotly_chart")
    at.text_input[0].input("open sesame")
    at.button[0].click().run()
    assert not at.exception and len(at.get("plotly_chart")) == 1


@pytest.mark.parametrize("page", ["views/trends.py", "views/sources.py"])
def test_an_older_warehouse_says_how_to_migrate(fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                page: str) -> None:
    import shutil

    import duckdb
    db = tmp_path / "old.duckdb"
    shutil.copy(fixture_db, db)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM schema_version WHERE version = (SELECT max(version) FROM schema_version)")
    con.close()
    at = _app(db, monkeypatch, page=page)
    assert any("stancewatch init" in e.value for e in at.error)
