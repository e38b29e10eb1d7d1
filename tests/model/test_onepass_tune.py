"""The fine-tuned one-pass recipe (analysis.training.onepass_tune): its windows are run time's, and a folder it
exports (its own encoder graph with hidden and pooled outputs, the head in the card) scores as its torch model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.datasets import Example
from analysis.model import OnePassRoute, Target, open_route
from analysis.onepass import LinearHead, plan_windows

torch = pytest.importorskip("torch")

from analysis.training import onepass_tune  # noqa: E402  (needs torch, the train extra)
from analysis.training.bases import load_base  # noqa: E402
from analysis.training.package import quantise  # noqa: E402

S = "Russia and China signed the deal, while Germany refused to take part in the talks."


def _row(sentence: str, word: str, label: int) -> Example:
    i = sentence.index(word)
    return Example(sentence, i, i + len(word), label, "en")


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return load_base("e5", tmp_path_factory.mktemp("swcache"))


def test_targets_of_one_sentence_share_one_window_with_run_time_spans(encoder) -> None:  # type: ignore[no-untyped-def]
    rows = [_row(S, "Russia", 1), _row(S, "Germany", 0), _row("Turkey praised Iran.", "Iran", 2)]
    items = onepass_tune.items_of(encoder, rows, max_len=128)
    assert len(items) == 2  # one window per sentence, not per target
    windows, placed = plan_windows(encoder, S, [(r.start, r.end) for r in rows[:2]], 128)
    assert items[0].ids == windows[0].ids
    assert items[0].spans == tuple(windows[w].spans[k] for w, k in placed)
    assert items[0].labels == (1, 0) and items[1].labels == (2,)


def test_an_exported_folder_scores_as_its_torch_model(encoder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    vocab, hidden = encoder.word_embeddings.shape
    bert = BertModel(BertConfig(vocab_size=vocab, hidden_size=hidden, num_hidden_layers=2, num_attention_heads=12,
                                intermediate_size=256, pad_token_id=encoder.pad_id))
    bert.embeddings.word_embeddings.weight.data[:] = torch.from_numpy(np.asarray(encoder.word_embeddings,
                                                                                  dtype=np.float32))
    model = onepass_tune.SpanClassifier(bert, hidden, dropout=0.1).eval()
    model.head.weight.data.normal_(0.0, 0.5)  # logits spread well beyond the int8 noise, so labels are clear
    rows = [_row(S, "Russia", 1), _row(S, "Germany", 0), _row("Turkey praised Iran.", "Iran", 2)]
    items = onepass_tune.items_of(encoder, rows, max_len=128)
    with torch.no_grad():
        ids, mask, where, spans, _ = onepass_tune._batch(items, encoder.pad_id)
        expected = model(ids, mask, where, spans).numpy()
    weight = model.head.weight.detach().numpy()
    head = LinearHead(np.zeros(weight.shape[1], np.float32), np.ones(weight.shape[1], np.float32), weight,
                      model.head.bias.detach().numpy())
    folder = tmp_path / "onepass-ft"
    folder.mkdir()
    onepass_tune.export(model, hidden, tmp_path / "fp32.onnx")
    quantise(tmp_path / "fp32.onnx", folder / "model.onnx")
    (folder / "card.json").write_text(json.dumps({
        "design": "one-pass", "base": {"key": "e5"}, "max_len": 128, "outputs": onepass_tune.OUTPUTS,
        "features": list(onepass_tune.FEATURES), "head": head.to_card()}))
    route = open_route(folder, tmp_path)
    assert isinstance(route, OnePassRoute)
    got = route.target_logits([Target(r.sentence, r.start, r.end, (), "en") for r in rows])
    # int8 weights and activations against fp32: close, and the same ranking of the three labels.
    assert np.abs(got - expected).max() < 0.15 * np.abs(expected).max() + 0.05
    assert (got.argmax(1) == expected.argmax(1)).all()
