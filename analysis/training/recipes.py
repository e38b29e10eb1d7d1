"""The two training recipes (English MiniLM route, multilingual e5 route): data, dev sets and selection."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.datasets import TRANSLATIONS_DIR, Example, read_newsmtsc, read_rusentne, split_by_sentence, split_rows

EN_SHARE_SEED = 7
# What the shipped folders were trained with (stancewatch train reproduces them with no options).
DEFAULTS: dict[str, dict[str, float | int | bool]] = {
    "en": {"lr": 6e-5, "epochs": 3.0, "freeze_layers": 0, "eval_every": 200, "en_share": 0,
           "class_weight_power": 0.0},
    "multi": {"lr": 8e-5, "epochs": 6.0, "freeze_layers": 6, "eval_every": 200, "en_share": 2000,
              "class_weight_power": 0.5, "fit_neutral_bias": True},
    "multi2": {"lr": 8e-5, "epochs": 3.0, "freeze_layers": 6, "eval_every": 400, "en_share": 4000,
               "class_weight_power": 0.5, "fit_neutral_bias": True},
}
# Languages of the hand translations of RuSentNE rows (analysis/training/translations/<language>.tsv). The model
# trains on the kk and uk rows (all COUNTRY and NATIONALITY rows); ky, uz and tr (300 rows each) are only
# evaluated, so their figures measure transfer to languages the model was not fine-tuned on.
TRANSLATED = ("kk", "uk", "ky", "uz", "tr")
TRAINED_TRANSLATIONS = ("kk", "uk")
# Cards record data files from here or from the shared folder (rel_path).
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Recipe:
    """What one route trains on, where it is selected and how."""

    route: str
    base: str
    folder: str
    languages: list[str]
    train: list[Example]
    dev: dict[str, list[Example]]
    select: Callable[[dict[str, dict[str, Any]]], float]
    select_doc: str
    data_files: list[Path]


def newsmtsc_files(data: Path) -> dict[str, Path]:
    """The NewsMTSC files we use: hf train and the rw and mt dev splits."""
    base = data / "newsmtsc" / "hf_splits"
    return {"train": base / "rw" / "train.jsonl", "rw_dev": base / "rw" / "dev.jsonl",
            "mt_dev": base / "mt" / "dev.jsonl"}


def rusentne_file(data: Path) -> Path:
    """RuSentNE's train file (our train and dev splits come from it)."""
    return data / "rusentne-2023" / "train_data.csv"


def rusentne_splits(data: Path) -> tuple[list[Example], list[Example]]:
    """RuSentNE train split into (train, dev) by sentence with the fixed seed."""
    return split_by_sentence(read_rusentne(rusentne_file(data)))


def recipe(route: str, data: Path, en_share: int = 2000) -> Recipe:
    """The recipe of a route: 'en' (MiniLM on NewsMTSC) or 'multi' (e5 on RuSentNE + a share of NewsMTSC)."""
    nf = newsmtsc_files(data)
    en_train = read_newsmtsc(nf["train"])
    rw = read_newsmtsc(nf["rw_dev"], "newsmtsc-rw-dev")
    mt = read_newsmtsc(nf["mt_dev"], "newsmtsc-mt-dev")
    if route == "en":
        return Recipe(
            route, "minilm", "minilm-en", ["en"], en_train, {"en_rw": rw, "en_mt": mt},
            lambda f: (f["en_rw"]["macro_f1"] + f["en_mt"]["macro_f1"]) / 2,
            "mean macro-F1 of NewsMTSC rw and mt dev", [nf["train"], nf["rw_dev"], nf["mt_dev"]],
        )
    if route == "multi":
        ru_train, ru_dev = rusentne_splits(data)
        rng = random.Random(EN_SHARE_SEED)
        share = rng.sample(en_train, min(en_share, len(en_train)))
        train = ru_train + share
        rng.shuffle(train)
        return Recipe(
            route, "e5", "e5-multi", ["*"], train,
            {"ru": ru_dev, "ru_country": [x for x in ru_dev if x.tag == "COUNTRY"], "en_rw": rw},
            lambda f: 0.4 * f["ru"]["f1_pn"] + 0.3 * f["ru_country"]["f1_pn"] + 0.3 * f["en_rw"]["macro_f1"],
            "0.4 RuSentNE dev F1_pn + 0.3 its COUNTRY rows' F1_pn + 0.3 NewsMTSC rw dev macro-F1",
            [rusentne_file(data), nf["train"], nf["rw_dev"]],
        )
    if route == "multi2":
        return _multi2(data, en_train, rw, en_share)
    raise ValueError(f"unknown route {route!r}; expected 'en', 'multi' or 'multi2'")


def translations(folder: Path = TRANSLATIONS_DIR) -> dict[str, tuple[list[Example], list[Example]]]:
    """(train, dev) rows of each translated language present, split by source sentence."""
    out = {}
    for language in TRANSLATED:
        path = folder / f"{language}.tsv"
        if path.is_file():
            out[language] = split_rows(read_rusentne(path))
    return out


def _multi2(data: Path, en_train: list[Example], rw: list[Example], en_share: int) -> Recipe:
    """e5 on everything: RuSentNE train split, NewsMTSC train (all of it by default) and the translations.

    Dev: RuSentNE dev (all, COUNTRY), NewsMTSC rw dev, each translated language's dev rows, and ru_parallel,
    the Russian source rows of the Kazakh dev rows (so kk and ru are compared on the same sentences).
    """
    ru_train, ru_dev = rusentne_splits(data)
    rng = random.Random(EN_SHARE_SEED)
    share = rng.sample(en_train, min(en_share, len(en_train)))
    translated = translations()
    train = ru_train + share + [x for k, (tr, _) in translated.items() if k in TRAINED_TRANSLATIONS for x in tr]
    rng.shuffle(train)
    dev: dict[str, list[Example]] = {"ru": ru_dev, "ru_country": [x for x in ru_dev if x.tag == "COUNTRY"],
                                     "en_rw": rw}
    for language, (_, rows) in translated.items():
        dev[language] = rows
    if "kk" in translated:
        source = read_rusentne(rusentne_file(data))
        dev["ru_parallel"] = [source[int(x.meta["source_row"])] for x in translated["kk"][1]]
    polar = [k for k in ("kk", "uk") if k in dev]

    def select(f: dict[str, dict[str, Any]]) -> float:
        regional = sum(float(f[k]["f1_pn"]) for k in polar) / len(polar) if polar else float(f["ru"]["f1_pn"])
        return float(0.3 * f["ru"]["f1_pn"] + 0.2 * f["ru_country"]["f1_pn"] + 0.3 * f["en_rw"]["macro_f1"]
                     + 0.2 * regional)

    files = [rusentne_file(data), newsmtsc_files(data)["train"], newsmtsc_files(data)["rw_dev"]]
    return Recipe("multi2", "e5", "e5-multi-v2", ["*"], train, dev, select,
                  "0.3 RuSentNE dev F1_pn + 0.2 its COUNTRY rows' F1_pn + 0.3 NewsMTSC rw dev macro-F1 + "
                  "0.2 mean F1_pn of the Kazakh and Ukrainian translation dev rows",
                  files + [TRANSLATIONS_DIR / f"{k}.tsv" for k in translated if k in TRAINED_TRANSLATIONS])


def rel_path(p: Path) -> str:
    """A data file's path as a card records it: from the repository root (the translations), or from the shared
    folder on (../shared/data), never a machine's absolute path."""
    p = p.resolve()
    if p.is_relative_to(REPO_ROOT):
        return str(p.relative_to(REPO_ROOT))
    parts = p.parts
    return "/".join(parts[parts.index("shared"):]) if "shared" in parts else str(p)
