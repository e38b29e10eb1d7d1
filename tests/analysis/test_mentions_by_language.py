"""The mention gate: recall and precision per language on the hand-made check sets (scripts/mentions_by_language.py).

Every language the shipped sources publish in beyond en/ru/uk has a check set (tests/analysis/checksets/); the
gazetteer must find at least 0.95 of its (sentence, country) pairs and exact spans, with at least 0.95
precision, using the columns the product picks. RuSentNE train COUNTRY spans stay at 0.97 or more.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import checksets
from analysis.errors import GazetteerError
from analysis.gazetteer import Gazetteer
from scripts.mentions_by_language import CHECKSETS, measure, rusentne_recall

CHECKED = ("kk", "ky", "uz", "tg", "tk", "tr", "zh")
FLOOR = 0.95


@pytest.mark.parametrize("language", CHECKED)
def test_check_set_is_large_enough(language: str) -> None:
    items = checksets.load(CHECKSETS / f"{language}.txt")
    assert len(items) >= 100
    assert sum(1 for i in items if not i.gold) >= 5, "a check set needs sentences with no country"
    assert sum(len(i.gold) for i in items) >= 150


@pytest.mark.parametrize("language", CHECKED)
def test_mentions_found_per_language(gazetteer: Gazetteer, language: str) -> None:
    s = measure(gazetteer, language)
    figures = (s.pair_recall, s.pair_precision, s.span_recall, s.span_precision)
    assert min(figures) >= FLOOR, f"{language}: pairs R/P, spans R/P = {figures}; misses: {s.misses[:10]}; " \
                                  f"false hits: {s.false_hits[:10]}"


@pytest.mark.slow
def test_rusentne_country_spans_with_product_columns(shared_data: Path, gazetteer: Gazetteer) -> None:
    found, gold = rusentne_recall(gazetteer, shared_data / "rusentne-2023" / "train_data.csv")
    assert gold == 1274
    assert found / gold >= 0.97


def test_marks_give_offsets_into_the_stripped_text() -> None:
    item = checksets.parse_line("[[Rusya'nın|RU]] ve [[Çin|CN]] anlaştı.")
    assert item.text == "Rusya'nın ve Çin anlaştı."
    assert [(g.country, item.text[g.start:g.end]) for g in item.gold] == [("RU", "Rusya'nın"), ("CN", "Çin")]


@pytest.mark.parametrize("line", ["[[Rusya|ru]] bozuk", "[[Rusya]] bozuk", "[[Rusya|RU] bozuk"])
def test_a_malformed_mark_is_an_error_naming_the_line(line: str) -> None:
    with pytest.raises(GazetteerError, match=r"tr\.txt:3"):
        checksets.parse_line(line, "tr.txt:3")


def test_scores_count_misses_and_false_hits(gazetteer: Gazetteer) -> None:
    items = [checksets.parse_line("[[Russia|RU]] and [[Georgia|GE]] met [[China|CN]]."),
             checksets.parse_line("Nothing here.")]
    s = checksets.score(items, lambda text: [m for m in gazetteer.find(text) if m.country != "CN"]
                        + [m for m in gazetteer.find("Nothing here. Turkey") if text.startswith("Nothing")])
    assert (s.pairs_gold, s.pairs_found, s.pairs_hit, s.spans_gold, s.spans_hit) == (3, 3, 2, 3, 2)
    assert s.pair_recall == 2 / 3 and s.pair_precision == 2 / 3
    assert len(s.misses) == 1 and "China" in s.misses[0]
    assert len(s.false_hits) == 1 and "TR" in s.false_hits[0]
