"""Benchmark scoring on Ray against the plain local run, in the same run over the same articles.

Builds one warehouse file of bench_score's realistic articles (about 600 words, English and Russian), copies it
once per variant, and scores each copy: `score_warehouse` in this process (the baseline), then
`score_on_ray` with 1 and with 2 workers on a local Ray cluster (LocalRay, 2 CPUs) started for the run. Prints
articles/s of each (the model's load time excluded from neither: each Ray worker loads its own model, and the
local run's load is timed too) and each Ray variant's ratio to the baseline. On 2 cores expect parity, not a
speed-up: the ratio is the cost of coordination.

    .venv/bin/python scripts/bench_ray_scoring.py --articles 200
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def build(db: Path, n: int) -> None:
    """A warehouse file holding n of bench_score's articles."""
    import hashlib
    from datetime import datetime

    import pyarrow as pa
    from bench_score import make_articles  # type: ignore[import-not-found]

    from warehouse import writer

    now = datetime(2026, 1, 1)
    rows = []
    for i, a in enumerate(make_articles(n)):
        url = f"https://example.org/{i}"
        aid = hashlib.sha1(url.encode()).hexdigest()
        rows.append({"id": aid, "url": url, "source": "bench", "title": a["title"], "text": a["text"],
                     "published_at": now, "fetched_at": now, "language": a["language"], "content_hash": aid,
                     "story_id": aid, "extractor": "bench"})
    with writer(db) as w:
        w.con.register("bench_rows", pa.Table.from_pylist(rows))
        w.con.execute("INSERT INTO articles BY NAME SELECT * FROM bench_rows")


def bench(articles: int, workers_list: tuple[int, ...] = (1, 2)) -> list[dict[str, object]]:
    """articles/s of a local run and of Ray runs with each worker count, over copies of one warehouse."""
    from analysis.model import load_scorer
    from analysis.ray_scoring import score_on_ray
    from analysis.scoring import score_warehouse
    from stancewatch.cluster.ray_cluster import LocalRay

    defaults = tomllib.loads((ROOT / "stancewatch" / "defaults.toml").read_text(encoding="utf-8"))
    model = str(defaults["model"]["name"])
    cache = Path(str(defaults["model"]["cache_dir"])).expanduser()
    figures: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.duckdb"
        build(base, articles)

        def copy(name: str) -> Path:
            target = Path(tmp) / f"{name}.duckdb"
            shutil.copy(base, target)
            return target

        t0 = time.monotonic()
        summary = score_warehouse(copy("local"), scorer=load_scorer(model, cache), progress=False)
        seconds = time.monotonic() - t0
        figures.append({"variant": "local score_warehouse (1 process, 2 ONNX threads)",
                        "articles": summary.articles, "seconds": seconds})
        with LocalRay(Path(tmp) / "ray", cpus=2) as cluster:
            for workers in workers_list:
                t0 = time.monotonic()
                summary = score_on_ray(copy(f"ray{workers}"), address=cluster.address, workers=workers,
                                       model_name=model, cache_dir=cache)
                seconds = time.monotonic() - t0
                figures.append({"variant": f"score_on_ray, {workers} worker(s)", "articles": summary.articles,
                                "seconds": seconds})
    baseline = float(figures[0]["articles"]) / float(figures[0]["seconds"])  # type: ignore[arg-type]
    for f in figures:
        rate = float(f["articles"]) / float(f["seconds"])  # type: ignore[arg-type]
        f["articles_per_s"] = round(rate, 2)
        f["ratio_to_local"] = round(rate / baseline, 3)
        f["seconds"] = round(float(f["seconds"]), 1)  # type: ignore[arg-type]
    return figures


def main() -> int:
    """Run the benchmark and print one line per variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    for f in bench(args.articles):
        print(f"{f['variant']:<52} {f['articles']:>6} articles {f['seconds']:>7}s "
              f"{f['articles_per_s']:>7} articles/s  x{f['ratio_to_local']} of local")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
