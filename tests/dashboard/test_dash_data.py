"""The data module on the fixture warehouse: every query, its filters, and the numbers pages show."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from dash_fixture import MODEL_ID, MODEL_NAME, build

from dashboard import data
from warehouse import writer
from warehouse.errors import WarehouseMissing
from warehouse.filters import Filters
from warehouse.sql import query_names


def test_models_and_overview(fixture_db: Path) -> None:
    models = data.models(str(fixture_db))
    assert [m.id for m in models] == [MODEL_ID] and models[0].label.startswith(MODEL_NAME)
    row = data.overview(str(fixture_db), MODEL_ID)
    assert row["articles"] == 616 and row["stance_rows"] == 1232 and row["sources"] == 6


def test_options_offer_what_the_data_holds(fixture_db: Path) -> None:
    opts = data.options(str(fixture_db), MODEL_ID)
    assert set(opts.countries) == {"RU", "KZ", "UA", "US", "CN"}
    assert set(opts.outlet_countries) == {"RU", "KZ", "UA"} and "quiet.kz" in opts.outlets
    assert set(opts.languages) == {"ru", "kk", "uk"}


def test_trend_points_carry_counts_and_intervals_and_split_changes_groups(fixture_db: Path) -> None:
    db = str(fixture_db)
    plain = data.trend(db, MODEL_ID, Filters(countries=("RU",)), "week", "none")
    assert set(plain["group"]) == {"RU"}
    assert plain["n_articles"].sum() == data.article_count(db, MODEL_ID, Filters(countries=("RU",)))
    dense = plain[~plain["sparse"]]
    assert not dense.empty and (dense["lo"] <= dense["hi"]).all() and (dense["n_outlets"] >= 2).all()
    split = data.trend(db, MODEL_ID, Filters(countries=("RU",)), "month", "outlet_country")
    assert set(split["split_value"]) == {"KZ", "UA"}
    # Kazakh outlets turn critical of Russia in the fixture's last five weeks.
    kz = data.trend(db, MODEL_ID, Filters(countries=("RU",), outlet_countries=("KZ",)), "week", "none")
    assert kz["mean"].iloc[1] > 0.1 and kz["mean"].iloc[-2] < -0.2
    with pytest.raises(ValueError, match="granularity"):
        data.trend(db, MODEL_ID, Filters(), "year", "none")


def test_trend_date_filter_is_inclusive(fixture_db: Path) -> None:
    db = str(fixture_db)
    day = data.overview(db, MODEL_ID)["last_published"].date() - timedelta(days=3)
    points = data.trend(db, MODEL_ID, Filters(date_from=day, date_to=day), "day", "none")
    assert list(points["period"].dt.date.unique()) == [day]


def test_matrix_means_counts_and_shares(fixture_db: Path) -> None:
    cells = data.matrix(str(fixture_db), MODEL_ID, Filters())
    assert cells["n"].sum() == 1232
    shares = cells.groupby("outlet_country")["share"].sum()
    assert ((shares - 1).abs() < 1e-9).all()
    kz_ru = cells[(cells.outlet_country == "KZ") & (cells.target == "RU")].iloc[0]
    assert kz_ru["mean_stance"] < cells[(cells.outlet_country == "KZ") & (cells.target == "US")].iloc[0]["mean_stance"]
    only = data.matrix(str(fixture_db), MODEL_ID, Filters(outlets=("tass.ru",)))
    assert set(only["outlet_country"]) == {"RU"}


def test_articles_filters_and_paging(fixture_db: Path) -> None:
    db = str(fixture_db)
    everything = data.article_count(db, MODEL_ID, Filters())
    assert everything == 616
    critical = Filters(countries=("RU",), stance_max=-0.2)
    rows = data.articles(db, MODEL_ID, critical, 20, 0)
    assert 0 < len(rows) <= 20
    assert all(s["stance"] <= -0.2 and s["country"] == "RU" for stances in rows["stances"] for s in stances)
    assert rows["published_at"].is_monotonic_decreasing
    second = data.articles(db, MODEL_ID, critical, 20, 20)
    assert not set(rows["id"]) & set(second["id"])
    text = data.articles(db, MODEL_ID, Filters(text="kazinform.kz report"), 500, 0)
    assert set(text["outlet"]) == {"kazinform.kz"}
    assert data.article_count(db, MODEL_ID, Filters(languages=("kk",))) == 70


def test_article_detail_gives_evidence_with_offsets_inside_the_sentence(fixture_db: Path) -> None:
    db = str(fixture_db)
    first = data.articles(db, MODEL_ID, Filters(), 1, 0).iloc[0]
    detail = data.article_detail(db, MODEL_ID, first["id"])
    assert detail is not None and detail["article"]["url"] == first["url"]
    mentions = detail["mentions"]
    assert len(mentions) == 2 and set(detail["stance"]["label"]) <= {"critical", "neutral", "favourable"}
    for m in mentions.itertuples():
        assert m.sentence[m.start_in_sentence:m.end_in_sentence] == m.surface
        assert abs(m.p_negative + m.p_neutral + m.p_positive - 1) < 1e-9
    assert data.article_detail(db, MODEL_ID, "nope") is None


def test_source_health_flags_volume_drop_and_error_rate(fixture_db: Path) -> None:
    health = data.source_health(str(fixture_db)).set_index("name")
    assert health.loc["quiet.kz", "volume_drop"] and not health.loc["tass.ru", "volume_drop"]
    assert health.loc["ukrinform.ua", "error_rate"] == pytest.approx(0.5)
    assert health.loc["tass.ru", "error_rate"] == 0
    assert all(len(v) == 28 for v in health["per_day"])
    assert pd.notna(health.loc["tass.ru", "last_good_crawl"])


def test_runs_jobs_schedules(fixture_db: Path) -> None:
    db = str(fixture_db)
    assert list(data.crawl_runs(db)["status"]) == ["done", "failed"]
    assert list(data.jobs(db)["state"]) == ["queued"]
    assert list(data.schedules(db)["cron"]) == ["0 */6 * * *"]


def test_empty_warehouse_gives_empty_frames(empty_db: Path) -> None:
    db = str(empty_db)
    assert data.models(db) == []
    assert data.overview(db, None)["articles"] == 0
    assert data.trend(db, "x", Filters(), "week", "none").empty
    assert data.matrix(db, "x", Filters()).empty
    assert data.articles(db, "x", Filters(), 10, 0).empty
    assert data.source_health(db).empty


def test_source_health_counts_whole_days_early_in_the_day(tmp_path: Path) -> None:
    # Before the fixture's first fetch hour a timestamp window would reach into a 29th day; the error
    # rate must cover the same 28 calendar days as the per-day series at any time of day.
    now = datetime(2026, 6, 10, 2, 30)
    build(tmp_path / "early.duckdb", now=now)
    health = data.source_health(str(tmp_path / "early.duckdb"), now=now).set_index("name")
    assert health.loc["ukrinform.ua", "error_rate"] == pytest.approx(0.5)
    assert all(len(v) == 28 for v in health["per_day"])


def test_missing_warehouse_says_so(tmp_path: Path) -> None:
    with pytest.raises(WarehouseMissing, match="stancewatch init"):
        data.models(str(tmp_path / "none.duckdb"))


def test_bind_passes_only_the_parameters_a_query_names() -> None:
    params = {**Filters(date_from=date(2024, 1, 1)).params(), "model_id": "m", "extra": 1}
    bound = data.bind("dashboard_article_count", params)
    assert "extra" not in bound and bound["date_from"] == date(2024, 1, 1)
    assert "text" not in data.bind("dashboard_mem_matrix", params)
    with pytest.raises(KeyError, match="model_id"):
        data.bind("dashboard_article_count", Filters().params())


def test_every_dashboard_query_is_used_by_the_data_module() -> None:
    source = Path(data.__file__).read_text(encoding="utf-8")
    unused = [n for n in query_names() if n.startswith("dashboard_") and f'"{n}"' not in source]
    assert unused == []


@pytest.mark.parametrize("filters", [
    Filters(),
    Filters(countries=("RU",), stance_max=-0.2),
    Filters(countries=("KZ", "UA"), outlet_countries=("RU",), stance_min=0.1),
    Filters(text="report 3", languages=("ru",)),
    Filters(countries=("CN",), stance_min=0.9),  # matches nothing or almost nothing: widens to the end
])
def test_paged_lookup_matches_the_one_query_fallback(fixture_db: Path, filters: Filters,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(fixture_db)
    for offset in (0, 20):
        two_step = data.articles(db, MODEL_ID, filters, 20, offset)
        monkeypatch.setattr(data, "MAX_CANDIDATES", 1)  # forces the fallback at once
        data.clear_cache()
        one_query = data.articles(db, MODEL_ID, filters, 20, offset)
        monkeypatch.setattr(data, "MAX_CANDIDATES", 20_000)
        data.clear_cache()
        assert list(two_step["id"]) == list(one_query["id"])
        assert list(two_step["stance"]) == list(one_query["stance"])


@pytest.mark.parametrize("filters", [
    Filters(), Filters(countries=("RU",)), Filters(countries=("RU",), outlet_countries=("KZ",),
                                                   date_from=date.today() - timedelta(days=20)),
    Filters(countries=("RU", "KZ")), Filters(outlets=("tass.ru",)), Filters(countries=("UA",), stance_min=0.0),
])
def test_fast_counts_equal_the_counting_query(fixture_db: Path, filters: Filters) -> None:
    db = str(fixture_db)
    exact = int(data.run_df(db, "dashboard_article_count", {**filters.params(), "model_id": MODEL_ID}).iloc[0]["n"])
    assert data.article_count(db, MODEL_ID, filters) == exact


def test_snapshot_is_rebuilt_when_the_warehouse_changed(fixture_db: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from warehouse import writer
    db = tmp_path / "w.duckdb"
    shutil.copy(fixture_db, db)
    first = data.snapshot(str(db), MODEL_ID)
    assert first.rows == 1232
    assert data.snapshot(str(db), MODEL_ID) is first  # young: reused without asking the warehouse
    with writer(db) as w:
        w.con.execute("DELETE FROM article_stance WHERE country = 'CN'")
    assert data.snapshot(str(db), MODEL_ID) is first  # still young: at most one rebuild a minute
    monkeypatch.setattr(data, "CUBE_MIN_AGE_S", 0.0)
    # Changed: the pages keep the snapshot they have while the new one is built in its own thread.
    assert data.snapshot(str(db), MODEL_ID) is first
    assert data.snapshot_settled()
    rebuilt = data.snapshot(str(db), MODEL_ID)
    assert rebuilt is not first and "CN" not in set(rebuilt.df("dashboard_mem_matrix", Filters().params())["target"])
    assert data.snapshot(str(db), MODEL_ID) is rebuilt  # unchanged warehouse: same snapshot


def test_a_rebuild_started_before_the_dashboard_wrote_is_not_installed(fixture_db: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """clear_cache (the dashboard wrote, e.g. a correction) wins over a rebuild already running: the next page
    waits for a snapshot read after the write, never the older one the running rebuild finishes with."""
    import shutil

    from warehouse import writer
    db = tmp_path / "w.duckdb"
    shutil.copy(fixture_db, db)
    data.clear_cache()
    first = data.snapshot(str(db), MODEL_ID)
    with writer(db) as w:
        w.con.execute("DELETE FROM article_stance WHERE country = 'CN'")
    monkeypatch.setattr(data, "CUBE_MIN_AGE_S", 0.0)
    started = threading.Event()
    release = threading.Event()
    slow_snapshot = data.Snapshot

    def held(*args: Any, **kwargs: Any) -> data.Snapshot:
        started.set()
        release.wait(30)
        return slow_snapshot(*args, **kwargs)

    monkeypatch.setattr(data, "Snapshot", held)
    assert data.snapshot(str(db), MODEL_ID) is first  # stale, and a rebuild (without CN) is running
    assert started.wait(30)
    monkeypatch.setattr(data, "Snapshot", slow_snapshot)
    with writer(db) as w:
        w.con.execute("DELETE FROM article_stance WHERE country = 'RU'")
    data.clear_cache()
    release.set()
    assert data.snapshot_settled()  # the older rebuild has finished, and must not have been installed
    after = data.snapshot(str(db), MODEL_ID)
    targets = set(after.df("dashboard_mem_matrix", Filters().params())["target"])
    assert "RU" not in targets and "CN" not in targets
    assert data.snapshot(str(db), MODEL_ID) is after


@pytest.mark.parametrize("first_rows", [1, data.FIRST_ROWS_PER_ARTICLE])
@pytest.mark.parametrize("filters", [Filters(), Filters(countries=("RU",)), Filters(stance_max=-0.2),
                                     Filters(outlet_countries=("KZ",), languages=("ru",))])
def test_snapshot_pages_equal_the_warehouse_pages(fixture_db: Path, tmp_path: Path, filters: Filters,
                                                  first_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # The snapshot's page (a top-N over its stance rows) and the warehouse's one-query page (a grouping of
    # them): undated articles and ties on the date must come out in the same order in both. first_rows 1
    # cuts most pages' first top-N short of whole articles, so they take the second, wider one.
    monkeypatch.setattr(data, "FIRST_ROWS_PER_ARTICLE", first_rows)
    db = tmp_path / "ties.duckdb"
    db.write_bytes(fixture_db.read_bytes())
    with writer(db) as w:
        ids = [row[0] for row in w.con.execute("SELECT id FROM articles ORDER BY id LIMIT 12").fetchall()]
        w.con.execute("UPDATE articles SET published_at = NULL WHERE id IN ?", [ids[:4]])
        w.con.execute("UPDATE articles SET published_at = (SELECT max(published_at) FROM articles) WHERE id IN ?",
                      [ids[4:]])
    data.clear_cache()
    total = data.article_count(str(db), MODEL_ID, filters)
    pages = []
    for offset in range(0, total + 20, 20):
        mem = data.articles(str(db), MODEL_ID, filters, 20, offset)
        one = data.run_df(str(db), "dashboard_articles",
                          {**filters.params(), "model_id": MODEL_ID, "limit": 20, "offset": offset})
        assert list(mem["id"]) == list(one["id"]), offset
        assert [list(s) for s in mem["stances"]] == [list(s) for s in one["stances"]], offset
        pages.extend(mem["id"])
    assert len(pages) == len(set(pages)) == total > 20
    if filters == Filters():  # undated articles come last
        assert set(pages[-4:]) == set(ids[:4])
