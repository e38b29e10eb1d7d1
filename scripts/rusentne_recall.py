"""Recall of the gazetteer on RuSentNE-2023's COUNTRY entity spans, at the right character offsets.

A gold span counts as found when the gazetteer reports a mention with exactly its start and end in the
sentence (which country it assigns is not checked: RuSentNE does not say). Prints the recall and every miss.

    .venv/bin/python scripts/rusentne_recall.py [../shared/data/rusentne-2023/train_data.csv] [--tag COUNTRY]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

from analysis.gazetteer import Gazetteer

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "rusentne-2023" / "train_data.csv"


def read_rows(path: Path, tag: str) -> list[tuple[str, str, int, int]]:
    """(sentence, entity, start, end) for every row with the given entity tag."""
    csv.field_size_limit(10**7)
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["entity_tag"] == tag:
                start, end = int(row["entity_pos_start_rel"]), int(row["entity_pos_end_rel"])
                rows.append((row["sentence"], row["entity"], start, end))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print recall at the right offsets and list the misses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--tag", default="COUNTRY", help="entity_tag to measure (COUNTRY or NATIONALITY)")
    args = parser.parse_args(argv)
    gazetteer = Gazetteer.load()
    rows = read_rows(args.path, args.tag)
    found = 0
    misses: list[tuple[str, str]] = []
    bad_offsets = 0
    for sentence, entity, start, end in rows:
        if sentence[start:end] != entity:
            bad_offsets += 1  # the file's own offsets disagree with its surface; still counted as gold
        spans = {(m.start, m.end) for m in gazetteer.find(sentence)}
        if (start, end) in spans:
            found += 1
        else:
            near = [m.surface for m in gazetteer.find(sentence) if m.start < end and m.end > start]
            misses.append((sentence[start:end], f"overlapping match: {near}" if near else "no match"))
    recall = found / len(rows) if rows else 0.0
    print(f"{args.path.name}: {args.tag} spans {len(rows)}, found at the right offsets {found}, "
          f"recall {recall:.4f} (rows whose offsets disagree with their entity text: {bad_offsets})")
    print(f"misses ({len(misses)}), by surface:")
    for (surface, why), n in Counter(misses).most_common():
        print(f"  {n:3d}  {surface!r}  {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
