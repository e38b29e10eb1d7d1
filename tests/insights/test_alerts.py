"""The stance-shift detector on synthetic series, and its storage: one shift found at its week, stable
series left alone, support and effect rules applied, recompute idempotent and per model."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from insights.alert_list import list_alerts
from insights.alert_rules import AlertRules
from insights.alerts import detect, recompute
from insights.stats import cluster_change_interval
from warehouse import reader, writer
from warehouse.filters import Filters
from warehouse.models import newest_model

RULES = AlertRules(min_articles_per_side=30, min_outlets_per_side=2, min_effect=0.2, penalty=3.0,
                   min_weeks_per_side=3, refine_weeks=2, movers=3, evidence_articles=2)
START = date(2026, 1, 5)  # a Monday
SHIFT_WEEK = 12


def _rows(outlets: dict[str, tuple[str, float, float]], *, weeks: int = 24, per_week: int = 4,
          seed: int = 1) -> pd.DataFrame:
    """Stance rows toward RU: outlet -> (outlet country, mean before week SHIFT_WEEK, mean from it on)."""
    rng = np.random.default_rng(seed)
    rows = []
    for outlet, (country, before, after) in outlets.items():
        for w in range(weeks):
            for k in range(per_week):
                mean = before if w < SHIFT_WEEK else after
                rows.append({"article_id": f"{outlet}-{w}-{k}", "week": START + timedelta(weeks=w),
                             "target": "RU", "outlet": outlet, "outlet_country": country,
                             "stance": float(np.clip(rng.normal(mean, 0.35), -1, 1))})
    return pd.DataFrame(rows)


def test_a_shift_is_found_at_its_week_with_its_sides() -> None:
    rows = _rows({"kz-a": ("KZ", 0.3, -0.3), "kz-b": ("KZ", 0.2, -0.4), "kz-c": ("KZ", 0.1, 0.0)})
    found = detect(rows, RULES)
    by_series = {(a["series"], a["outlet"]): a for a in found}
    assert set(by_series) == {("outlet", "kz-a"), ("outlet", "kz-b"), ("outlet_country", None)}
    for alert in found:
        assert abs((alert["week"] - (START + timedelta(weeks=SHIFT_WEEK))).days) <= 7
        assert alert["after"] < alert["before"]
        assert alert["before_lo"] <= alert["before"] <= alert["before_hi"]
        assert alert["after_lo"] <= alert["after"] <= alert["after_hi"]
    country = by_series[("outlet_country", None)]
    assert country["outlets_before"] == country["outlets_after"] == 3
    assert [m["outlet"] for m in country["movers"]][:2] in (["kz-a", "kz-b"], ["kz-b", "kz-a"])
    assert country["movers"][-1]["outlet"] == "kz-c"  # the one that hardly moved comes last


def test_a_country_shift_is_judged_by_its_change_not_by_its_sides_against_each_other() -> None:
    # Three outlets far apart (0.5, 0.0, -0.5), each turning by -0.3: resampling outlets, each side's interval
    # spans the outlets' levels and the two overlap, but every outlet moved, so the change's interval is clear.
    rows = _rows({"kz-a": ("KZ", 0.5, 0.2), "kz-b": ("KZ", 0.0, -0.3), "kz-c": ("KZ", -0.5, -0.8)}, per_week=10)
    country = [a for a in detect(rows, RULES) if a["series"] == "outlet_country"]
    assert len(country) == 1, country
    assert country[0]["after_hi"] > country[0]["before_lo"]  # the sides' intervals overlap
    shifted = rows["week"] >= START + timedelta(weeks=SHIFT_WEEK)
    lo, hi = cluster_change_interval(rows[~shifted], rows[shifted])
    assert lo < country[0]["after"] - country[0]["before"] < hi < 0
    # the same outlets, none of them moving: no change to speak of, and its interval holds zero
    still = _rows({"kz-a": ("KZ", 0.5, 0.5), "kz-b": ("KZ", 0.0, 0.0), "kz-c": ("KZ", -0.5, -0.5)}, per_week=10)
    assert detect(still, RULES) == []
    lo, hi = cluster_change_interval(still[~shifted], still[shifted])
    assert lo < 0 < hi


def test_stable_series_give_no_alert() -> None:
    rows = _rows({f"o{i}": ("TR", 0.1 * i - 0.2, 0.1 * i - 0.2) for i in range(5)}, seed=7)
    assert detect(rows, RULES) == []


def test_support_and_effect_rules() -> None:
    rows = _rows({"one": ("US", 0.3, -0.3)})
    assert len(detect(rows, RULES)) == 1  # the outlet series; its country has one outlet only
    assert detect(rows, AlertRules(**{**RULES.__dict__, "min_articles_per_side": 60})) == []
    small = _rows({"one": ("US", 0.1, -0.05)}, per_week=30)
    assert detect(small, RULES) == []  # clear, but under min_effect
    assert len(detect(small, AlertRules(**{**RULES.__dict__, "min_effect": 0.1}))) == 1


def _store(db: Path, rows: pd.DataFrame, model_id: str) -> None:
    t = datetime(2026, 7, 1)
    with writer(db) as w:
        con = w.con
        for outlet, country in rows[["outlet", "outlet_country"]].drop_duplicates().itertuples(index=False):
            con.execute("INSERT OR IGNORE INTO sources VALUES (?, ?, ?, 'en', [], [], NULL, [], true, ?)",
                        [outlet, f"https://{outlet}.example/", country, t])
        con.execute("INSERT OR IGNORE INTO models VALUES (?, 'm', '1', 'sha', ['en'], '{}', ?)", [model_id, t])
        con.execute("INSERT OR IGNORE INTO model_aggregation VALUES (?, 1, ?)", [model_id, t])
        for r in rows.itertuples():
            published = datetime.combine(r.week, datetime.min.time()) + timedelta(days=2)
            con.execute("INSERT OR IGNORE INTO articles (id, url, source, title, text, published_at, fetched_at, "
                        "content_hash, story_id, extractor) VALUES (?, ?, ?, ?, 'text', ?, ?, ?, ?, 'test')",
                        [r.article_id, f"https://x.example/{r.article_id}", r.outlet, f"Title {r.article_id}",
                         published, t, r.article_id, r.article_id])
            evidence = [{"sentence": f"Sentence of {r.article_id}.", "polarity": r.stance},
                        {"sentence": "The other way.", "polarity": -r.stance}]
            con.execute("INSERT INTO article_stance VALUES (?, 'RU', ?, ?, 'neutral', 0.5, 2, ?, ?, 1)",
                        [r.article_id, model_id, r.stance, json.dumps(evidence), t])


def test_recompute_stores_alerts_once_per_model_with_evidence(db_path: Path) -> None:
    rows = _rows({"kz-a": ("KZ", 0.3, -0.3), "kz-b": ("KZ", 0.2, -0.4)})
    _store(db_path, rows, "m1")
    _store(db_path, _rows({"kz-a": ("KZ", 0.1, 0.1), "kz-b": ("KZ", 0.1, 0.1)}, seed=3)
           .assign(article_id=lambda d: "s" + d["article_id"]), "m2")
    first = recompute(db_path, "m1", RULES, now=datetime(2026, 7, 2))
    again = recompute(db_path, "m1", RULES, now=datetime(2026, 7, 3))
    assert first.alerts == again.alerts == 3
    assert recompute(db_path, "m2", RULES).alerts == 0
    with reader(db_path) as r:
        stored = r.fetch("alerts_list", {"model_id": "m1", "countries": None, "outlet_countries": None,
                                         "date_from": None, "date_to": None})
    assert len(stored) == 3  # replaced, not added to
    alerts = list_alerts(db_path, "m1")
    assert {a["computed_at"] for a in alerts} == {"2026-07-03T00:00:00"}
    for alert in alerts:
        assert alert["aggregation"] == 1 and alert["model_id"] == "m1"
        assert len(alert["evidence"]) == 2
        for quote in alert["evidence"]:
            assert quote["stance"] < alert["before"]
            assert quote["sentences"] == [f"Sentence of {quote['article_id']}."]  # the shift's way only
    assert list_alerts(db_path, "m1", Filters(countries=("CN",))) == []
    assert list_alerts(db_path, "m1", Filters(date_from=START + timedelta(weeks=SHIFT_WEEK + 3))) == []
    assert newest_model(db_path, scored=True) in ("m1", "m2")


@pytest.mark.parametrize("weeks", [0, 2])
def test_too_short_or_empty_series(weeks: int) -> None:
    rows = _rows({"a": ("KZ", 0.5, -0.5)}, weeks=weeks)
    assert detect(rows, RULES) == []


def test_alert_settings_are_validated(tmp_path: Path) -> None:
    from stancewatch.errors import SettingsError
    from stancewatch.settings import load_settings

    assert AlertRules(**load_settings(environ={}).alerts.model_dump()).min_articles_per_side >= 2
    config = tmp_path / "stancewatch.toml"
    config.write_text("[alerts]\nmin_effect = -0.5\n")
    with pytest.raises(SettingsError, match=r"alerts\.min_effect"):
        load_settings(config, environ={})


def test_a_break_is_refined_to_the_best_split_near_it() -> None:
    from insights.alerts import _refined, _WeightedL2

    # 20 weeks of 10 articles each, the mean shifting at week 12: PELT's break, if placed at week 10, moves
    # to 12 (within refine_weeks = 2); with refine_weeks = 0 it stays; a break 4 weeks off moves only 2.
    means = [0.3] * 12 + [-0.3] * 8
    signal = np.array([[10 * m, 10, 10 * (m * m + 0.01)] for m in means])
    cost = _WeightedL2().fit(signal)
    assert _refined([10], cost, len(means), RULES) == [12]
    assert _refined([10], cost, len(means), AlertRules(**{**RULES.__dict__, "refine_weeks": 0})) == [10]
    assert _refined([8], cost, len(means), RULES) == [10]
