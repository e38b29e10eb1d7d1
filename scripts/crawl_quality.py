"""Extraction quality of the crawler's parser on real saved pages; prints the figures.

- Main text on ../shared/data/trafilatura-eval (990 pages) with the metric its SOURCE.md gives: per page,
  after collapsing whitespace, each `with` segment found in the output is a true positive (missing: a false
  negative), each `without` segment found is a false positive (absent: a true negative); summed over the
  corpus; precision, recall, accuracy and F1. A page the crawler would drop counts as an empty output.
- Title, date and author accuracy on ../shared/data/fundus-parser-testdata (258 pages): title exact match
  after whitespace and quote normalisation, date at day and at minute level (UTC), author-set F1.

Usage: python scripts/crawl_quality.py [--data DIR] [--limit N] [--favor-precision] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract import Extracted, extract_article, parse_datetime  # noqa: E402

_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def main_text(folder: Path, *, limit: int | None, favor_precision: bool) -> dict[str, Any]:
    """Segment precision/recall/F1 of the crawler's main text on the trafilatura evaluation corpus."""
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    tp = fn = fp = tn = pages = dropped = 0
    started = time.perf_counter()
    for url, item in list(data.items())[:limit]:
        body = gzip.decompress((folder / "html" / f"{item['file']}.gz").read_bytes())
        result = extract_article(body, url, min_text_chars=0, favor_precision=favor_precision)
        output = _norm(result.text) if isinstance(result, Extracted) else ""
        dropped += not isinstance(result, Extracted)
        pages += 1
        for segment in item.get("with", []):
            if _norm(segment) in output:
                tp += 1
            else:
                fn += 1
        for segment in item.get("without", []):
            if _norm(segment) in output:
                fp += 1
            else:
                tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    seconds = time.perf_counter() - started
    return {"pages": pages, "dropped": dropped, "precision": round(precision, 4), "recall": round(recall, 4),
            "accuracy": round((tp + tn) / max(tp + tn + fp + fn, 1), 4), "f1": round(f1, 4),
            "pages_per_s": round(pages / seconds, 1)}


def _title(text: str | None) -> str:
    text = (text or "").replace("\u00ad", "").replace("\u200b", "")
    for a, b in (("“", '"'), ("”", '"'), ("„", '"'), ("«", '"'), ("»", '"'), ("’", "'"), ("‘", "'")):
        text = text.replace(a, b)
    return " ".join(text.split()).casefold()


def _names(names: list[str]) -> set[str]:
    return {" ".join(n.split()).casefold() for n in names if n.strip()}


def metadata(folder: Path, *, limit: int | None, favor_precision: bool) -> dict[str, Any]:
    """Title, date and author accuracy on the fundus parser test pages."""
    rows = [json.loads(line) for line in (folder / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = rows[:limit]
    titles = day = minute = dated = 0
    author_tp = author_fp = author_fn = 0
    dropped = 0
    for row in rows:
        body = gzip.decompress((folder / row["file"]).read_bytes())
        result = extract_article(body, row["url"], min_text_chars=0, favor_precision=favor_precision)
        if not isinstance(result, Extracted):
            dropped += 1
            author_fn += len(_names(row.get("authors") or []))
            dated += bool(row.get("publishing_date"))
            continue
        titles += _title(result.title) == _title(row["title"])
        truth = parse_datetime(row.get("publishing_date"))
        if truth is not None:
            dated += 1
            if result.published_at is not None:
                day += result.published_at.date() == truth.date()
                minute += abs((result.published_at - truth).total_seconds()) < 60
        got, want = _names(list(result.authors)), _names(row.get("authors") or [])
        author_tp += len(got & want)
        author_fp += len(got - want)
        author_fn += len(want - got)
    ap = author_tp / (author_tp + author_fp) if author_tp + author_fp else 0.0
    ar = author_tp / (author_tp + author_fn) if author_tp + author_fn else 0.0
    return {"pages": len(rows), "dropped": dropped, "title_exact": round(titles / len(rows), 4),
            "date_day": round(day / max(dated, 1), 4), "date_minute": round(minute / max(dated, 1), 4),
            "dated_pages": dated, "author_f1": round(2 * ap * ar / (ap + ar) if ap + ar else 0.0, 4)}


def main() -> int:
    """Run both evaluations and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data", help="the shared data folder")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages of each set")
    parser.add_argument("--favor-precision", action="store_true", help="trafilatura's favor_precision mode")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"{args.data}: no shared data folder here", file=sys.stderr)
        return 2
    figures = {
        "trafilatura_eval": main_text(args.data / "trafilatura-eval", limit=args.limit,
                                      favor_precision=args.favor_precision),
        "fundus": metadata(args.data / "fundus-parser-testdata", limit=args.limit,
                           favor_precision=args.favor_precision),
    }
    if args.json:
        print(json.dumps(figures))
        return 0
    t, f = figures["trafilatura_eval"], figures["fundus"]
    print(f"main text, trafilatura-eval ({t['pages']} pages, {t['dropped']} dropped as not articles, "
          f"{t['pages_per_s']} pages/s): precision {t['precision']:.3f}  recall {t['recall']:.3f}  "
          f"accuracy {t['accuracy']:.3f}  F1 {t['f1']:.3f}  (target >= 0.92)")
    print(f"metadata, fundus-parser-testdata ({f['pages']} pages): title exact {f['title_exact']:.3f}  "
          f"date day {f['date_day']:.3f}  date minute {f['date_minute']:.3f} (of {f['dated_pages']} dated)  "
          f"author F1 {f['author_f1']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
