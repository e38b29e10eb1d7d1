"""Benchmark stance scoring on 2 cores: articles/s and peak memory, ONNX scorer vs plain transformers + torch.

Generates realistic articles (about 600 words, several countries each, half English and half Russian), then in
two child processes of this run (so that each one's peak memory is its own):
  onnx   `analysis.scoring.score_warehouse` with the shipped model (ONNX int8, batches sorted by length,
         identical sentences once) over a fresh warehouse holding the articles;
  torch  the same model architecture in transformers + torch, one sentence at a time, over the same articles'
         targets (found by the same mention and sentence code), the usual naive pipeline.
Prints both and the ratio. The torch side loads the trained weights from .cache/train when present (training
leaves them there), else the base weights with a fresh head: the same compute either way.

    .venv/bin/python scripts/bench_score.py --articles 2000 --baseline-articles 200
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EN_COUNTRIES = ["Russia", "China", "Kazakhstan", "Ukraine", "the United States", "Turkey", "Iran", "Germany",
                "France", "Uzbekistan", "Kyrgyzstan", "Georgia", "Armenia", "Azerbaijan", "Belarus", "Japan"]
RU_COUNTRIES = ["Россия", "Китай", "Казахстан", "Украина", "США", "Турция", "Иран", "Германия", "Франция",
                "Узбекистан", "Киргизия", "Грузия", "Армения", "Азербайджан", "Белоруссия", "Япония"]
EN_TEMPLATES = [
    "Officials in {a} said on {d} that talks with {b} on energy supplies had made progress.",
    "{a} criticised {b} for what it called an unjustified increase in tariffs on grain exports.",
    "Analysts expect trade between {a} and {b} to grow by {n} percent next year.",
    "The minister praised {a} for its support during the floods that hit the region in {m}.",
    "{a} has repeatedly accused {b} of interfering in its internal affairs.",
    "According to the statistics agency, inflation reached {n} percent in {m}.",
    "The company plans to open {n} new factories by the end of the decade.",
    "Local residents complained about rising prices for bread, fuel and utilities.",
    "The delegation will discuss transport corridors, visas and investment projects.",
    "Experts warned that the drought could cut the harvest by {n} percent.",
    "The parliament approved the budget after a long debate on {d}.",
    "Critics said the new law would restrict the work of independent journalists.",
]
RU_TEMPLATES = [
    "Официальные лица {a} заявили в {d}, что переговоры с {b} о поставках энергии продвинулись.",
    "{a} раскритиковала {b} за необоснованное повышение пошлин на экспорт зерна.",
    "Аналитики ожидают, что торговля между {a} и {b} вырастет на {n} процентов в следующем году.",
    "Министр поблагодарил {a} за поддержку во время наводнения, произошедшего в {m}.",
    "{a} неоднократно обвиняла {b} во вмешательстве во внутренние дела.",
    "По данным статистического ведомства, инфляция в {m} достигла {n} процентов.",
    "Компания планирует открыть {n} новых заводов до конца десятилетия.",
    "Местные жители жалуются на рост цен на хлеб, топливо и коммунальные услуги.",
    "Делегация обсудит транспортные коридоры, визы и инвестиционные проекты.",
    "Эксперты предупредили, что засуха может сократить урожай на {n} процентов.",
    "Парламент одобрил бюджет после долгих дебатов в {d}.",
    "Критики заявили, что новый закон ограничит работу независимых журналистов.",
]
EN_LEADS = ["As of {k} hours ago, ", "In a report of {k} pages, ", "At a briefing of {k} minutes, ",
            "According to {k} sources, ", "For the {k}th time, "]
RU_LEADS = ["{k} часов назад ", "В докладе на {k} страницах ", "На брифинге длиной {k} минут ",
            "По данным {k} источников, ", "Уже в {k}-й раз "]
EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
RU_DAYS = ["понедельник", "вторник", "среду", "четверг", "пятницу"]
EN_MONTHS = ["March", "April", "May", "June", "July"]
RU_MONTHS = ["марте", "апреле", "мае", "июне", "июле"]


def make_articles(n: int, seed: int = 1) -> list[dict[str, str]]:
    """n articles of about 600 words, alternating English and Russian, several countries each."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ru = i % 2 == 1
        countries, templates = (RU_COUNTRIES, RU_TEMPLATES) if ru else (EN_COUNTRIES, EN_TEMPLATES)
        days, months = (RU_DAYS, RU_MONTHS) if ru else (EN_DAYS, EN_MONTHS)
        cast = rng.sample(countries, 4)
        sentences, words = [], 0
        while words < 600:
            a, b = rng.sample(cast, 2)
            s = rng.choice(templates).format(a=a, b=b, n=rng.randint(2, 40), d=rng.choice(days),
                                             m=rng.choice(months))
            # A varying lead keeps sentences distinct, so the scorer's de-duplication does not flatter it.
            lead = rng.choice(RU_LEADS if ru else EN_LEADS).format(k=rng.randint(2, 99))
            s = lead + s[0].lower() + s[1:] if not s.startswith(tuple(countries)) else lead + s
            sentences.append(s)
            words += len(s.split())
        paras = [" ".join(sentences[j : j + 5]) for j in range(0, len(sentences), 5)]
        out.append({"title": f"{cast[0]} {'и' if ru else 'and'} {cast[1]}: {i}", "text": "\n\n".join(paras),
                    "language": "ru" if ru else "en"})
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_onnx(n: int, model: str, cache_dir: Path) -> dict[str, object]:
    """Score n articles through score_warehouse in a fresh warehouse."""
    from analysis.model import load_scorer
    from analysis.scoring import score_warehouse
    from warehouse import writer

    arts = make_articles(n)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        now = datetime(2026, 1, 1)
        with writer(db) as w:
            rows = []
            for i, a in enumerate(arts):
                url = f"https://example.org/{i}"
                aid = hashlib.sha1(url.encode()).hexdigest()
                rows.append({"id": aid, "url": url, "source": "bench", "title": a["title"], "description": None,
                             "text": a["text"], "authors": [], "published_at": now, "fetched_at": now,
                             "language": a["language"], "content_hash": aid, "story_id": aid,
                             "extractor": "bench", "run_id": None})
            import pyarrow as pa

            w.con.register("bench_rows", pa.Table.from_pylist(rows))
            w.con.execute("INSERT INTO articles BY NAME SELECT * FROM bench_rows")
        t0 = time.monotonic()
        scorer = load_scorer(model, cache_dir)
        load_s = time.monotonic() - t0
        t1 = time.monotonic()
        summary = score_warehouse(db, scorer=scorer, progress=False)
        secs = time.monotonic() - t1
    return {"pipeline": "onnx int8 score_warehouse", "model_id": scorer.model_id, "articles": summary.articles,
            "targets_scored": summary.targets_scored, "seconds": round(secs, 2), "load_s": round(load_s, 2),
            "articles_per_s": round(summary.articles / secs, 3), "peak_rss_mb": round(_peak_mb(), 1)}


def worker_torch(n: int, model: str, cache_dir: Path) -> dict[str, object]:
    """The same model's architecture in transformers + torch, one target sentence at a time."""
    import torch

    from analysis.model import MODELS_DIR, read_registry
    from analysis.scoring import plan_text, scored_text
    from analysis.training.bases import build_classifier, load_base

    torch.set_num_threads(2)
    t0 = time.monotonic()
    routes = {}
    trained = {}
    for r in read_registry()[model]["routes"]:
        card = json.loads((MODELS_DIR / r["folder"] / "card.json").read_text())
        base = card["base"]["key"]
        enc = load_base(base, cache_dir)
        clf = build_classifier(base, enc).eval()
        best = ROOT / ".cache/train" / r["folder"] / "best.pt"
        if best.is_file():
            clf.load_state_dict(torch.load(best, weights_only=True), strict=False)
        trained[r["folder"]] = best.is_file()
        for lang in r["languages"]:
            routes[lang] = (enc, clf, int(card.get("max_len", 128)))
    load_s = time.monotonic() - t0
    arts = make_articles(n)
    targets = 0
    t1 = time.monotonic()
    with torch.inference_mode():
        for a in arts:
            text = scored_text(a["title"], a["text"])
            route = routes.get(a["language"]) or routes.get("*")
            if route is None:
                continue  # the model has no route for this language: score_warehouse skips it too
            enc, clf, max_len = route
            for p in plan_text(text, language=a["language"], title_end=len(a["title"])):
                ids = torch.tensor(enc.encode([p.target.marked()], max_len=max_len))
                logits = clf(input_ids=ids, attention_mask=torch.ones_like(ids)).logits
                torch.softmax(logits, dim=-1)
                targets += 1
    secs = time.monotonic() - t1
    return {"pipeline": "transformers+torch fp32, one sentence at a time", "articles": n, "targets_scored": targets,
            "seconds": round(secs, 2), "load_s": round(load_s, 2), "articles_per_s": round(n / secs, 3),
            "peak_rss_mb": round(_peak_mb(), 1), "trained_weights": trained}


def main() -> int:
    """Run both workers as child processes and print their figures and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=200, help="articles for the ONNX scorer (issue: 2000)")
    ap.add_argument("--baseline-articles", type=int, default=40, help="articles for the slow torch baseline")
    ap.add_argument("--model", default="stancewatch-e5-small")
    ap.add_argument("--cache-dir", type=Path, default=Path("~/.cache/stancewatch").expanduser())
    ap.add_argument("--worker", choices=["onnx", "torch"], help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    a = ap.parse_args()
    if a.worker:
        fn = worker_onnx if a.worker == "onnx" else worker_torch
        n = a.articles if a.worker == "onnx" else a.baseline_articles
        print(json.dumps(fn(n, a.model, a.cache_dir)))
        return 0
    results = {}
    for kind in ("onnx", "torch"):
        cmd = [sys.executable, __file__, "--worker", kind, "--articles", str(a.articles),
               "--baseline-articles", str(a.baseline_articles), "--model", a.model, "--cache-dir", str(a.cache_dir)]
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=dict(os.environ))
        if res.returncode != 0:
            print(res.stderr[-3000:], file=sys.stderr)
            return 1
        results[kind] = json.loads(res.stdout.strip().splitlines()[-1])
    ratio = results["onnx"]["articles_per_s"] / results["torch"]["articles_per_s"]
    out = {**results, "speedup": round(ratio, 2), "cpu_count": os.cpu_count()}
    if a.json:
        print(json.dumps(out))
        return 0
    for kind, r in results.items():
        print(f"{kind:>5}: {r['articles']} articles, {r['targets_scored']} targets in {r['seconds']} s -> "
              f"{r['articles_per_s']} articles/s, peak RSS {r['peak_rss_mb']} MB (load {r['load_s']} s)")
    print(f"speed-up of the ONNX scorer over the torch baseline: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
