"""Recall and precision of country mentions per language on the hand-made check sets, with every miss listed.

For each tests/analysis/checksets/<language>.txt the gazetteer matches every sentence with the columns the
product would pick for it (its language guess and the candidates, analysis/columns.py), and the found
mentions are compared with the gold marks: (sentence, country) pairs and exact spans. With ../shared/data
present it also prints the recall on RuSentNE-2023's train COUNTRY spans.

    .venv/bin/python scripts/mentions_by_language.py [--language tr] [--quiet]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import checksets
from analysis.columns import find_mentions

try:  # imported as scripts.mentions_by_language (tests) or run as a file (scripts/ on sys.path)
    from scripts.rusentne_recall import read_rows
except ModuleNotFoundError:
    from rusentne_recall import read_rows  # type: ignore[no-redef]
from analysis.gazetteer import Gazetteer, Mention

ROOT = Path(__file__).resolve().parents[1]
CHECKSETS = ROOT / "tests" / "analysis" / "checksets"
RUSENTNE = ROOT.parent / "shared" / "data" / "rusentne-2023" / "train_data.csv"


def measure(gazetteer: Gazetteer, language: str, folder: Path = CHECKSETS) -> checksets.Scores:
    """Scores of the gazetteer on one language's check set, with the product's choice of columns."""
    def find(text: str) -> list[Mention]:
        return find_mentions(text, gazetteer=gazetteer)
    return checksets.score(checksets.load(folder / f"{language}.txt"), find)


def rusentne_recall(gazetteer: Gazetteer, path: Path = RUSENTNE) -> tuple[int, int]:
    """(found at the right offsets, gold) over RuSentNE train COUNTRY spans, with the product's columns."""
    rows = read_rows(path, "COUNTRY")
    found = sum(1 for sentence, _, start, end in rows
                if (start, end) in {(m.start, m.end)
                                    for m in find_mentions(sentence, gazetteer=gazetteer)})
    return found, len(rows)


def main(argv: list[str] | None = None) -> int:
    """Print the per-language table and the misses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", action="append", help="only these check sets (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="the table only, no misses")
    args = parser.parse_args(argv)
    gazetteer = Gazetteer.load()
    languages = args.language or sorted(p.stem for p in CHECKSETS.glob("*.txt"))
    print(f"{'lang':5} {'sent':>5} {'pairs':>6} {'pair R':>7} {'pair P':>7} {'spans':>6} {'span R':>7} {'span P':>7}")
    details: list[str] = []
    for language in languages:
        s = measure(gazetteer, language)
        sentences = len(checksets.load(CHECKSETS / f"{language}.txt"))
        print(f"{language:5} {sentences:5d} {s.pairs_gold:6d} {s.pair_recall:7.3f} {s.pair_precision:7.3f} "
              f"{s.spans_gold:6d} {s.span_recall:7.3f} {s.span_precision:7.3f}")
        details += s.misses + s.false_hits
    if RUSENTNE.exists() and not args.language:
        found, gold = rusentne_recall(gazetteer)
        print(f"RuSentNE train COUNTRY spans: {found}/{gold} found at the right offsets, recall {found / gold:.4f}")
    if not args.quiet:
        print("\n".join(details) if details else "no misses, no false hits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
