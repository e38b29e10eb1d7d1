"""How well language identification tells the ten languages apart, per language, on hand-made and shared text.

Text per language: the mention check sets (tests/analysis/checksets/), the RuSentNE translations
(analysis/training/translations/), and with ../shared/data present Russian RuSentNE and English NewsMTSC train
sentences. For each language it prints the share of single sentences guessed right, the share whose language
is among the candidates the gazetteer matches with, and the share of 4-sentence paragraphs guessed right, with
the languages the misses went to.

    .venv/bin/python scripts/langid_accuracy.py
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

from analysis import checksets
from languageid import SUPPORTED, identify

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
PER_LANGUAGE = 400


def texts_by_language() -> dict[str, list[str]]:
    """Up to PER_LANGUAGE sentences per language from every source at hand."""
    out: dict[str, list[str]] = {lang: [] for lang in SUPPORTED}
    for path in sorted((ROOT / "tests" / "analysis" / "checksets").glob("*.txt")):
        out[path.stem] += [item.text for item in checksets.load(path)]
    for path in sorted((ROOT / "analysis" / "training" / "translations").glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as fh:
            out[path.stem] += sorted({row["sentence"] for row in csv.DictReader(fh, delimiter="\t",
                                                                                quoting=csv.QUOTE_NONE)})
    rusentne = SHARED / "rusentne-2023" / "train_data.csv"
    if rusentne.exists():
        with rusentne.open(encoding="utf-8", newline="") as fh:
            out["ru"] += sorted({row["sentence"] for row in csv.DictReader(fh, delimiter="\t")})[:PER_LANGUAGE]
    newsmtsc = SHARED / "newsmtsc" / "original" / "train.jsonl"
    if newsmtsc.exists():
        lines = newsmtsc.read_text(encoding="utf-8").splitlines()[:PER_LANGUAGE]
        out["en"] += [json.loads(line)["sentence_normalized"] for line in lines]
    return {k: v[:PER_LANGUAGE] for k, v in out.items() if v}


def main() -> int:
    """Print the per-language table."""
    print(f"{'lang':5} {'sent':>5} {'top-1':>6} {'in cand':>8} {'para':>5} {'para top-1':>10}  misses went to")
    for language, texts in texts_by_language().items():
        guesses = [identify(t) for t in texts]
        top1 = sum(g.language == language for g in guesses) / len(texts)
        kept = sum(language in g.candidates for g in guesses) / len(texts)
        paragraphs = [" ".join(texts[i:i + 4]) for i in range(0, len(texts) - 3, 4)]
        para_guesses = [identify(p).language for p in paragraphs]
        para = sum(g == language for g in para_guesses) / max(1, len(paragraphs))
        went = Counter(g.language for g in guesses if g.language != language).most_common(3)
        print(f"{language:5} {len(texts):5d} {top1:6.3f} {kept:8.3f} {len(paragraphs):5d} {para:10.3f}  {went}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
