"""Per-language temperatures (analysis.language_calibration), the shipped cards' dev_by_language blocks, and
the model_quality rows scoring records from them (analysis.model_quality) in a real DuckDB warehouse."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from analysis.evaluation import ece, softmax
from analysis.language_calibration import (
    DEV_SETS_BY_LANGUAGE,
    MIN_CALIBRATION_ROWS,
    LanguageRows,
    calibrate_card,
    cross_fitted_probabilities,
    fold_of,
    language_rows,
    language_temperatures,
)
from analysis.model import MODELS_DIR, OnnxRoute, read_registry
from analysis.model_quality import quality_rows
from analysis.scoring import score_warehouse
from tests.analysis.fakes import FakeScorer
from tests.analysis.test_scoring import article, insert
from warehouse import reader

MEASURED = ("en", "ru", "kk", "uk", "ky", "uz", "tr")
DEFAULT = "stancewatch-e5-small-v2"


def _overconfident(n: int, true_t: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logits whose labels are drawn from softmax(logits / true_t): a model overconfident by true_t."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, size=(n, 3))
    p = softmax(logits, true_t)
    gold = np.array([rng.choice(3, p=row) for row in p])
    groups = np.array([f"s{i // 2}" for i in range(n)])  # two targets per sentence
    return logits, gold, groups


def _card(folder: str) -> dict[str, Any]:
    return dict(json.loads((MODELS_DIR / folder / "card.json").read_text(encoding="utf-8")))


def _shipped_evaluation(name: str) -> dict[str, Any]:
    """A registry model's evaluation as analysis.model.load_scorer builds it, from the cards alone."""
    return {r["folder"]: {"languages": list(r["languages"]), "dev": _card(r["folder"]).get("dev", {}),
                          "dev_by_language": _card(r["folder"]).get("dev_by_language", {})}
            for r in read_registry()[name]["routes"]}


def test_english_pools_both_newsmtsc_dev_sets_and_absent_languages_are_left_out() -> None:
    logits = {"en_rw": np.zeros((3, 3)), "en_mt": np.ones((2, 3)), "kk": np.zeros((4, 3))}
    gold = {k: np.zeros(len(v), dtype=int) for k, v in logits.items()}
    groups = {k: np.array([f"g{i}" for i in range(len(v))]) for k, v in logits.items()}
    rows = language_rows(logits, gold, groups)
    assert set(rows) == {"en", "kk"}
    assert len(rows["en"].gold) == 5
    # the same sentence id in two sets is two groups (they are different sentences)
    assert len(set(rows["en"].groups)) == 5
    assert DEV_SETS_BY_LANGUAGE["en"] == ("en_rw", "en_mt")


def test_each_language_gets_the_temperature_its_rows_call_for() -> None:
    rows = {}
    for lang, true_t, seed in (("ru", 1.0, 1), ("kk", 2.5, 2)):
        logits, gold, groups = _overconfident(3000, true_t, seed)
        rows[lang] = LanguageRows(logits, gold, groups)
    small = _overconfident(MIN_CALIBRATION_ROWS - 1, 2.0, 3)
    rows["ky"] = LanguageRows(*small)
    fitted = language_temperatures(rows)
    assert set(fitted) == {"ru", "kk"}  # too few rows in ky: it keeps the pooled temperature
    assert fitted["ru"] == pytest.approx(1.0, abs=0.15)
    assert fitted["kk"] == pytest.approx(2.5, abs=0.3)


def test_folds_keep_a_sentences_rows_together_and_cross_fitting_never_sees_its_own_fold() -> None:
    logits, gold, groups = _overconfident(400, 2.0, 4)
    fold = fold_of(groups)
    for g in set(groups):
        assert len(set(fold[groups == g])) == 1
    assert 0.4 < fold.mean() < 0.6
    r = LanguageRows(logits, gold, groups)
    crossed = cross_fitted_probabilities(r)
    # a fold's probabilities change when only the other fold's labels change: they come from its fit
    flipped = gold.copy()
    flipped[fold == 1] = (flipped[fold == 1] + 1) % 3
    again = cross_fitted_probabilities(LanguageRows(logits, flipped, groups))
    assert not np.allclose(crossed[fold == 0], again[fold == 0])
    assert np.allclose(crossed[fold == 1], again[fold == 1])


def test_calibrating_a_card_keeps_labels_and_its_fields_and_lowers_an_overconfident_languages_ece() -> None:
    logits, gold, groups = _overconfident(1500, 2.5, 5)
    card = {"name": "x", "temperature": 1.0, "calibration": {"method": "temperature scaling, NLL on dev sets ru"},
            "dev": {"ru": {"f1_pn": 0.5}}}
    out = calibrate_card(card, {"kk": LanguageRows(logits, gold, groups)})
    kk = out["dev_by_language"]["kk"]
    assert out["dev"] == card["dev"] and out["name"] == "x" and out["temperature"] == 1.0
    assert out["temperature_by_language"]["kk"] == pytest.approx(2.5, abs=0.3)
    assert kk["ece"] < kk["ece_pooled_temperature"] / 2  # the pooled temperature (1.0) is badly overconfident
    assert kk["ece_cross_fitted"] < kk["ece_pooled_temperature"] / 2
    assert kk["f1_pn_lo"] <= kk["f1_pn"] <= kk["f1_pn_hi"] and kk["n"] == 1500
    assert "per language on its own dev rows" in out["calibration"]["method"]
    assert calibrate_card(out, {"kk": LanguageRows(logits, gold, groups)}) == out  # a refit is reproducible
    route = OnnxRoute(Path("."), out, None, None)  # type: ignore[arg-type]
    calibrated = route.probabilities(logits.astype(np.float32), "kk")
    assert (calibrated.argmax(1) == logits.argmax(1)).all()  # a temperature never changes a label
    assert ece(calibrated, gold) == pytest.approx(kk["ece"], abs=1e-3)


@pytest.mark.parametrize("folder", ["e5-multi", "e5-en-v2"])
def test_the_shipped_multilingual_routes_carry_figures_and_a_temperature_for_every_measured_language(
        folder: str) -> None:
    card = _card(folder)
    assert set(card["dev_by_language"]) == set(MEASURED)
    assert set(card["temperature_by_language"]) == set(MEASURED)
    for lang, f in card["dev_by_language"].items():
        assert f["n"] >= MIN_CALIBRATION_ROWS, lang
        assert 0 <= f["f1_pn_lo"] <= f["f1_pn"] <= f["f1_pn_hi"] <= 1, lang
        assert f["temperature"] == card["temperature_by_language"][lang]
    route = OnnxRoute(Path("."), card, None, None)  # type: ignore[arg-type]
    logits = np.array([[2.0, 0.5, -1.0]], dtype=np.float32)
    bias = np.asarray(card["logit_bias"], dtype=np.float32)
    kk = card["temperature_by_language"]["kk"]
    assert np.allclose(route.probabilities(logits, "kk"), softmax(logits + bias, kk), atol=1e-6)
    # no dev rows in Tajik: the pooled temperature
    assert np.allclose(route.probabilities(logits, "tg"), softmax(logits + bias, card["temperature"]), atol=1e-6)


def test_a_routed_models_quality_rows_come_from_the_route_that_scores_each_language() -> None:
    scorer = FakeScorer("v2@2+abc")
    scorer.evaluation = _shipped_evaluation(DEFAULT)
    rows = {r["language"]: r for r in quality_rows(scorer, datetime(2026, 12, 2))}
    assert set(rows) == set(MEASURED)  # tg, tk, zh: no rows, so unmeasured
    assert rows["en"]["route"] == "e5-en-v2" and rows["ru"]["route"] == "e5-multi"
    assert rows["en"]["f1_pn"] == _card("e5-en-v2")["dev_by_language"]["en"]["f1_pn"]
    assert rows["kk"]["f1_pn"] == _card("e5-multi")["dev_by_language"]["kk"]["f1_pn"]
    assert rows["ru"]["dev_set"] == "RuSentNE dev split" and rows["ru"]["n"] == 945


def test_an_english_only_model_measures_english_only() -> None:
    scorer = FakeScorer("minilm@1+abc")
    scorer.evaluation = _shipped_evaluation("stancewatch-minilm-en")
    assert [r["language"] for r in quality_rows(scorer, datetime(2026, 12, 2))] == ["en"]


def _quality(db: Path) -> list[tuple[Any, ...]]:
    with reader(db) as r:
        return list(r.con.execute("SELECT model_id, language, route, n, f1_pn FROM model_quality "
                                  "ORDER BY model_id, language").fetchall())


def test_scoring_records_the_models_quality_once_and_replaces_it_when_the_card_changes(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    insert(db, [article("a1", "Russia", "Russia condemned the plan."),
                article("a2", "Россия", "Россия похвалила план.", "ru")])
    scorer = FakeScorer("v2@2+abc")
    scorer.evaluation = _shipped_evaluation(DEFAULT)
    score_warehouse(db, scorer=scorer, progress=False)
    first = _quality(db)
    assert [row[1] for row in first] == sorted(MEASURED)
    score_warehouse(db, scorer=scorer, progress=False)  # a re-run duplicates nothing
    assert _quality(db) == first
    del scorer.evaluation["e5-multi"]["dev_by_language"]["tr"]  # a refitted card without Turkish figures
    score_warehouse(db, scorer=scorer, progress=False)
    assert [row[1] for row in _quality(db)] == sorted(set(MEASURED) - {"tr"})
    plain = FakeScorer("plain@1+000")  # a model whose cards carry no figures: nothing recorded, nothing fails
    score_warehouse(db, scorer=plain, progress=False)
    assert all(row[0] != plain.model_id for row in _quality(db))


@pytest.mark.slow
def test_the_shipped_kazakh_and_ukrainian_calibration_is_reproduced_from_the_dev_rows(shared_data: Path) -> None:
    """Score the translated dev rows afresh with the shipped e5-multi route (no logit cache) and refit: the
    card's temperatures and figures come back."""
    from analysis.dev_eval import dev_sets
    from analysis.model import Target, open_route
    from scripts.dev_figures import calibration_rows

    defaults = tomllib.loads((Path(__file__).resolve().parents[2] / "stancewatch" / "defaults.toml").read_text())
    route = open_route(MODELS_DIR / "e5-multi", Path(defaults["model"]["cache_dir"]).expanduser())
    sets = {k: v for k, v in dev_sets(shared_data).items() if k in ("kk", "uk")}
    raw = {k: route.logits([Target(x.sentence, x.start, x.end, x.others, x.language).marked() for x in v])
           for k, v in sets.items()}
    refit = calibrate_card(route.card, calibration_rows(route, sets, raw))
    card = _card("e5-multi")
    for lang in ("kk", "uk"):
        # Dynamic int8 quantises activations per batch, so logits move a little with the batch make-up and
        # the CPU's kernels (analysis/int8_weights.py): on an AVX2-only AMD EPYC, against the card's machine,
        # the temperatures came back within 1%, F1_PN within 0.011 and ECE within 0.021 (two or three of
        # 237 rows crossing a bin or a label).
        assert refit["temperature_by_language"][lang] == pytest.approx(card["temperature_by_language"][lang],
                                                                       rel=0.02)
        fresh, recorded = refit["dev_by_language"][lang], card["dev_by_language"][lang]
        assert fresh["n"] == recorded["n"]
        assert fresh["f1_pn"] == pytest.approx(recorded["f1_pn"], abs=0.02)
        assert fresh["ece"] == pytest.approx(recorded["ece"], abs=0.03)
