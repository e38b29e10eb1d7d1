"""The one-pass route: one forward pass per sentence for all its targets, span pooling, windows, loading."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from analysis.errors import ModelError
from analysis.model import MODELS_DIR, OnePassRoute, RoutedScorer, Target, load_scorer, open_route
from analysis.onepass import normalise_with_map, plan_windows

FOLDER = MODELS_DIR / "e5-onepass"
NAME = "stancewatch-e5-onepass"
S5 = ("Russia, China, Turkey and Iran signed the deal, while Germany refused to take part in the talks.")
WORDS5 = ("Russia", "China", "Turkey", "Iran", "Germany")


def _span(sentence: str, word: str) -> tuple[int, int]:
    i = sentence.index(word)
    return i, i + len(word)


class CountingSession:
    """The real ONNX session, counting the sentences (batch rows) it runs."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.rows = 0

    def run(self, names: list[str], feeds: dict[str, np.ndarray]) -> Any:
        self.rows += int(feeds["attention_mask"].shape[0])
        return self.session.run(names, feeds)


@pytest.fixture(scope="module")
def scorer(tmp_path_factory: pytest.TempPathFactory) -> RoutedScorer:
    return load_scorer(NAME, tmp_path_factory.mktemp("swcache"))


def _route(scorer: RoutedScorer) -> OnePassRoute:
    route = scorer.route_for("en")
    assert isinstance(route, OnePassRoute)
    return route


def test_five_targets_one_forward_pass_same_as_one_by_one(scorer: RoutedScorer) -> None:
    route = _route(scorer)
    counting = CountingSession(route.session)
    route.session = counting
    try:
        targets = [Target(S5, *_span(S5, w), language="en") for w in WORDS5]
        together = scorer.score(targets)
        assert counting.rows == 1  # the sentence ran once for its five targets
        alone = np.vstack([scorer.score([t]) for t in targets])
        assert counting.rows == 6
    finally:
        route.session = counting.session
    # the same one-sentence encoder input each time; only the head's matmul over 5 rows against 1 may round
    # differently (BLAS blocking), so equal to float32 precision
    assert np.allclose(together, alone, rtol=0, atol=1e-6)
    assert together.shape == (5, 3) and np.allclose(together.sum(axis=1), 1.0, atol=1e-5)
    assert len({tuple(np.round(r, 4)) for r in together}) == 5  # each target pooled over its own span


def test_batching_across_sentences_changes_scores_only_slightly(scorer: RoutedScorer) -> None:
    # Dynamic int8 quantises activations per batch tensor, so other sentences in a batch move scores a little:
    # measured up to 0.098 on an AVX2-only EPYC and 0.107 on the CI machine, always with the same labels.
    other = "The long and detailed report about France criticised the reform sharply."
    targets = [Target(S5, *_span(S5, "Germany"), language="en"), Target(other, *_span(other, "France"),
                                                                        language="en"),
               Target(S5, *_span(S5, "Iran"), language="en")]
    mixed = scorer.score(targets)
    alone = np.vstack([scorer.score([t]) for t in targets])
    assert np.abs(mixed - alone).max() < 0.15
    assert (mixed.argmax(axis=1) == alone.argmax(axis=1)).all()
    assert np.allclose(scorer.score(targets), mixed, rtol=0, atol=1e-6)


def test_overlapping_spans_each_get_their_own_pooling(scorer: RoutedScorer) -> None:
    s = "Officials said the United States Congress had blocked aid to Ukraine again."
    outer = Target(s, *_span(s, "the United States Congress"), language="en")
    inner = Target(s, *_span(s, "United States"), language="en")
    both = scorer.score([outer, inner])
    assert not np.allclose(both[0], both[1])
    assert np.allclose(both, np.vstack([scorer.score([outer]), scorer.score([inner])]), rtol=0, atol=1e-6)


def test_a_target_past_the_truncation_limit_gets_its_own_window(scorer: RoutedScorer) -> None:
    route = _route(scorer)
    filler = " ".join(["the committee discussed the budget"] * 40)
    s = f"Kazakhstan opened {filler} and finally Uzbekistan praised the plan."
    first, last = _span(s, "Kazakhstan"), _span(s, "Uzbekistan")
    windows, placed = plan_windows(route.encoder, s, [first, last], route.max_len)
    assert len(windows) == 2 and all(len(w.ids) == route.max_len for w in windows)
    for (w, k), word in zip(placed, ("Kazakhstan", "Uzbekistan"), strict=True):
        a, b = windows[w].spans[k]
        assert route.encoder.tokenizer.decode(list(windows[w].ids[a:b])).strip() == word
    targets = [Target(s, *first, language="en"), Target(s, *last, language="en")]
    together = scorer.score(targets)
    assert np.allclose(together, np.vstack([scorer.score([t]) for t in targets]), atol=0.05)
    assert np.isfinite(together).all()


def test_spans_follow_through_normalisation() -> None:
    text = "  The  ﬁrm in\u00a0Kazakhstan  said "
    norm, where = normalise_with_map(text, lambda c: {"ﬁ": "fi"}.get(c, c))
    assert norm == "The firm in Kazakhstan said"
    s, e = _span(text, "Kazakhstan")
    assert norm[where[s]:where[e]] == "Kazakhstan"
    assert norm[where[text.index("ﬁrm")]:where[text.index("ﬁrm") + 3]] == "firm"


def test_card_records_design_data_and_dev_figures() -> None:
    card = json.loads((FOLDER / "card.json").read_text(encoding="utf-8"))
    assert card["design"] == "one-pass" and card["head"]["weight"] and card["features"]
    assert len(card["head"]["weight"]) == 3 and len(card["head"]["weight"][0]) == len(card["head"]["mean"])
    assert {"en_rw", "ru", "kk", "uk"} <= set(card["dev"]) and all(d["sha256"] for d in card["data"])
    assert not (FOLDER / "model.onnx").exists()  # the encoder is shared with its marked-text folder, not copied


def test_a_changed_encoder_is_a_clear_error(tmp_path: Path) -> None:
    card = json.loads((FOLDER / "card.json").read_text(encoding="utf-8"))
    (tmp_path / "onepass").mkdir()
    (tmp_path / "onepass" / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match=r"no model\.onnx"):
        open_route(tmp_path / "onepass", tmp_path)
    src = tmp_path / card["encoder_from"]["folder"]
    src.mkdir()
    shutil.copy(MODELS_DIR / "minilm-en" / "model.onnx", src / "model.onnx")
    with pytest.raises(ModelError, match="sha256 differs"):
        open_route(tmp_path / "onepass", tmp_path)


def test_the_fine_tuned_folder_reads_clear_sentences_in_four_languages(tmp_path: Path) -> None:
    """stancewatch-e5-onepass-ft, as shipped: its own encoder, its dev split, and plain praise and condemnation
    read as such in English, Russian, Kazakh and Ukrainian (a neutral report as neutral)."""
    folder = MODELS_DIR / "e5-onepass-ft"
    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    assert card["design"] == "one-pass" and "encoder_from" not in card and (folder / "model.onnx").is_file()
    split = card["rusentne_dev_split"]["ids_file"]
    assert (folder / split).read_text() == (MODELS_DIR / "e5-multi" / split).read_text()  # the same dev split
    assert set(card["dev_by_language"]) == {"en", "ru", "kk", "uk", "ky", "uz", "tr"}
    rows = [("Kazakhstan praised China for its generous help and close friendship.", "China", "en", 2),
            ("Ukraine condemned Russia's brutal attack on its cities.", "Russia", "en", 0),
            ("Казахстан высоко оценил щедрую помощь Китая и крепкую дружбу с ним.", "Китая", "ru", 2),
            ("Украина осудила жестокое нападение России на свои города.", "России", "ru", 0),
            ("Қазақстан Қытайдың жомарт көмегін жоғары бағалады.", "Қытайдың", "kk", 2),
            ("Україна засудила жорстокий напад Росії на свої міста.", "Росії", "uk", 0),
            ("The ministers of Turkey and Germany met in Berlin on Tuesday.", "Turkey", "en", 1)]
    scorer = load_scorer("stancewatch-e5-onepass-ft", tmp_path)
    probs = scorer.score([Target(s, *_span(s, w), language=lang) for s, w, lang, _ in rows])
    assert probs.argmax(1).tolist() == [label for *_, label in rows]
    assert (probs.max(1) > 0.6).all()

