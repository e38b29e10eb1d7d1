"""Build analysis/training/translations/<language>.tsv from the translators' batch files, checking every row.

Translators (helper sessions, see translations/README.md) wrote `row_id<TAB>translation with the target in
[[...]]` per row of RuSentNE-2023's train file. This joins each line with its source row (label, tag, our
dev/train side by source sentence) and writes RuSentNE's own columns plus language, source_row and split, so
that `stancewatch eval FILE --format rusentne --split dev` reads it. A row is refused, with its file and
line, when its id is not a COUNTRY/NATIONALITY row, when it has not exactly one [[target]], or twice.

    .venv/bin/python scripts/build_translations.py BATCH_DIR [--rusentne ../shared/data/rusentne-2023/train_data.csv]
    (BATCH_DIR holds one folder per language with the batch .tsv files)
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from analysis.datasets import TRANSLATIONS_DIR, read_rusentne, sentence_key, split_by_sentence

ROOT = Path(__file__).resolve().parents[1]
RUSENTNE = ROOT.parent / "shared" / "data" / "rusentne-2023" / "train_data.csv"
MARK = re.compile(r"\[\[([^\[\]]+)\]\]")
COLUMNS = ["sentence", "entity", "entity_tag", "entity_pos_start_rel", "entity_pos_end_rel", "label", "language",
           "source_row", "split"]


def build(language_dir: Path, rusentne: Path) -> tuple[list[dict[str, str]], list[str]]:
    """Rows for one language and the problems found (file:line: what)."""
    source = read_rusentne(rusentne)
    dev_keys = {sentence_key(x.sentence) for x in split_by_sentence(source)[1]}
    rows: list[dict[str, str]] = []
    problems: list[str] = []
    seen: set[int] = set()
    for path in sorted(language_dir.glob("*.tsv")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            row_id, _, marked = line.partition("\t")
            marks = MARK.findall(marked)
            if not row_id.isdigit() or int(row_id) >= len(source):
                problems.append(f"{where}: {row_id!r} is not a row of {rusentne.name}")
                continue
            index = int(row_id)
            src = source[index]
            if src.tag not in ("COUNTRY", "NATIONALITY"):
                problems.append(f"{where}: row {index} is a {src.tag} row, not COUNTRY or NATIONALITY")
            elif len(marks) != 1 or "[[" in MARK.sub("", marked) or "]]" in MARK.sub("", marked):
                problems.append(f"{where}: expected exactly one [[target]], got {len(marks)}")
            elif "\t" in marked or "\r" in marked:
                problems.append(f"{where}: a tab or carriage return inside the translation")
            elif index in seen:
                problems.append(f"{where}: row {index} translated twice")
            else:
                seen.add(index)
                m = MARK.search(marked)
                assert m is not None
                sentence = (marked[:m.start()] + m.group(1) + marked[m.end():]).strip()
                start = m.start() - (len(marked[:m.start()]) - len(marked[:m.start()].lstrip()))
                rows.append({"sentence": sentence, "entity": m.group(1), "entity_tag": src.tag,
                             "entity_pos_start_rel": str(start), "entity_pos_end_rel": str(start + len(m.group(1))),
                             "label": str(src.label - 1), "language": language_dir.name, "source_row": str(index),
                             "split": "dev" if sentence_key(src.sentence) in dev_keys else "train"})
    rows.sort(key=lambda r: int(r["source_row"]))
    for r in rows:
        s, e = int(r["entity_pos_start_rel"]), int(r["entity_pos_end_rel"])
        assert r["sentence"][s:e] == r["entity"], r
    return rows, problems


def main(argv: list[str] | None = None) -> int:
    """Build every language folder under BATCH_DIR; print label counts; exit 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("batches", type=Path)
    parser.add_argument("--rusentne", type=Path, default=RUSENTNE)
    parser.add_argument("--out", type=Path, default=TRANSLATIONS_DIR)
    args = parser.parse_args(argv)
    failed = False
    for language_dir in sorted(p for p in args.batches.iterdir() if p.is_dir()):
        rows, problems = build(language_dir, args.rusentne)
        for p in problems:
            print(p)
        failed |= bool(problems)
        out = args.out / f"{language_dir.name}.tsv"
        # RuSentNE's own layout: tab-separated, no quoting (its readers use QUOTE_NONE); the checks above
        # guarantee no tab or line break inside a field
        lines = ["\t".join(COLUMNS)] + ["\t".join(r[c] for c in COLUMNS) for r in rows]
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        labels = Counter((r["split"], r["label"]) for r in rows)
        print(f"{out}: {len(rows)} rows; " + ", ".join(f"{k[0]} {k[1]}: {v}" for k, v in sorted(labels.items())))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
