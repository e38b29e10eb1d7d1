"""Dev figures of a stance model, as it ships: per language and per entity kind, with calibration error;
and (--calibrate) the per-language temperatures and `dev_by_language` blocks of the route folders' cards.

Every dev set of analysis.dev_eval.dev_sets (NewsMTSC rw/mt dev, RuSentNE dev, the translated languages' dev
rows, ru_parallel) gets n, macro-F1, F1 over positive+negative and the expected calibration error (10 bins,
on the calibrated probabilities the product stores), with a 95% bootstrap interval on F1_PN (rows of one
sentence resampled together). Entity kinds: RuSentNE's tags (COUNTRY, NATIONALITY, PERSON, ...) over the
Russian and translated rows; NewsMTSC's targets are people and count as PERSON. Prints markdown tables for
the model card; --json writes the figures.

--calibrate refits, for every route folder of the registry (or --folders), a temperature per language on
that language's dev rows (analysis.language_calibration) and writes `temperature_by_language` and
`dev_by_language` into its card.json, printing ECE per language before and after (on the fitted rows and
2-fold cross-fitted). The routes' raw logits on the dev sets are cached under .cache/dev_logits/ (keyed by
the weights' and the rows' sha256), so a rerun does not score again.

    .venv/bin/python scripts/dev_figures.py --calibrate
    .venv/bin/python scripts/dev_figures.py stancewatch-e5-small-v2 [--json OUT]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from analysis.datasets import Example, sentence_key
from analysis.dev_eval import dev_sets
from analysis.evaluation import bootstrap_interval, ece, metrics
from analysis.language_calibration import (
    DEV_SETS_BY_LANGUAGE,
    ECE_TABLE_HEAD,
    LanguageRows,
    calibrate_card,
    ece_table,
    language_rows,
)
from analysis.model import ANY_LANGUAGE, MODELS_DIR, OnnxRoute, RoutedScorer, Target, load_scorer, read_registry

# The sets each entity kind is pooled over: RuSentNE rows in Russian and in translation; NewsMTSC as PERSON.
KIND_SETS = ("ru", "kk", "uk", "ky", "uz", "tr")
NEWSMTSC_SETS = ("en_rw", "en_mt")
LOGIT_CACHE = Path(__file__).resolve().parents[1] / ".cache" / "dev_logits"


def figures(examples: list[Example], probs: np.ndarray) -> dict[str, Any]:
    """n, macro-F1, F1_PN with its 95% interval, and ECE of scored examples."""
    gold = np.array([x.label for x in examples])
    pred = probs.argmax(axis=1)
    m = metrics(gold, pred)
    lo, hi = bootstrap_interval(gold, pred, "f1_pn", groups(examples))
    return {"n": len(examples), "macro_f1": m["macro_f1"], "f1_pn": m["f1_pn"], "f1_pn_lo": lo, "f1_pn_hi": hi,
            "ece": ece(probs, gold)}


def groups(examples: list[Example]) -> np.ndarray:
    """A group per row: its language and sentence (rows of one sentence are not independent evidence)."""
    return np.array([f"{x.language}:{sentence_key(x.sentence)}" for x in examples])


def rows_digest(examples: list[Example]) -> str:
    """sha256 of what the model reads and the gold of a dev set's rows: a cache entry is only valid for them."""
    h = hashlib.sha256()
    for x in examples:
        h.update(f"{x.sentence}\x00{x.start}\x00{x.end}\x00{x.others}\x00{x.label}\x01".encode())
    return h.hexdigest()


def route_logits(scorer: RoutedScorer, route: OnnxRoute, sets: dict[str, list[Example]]) -> dict[str, np.ndarray]:
    """Raw logits of the route on each dev set (every row of a set in the language the route scores there),
    from the cache where the weights and rows are the same."""
    weights = str(route.card.get("weights_sha256", "")) or hashlib.sha256(
        (route.folder / "model.onnx").read_bytes()).hexdigest()
    path = LOGIT_CACHE / f"{route.folder.name}-{weights[:16]}.npz"
    cached = dict(np.load(path)) if path.is_file() else {}
    out: dict[str, np.ndarray] = {}
    for name, examples in sets.items():
        key, digest = f"{name}.logits", f"{name}.digest"
        if key in cached and str(cached[digest]) == rows_digest(examples):
            out[name] = cached[key]
            continue
        print(f"scoring {len(examples)} rows of {name} with {route.folder.name}", file=sys.stderr)
        out[name] = scorer.logits([Target(x.sentence, x.start, x.end, x.others, x.language) for x in examples])
        cached[key], cached[digest] = out[name], np.asarray(rows_digest(examples))
        LOGIT_CACHE.mkdir(parents=True, exist_ok=True)
        np.savez(path, **cached)
    return out


def registry_folders() -> list[Path]:
    """Every route folder the registry names, once each, in registry order."""
    found: dict[str, Path] = {}
    for entry in read_registry().values():
        for r in entry.get("routes", []):
            found.setdefault(str(r["folder"]), MODELS_DIR / str(r["folder"]))
    return list(found.values())


def sets_for(card: dict[str, Any], sets: dict[str, list[Example]]) -> dict[str, list[Example]]:
    """The dev sets of the languages a folder scores (every set for a catch-all route)."""
    languages = list(card.get("languages", [ANY_LANGUAGE]))
    if ANY_LANGUAGE in languages:
        return sets
    wanted = {n for lang in languages for n in DEV_SETS_BY_LANGUAGE.get(lang, ())}
    return {k: v for k, v in sets.items() if k in wanted}


def calibration_rows(route: OnnxRoute, sets: dict[str, list[Example]], raw: dict[str, np.ndarray]
                     ) -> dict[str, LanguageRows]:
    """Each language's dev rows as the route scores them: raw logits plus the card's offsets, gold, sentences."""
    return language_rows({k: v + route.bias for k, v in raw.items()},
                         {k: np.array([x.label for x in v]) for k, v in sets.items()},
                         {k: groups(v) for k, v in sets.items()})


CARD_BLOCK = ("<!-- dev by language: scripts/dev_figures.py --calibrate -->",
              "<!-- /dev by language -->")


def write_card_block(path: Path, card: dict[str, Any]) -> None:
    """Put the card's per-language figures and calibration into card.md, replacing an earlier such block."""
    start, end = CARD_BLOCK
    rows = [f"| {lang} | {f['dev_set']} | {f['n']} | {f['f1_pn']:.3f} [{f['f1_pn_lo']:.3f}, {f['f1_pn_hi']:.3f}] | "
            f"{f['macro_f1']:.3f} | {f['temperature']:.3f} | {f['ece_pooled_temperature']:.3f} | {f['ece']:.3f} | "
            f"{f['ece_cross_fitted']:.3f} |" for lang, f in card["dev_by_language"].items()]
    block = "\n".join([
        start, "## Dev figures and calibration by language", "",
        f"A temperature per language, fitted on that language's dev rows; languages without dev rows use the "
        f"pooled temperature {card.get('temperature', 1.0):.3f}. ECE (10 bins) with the pooled temperature, with "
        "the language's own on the rows it was fitted on, and 2-fold cross-fitted (fitted on one half of the "
        "sentences, measured on the other): the last is the honest figure. Labels, so F1, do not change. These "
        "temperatures (card.json `temperature_by_language`) are the ones in use: they replace any 'by language' "
        "list in the Calibration line above, which training wrote.", "",
        "| language | dev rows | n | F1_PN [95% CI] | macro-F1 | T | ECE pooled T | ECE own T (fitted) | "
        "ECE own T (2-fold) |", "|---|---|---|---|---|---|---|---|---|", *rows, end])
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def calibrate(folders: list[Path], cache_dir: Path) -> int:
    """Refit each folder's per-language temperatures and write its card's dev_by_language; print the ECE."""
    sets = dev_sets()
    lines = list(ECE_TABLE_HEAD)
    for folder in folders:
        scorer = load_scorer(str(folder), cache_dir)  # the folder alone: every row goes through its route
        route = scorer.route_for(None)
        wanted = sets_for(route.card, sets)
        card = calibrate_card(route.card, calibration_rows(route, wanted, route_logits(scorer, route, wanted)))
        (folder / "card.json").write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        lines += ece_table(folder.name, card["dev_by_language"])
        write_card_block(folder / "card.md", card)
    print("\n".join(lines))
    return 0


def model_tables(model: str, cache_dir: Path, json_out: Path | None) -> int:
    """Score every dev set with the model (route logits cached) and print the per-language and per-kind tables."""
    scorer = load_scorer(model, cache_dir)
    sets = dev_sets()
    probs: dict[str, np.ndarray] = {}
    for name, examples in sets.items():
        language = examples[0].language if examples else None
        route = scorer.route_for(language)
        logits = route_logits(scorer, route, {name: examples})[name]
        probs[name] = route.probabilities(logits, language)
    by_set = {k: figures(v, probs[k]) for k, v in sets.items()}

    kinds: dict[str, tuple[list[Example], list[np.ndarray]]] = {}
    for name in (*KIND_SETS, *NEWSMTSC_SETS):
        for example, p in zip(sets.get(name, []), probs.get(name, np.zeros((0, 3))), strict=True):
            kind = "PERSON" if name in NEWSMTSC_SETS else example.tag or "?"
            rows, ps = kinds.setdefault(kind, ([], []))
            rows.append(example)
            ps.append(p)
    by_kind = {kind: figures(rows, np.stack(ps)) for kind, (rows, ps) in sorted(kinds.items())}

    print(f"model {scorer.model_id}\n")
    print("| dev set | n | macro-F1 | F1_PN [95% CI] | ECE |\n|---|---|---|---|---|")
    for name, f in by_set.items():
        print(f"| {name} | {f['n']} | {f['macro_f1']:.3f} | {f['f1_pn']:.3f} [{f['f1_pn_lo']:.3f}, "
              f"{f['f1_pn_hi']:.3f}] | {f['ece']:.3f} |")
    print(f"\n| entity kind (pooled over {', '.join(KIND_SETS)}; NewsMTSC as PERSON) | n | macro-F1 | "
          "F1_PN [95% CI] | ECE |\n|---|---|---|---|---|")
    for kind, f in by_kind.items():
        print(f"| {kind} | {f['n']} | {f['macro_f1']:.3f} | {f['f1_pn']:.3f} [{f['f1_pn_lo']:.3f}, "
              f"{f['f1_pn_hi']:.3f}] | {f['ece']:.3f} |")
    print("\nCalibration per language (route cards' dev_by_language; each language through the route that "
          "scores it):\n")
    lines = list(ECE_TABLE_HEAD)
    for lang in DEV_SETS_BY_LANGUAGE:
        route = scorer.route_for(lang)
        measured = route.card.get("dev_by_language", {})
        if lang in measured:
            lines += ece_table(route.folder.name, {lang: measured[lang]})
    print("\n".join(lines))
    if json_out:
        json_out.write_text(json.dumps({"model_id": scorer.model_id, "sets": by_set, "kinds": by_kind}, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Print a model's dev tables, or (--calibrate) refit the route folders' per-language calibration."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="a registry name or model folder (the tables)")
    parser.add_argument("--calibrate", action="store_true",
                        help="refit temperature_by_language and dev_by_language in the route folders' cards")
    parser.add_argument("--folders", type=Path, nargs="*",
                        help="route folders to calibrate (default: every folder the registry names)")
    parser.add_argument("--cache-dir", type=Path, default=Path("~/.cache/stancewatch").expanduser())
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.calibrate:
        return calibrate(args.folders or registry_folders(), args.cache_dir)
    if not args.model:
        parser.error("name a model, or pass --calibrate")
    return model_tables(args.model, args.cache_dir, args.json)


if __name__ == "__main__":
    sys.exit(main())
