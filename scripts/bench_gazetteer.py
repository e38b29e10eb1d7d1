"""Speed of country-mention matching on 2,000 articles of mixed languages, with a baseline in the same run.

Articles are built from real sentences: English from NewsMTSC train, Russian from RuSentNE-2023 train (both in
../shared/data), and every other language from its hand-made check set (tests/analysis/checksets/), 30
sentences an article. The product path (language guess -> columns -> token-trie match) is timed against the
baseline of the same trie over every column with no language guess (what matching cost before columns), and
optionally against an older checkout's gazetteer (--before PATH: the folder of a checkout, e.g. of main).

    .venv/bin/python scripts/bench_gazetteer.py [--articles 2000] [--before /tmp/base]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from analysis import checksets
from analysis.columns import find_mentions

try:  # imported as scripts.bench_gazetteer or run as a file (scripts/ on sys.path)
    from scripts.rusentne_recall import read_rows
except ModuleNotFoundError:
    from rusentne_recall import read_rows  # type: ignore[no-redef]
from analysis.gazetteer import Gazetteer

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SENTENCES_PER_ARTICLE = 30


def sentence_pools() -> dict[str, list[str]]:
    """Sentences by language from the shared data sets and the check sets."""
    pools: dict[str, list[str]] = {}
    newsmtsc = SHARED / "newsmtsc" / "original" / "train.jsonl"
    if newsmtsc.exists():
        lines = newsmtsc.read_text(encoding="utf-8").splitlines()
        pools["en"] = [json.loads(line)["sentence_normalized"] for line in lines[:3000]]
    rusentne = SHARED / "rusentne-2023" / "train_data.csv"
    if rusentne.exists():
        pools["ru"] = sorted({row[0] for tag in ("COUNTRY", "PERSON") for row in read_rows(rusentne, tag)})
    for path in sorted((ROOT / "tests" / "analysis" / "checksets").glob("*.txt")):
        pools.setdefault(path.stem, [item.text for item in checksets.load(path)])
    return pools


def build_articles(count: int, seed: int = 7) -> list[str]:
    """count articles, the languages taking turns, each of SENTENCES_PER_ARTICLE sentences of one language."""
    pools = sentence_pools()
    languages = sorted(pools)
    rng = random.Random(seed)
    return [" ".join(rng.choices(pools[languages[i % len(languages)]], k=SENTENCES_PER_ARTICLE))
            for i in range(count)]


def before_gazetteer(checkout: Path) -> Any:
    """The gazetteer module and data of another checkout, loaded under its own name beside ours."""
    spec = importlib.util.spec_from_file_location("before_gazetteer", checkout / "analysis" / "gazetteer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["before_gazetteer"] = module
    spec.loader.exec_module(module)
    return module.Gazetteer.load(checkout / "analysis" / "countries.yaml")


def main(argv: list[str] | None = None) -> int:
    """Print mentions per second for the product path and the baseline, and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--before", type=Path, help="a checkout whose gazetteer to time on the same articles")
    args = parser.parse_args(argv)
    articles = build_articles(args.articles)
    gazetteer = Gazetteer.load()
    words = sum(len(a.split()) for a in articles)

    start = time.perf_counter()
    found = sum(len(find_mentions(a, gazetteer=gazetteer)) for a in articles)
    product = time.perf_counter() - start

    start = time.perf_counter()
    every_column = sum(len(gazetteer.find(a)) for a in articles)
    no_langid = time.perf_counter() - start

    print(f"{len(articles)} articles, {words} words, {gazetteer.form_count} alias forms")
    print(f"product (language guess + columns + trie): {found} mentions, {found / product:,.0f} mentions/s, "
          f"{len(articles) / product:,.0f} articles/s")
    print(f"baseline (trie over every column, no guess): {every_column} mentions, "
          f"{every_column / no_langid:,.0f} mentions/s, {len(articles) / no_langid:,.0f} articles/s")
    print(f"ratio product/baseline (articles/s): {no_langid / product:.2f}")
    if args.before:
        old = before_gazetteer(args.before)
        start = time.perf_counter()
        before = sum(len(old.find(a)) for a in articles)
        seconds = time.perf_counter() - start
        print(f"before ({args.before}, {old.form_count} forms): {before} mentions, {before / seconds:,.0f} "
              f"mentions/s, {len(articles) / seconds:,.0f} articles/s; ratio product/before (mentions/s): "
              f"{(found / product) / (before / seconds):.2f}, (articles/s): {seconds / product:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
