"""Readers of the labelled data and the by-sentence dev split."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.datasets import read_newsmtsc, read_rusentne, sentence_key, split_by_sentence
from analysis.errors import AnalysisError

TSV = (
    "sentence\tentity\tentity_tag\tentity_pos_start_rel\tentity_pos_end_rel\tlabel\n"
    "Россия и Китай подписали договор.\tРоссия\tCOUNTRY\t0\t6\t1\n"
    "Россия и Китай подписали договор.\tКитай\tCOUNTRY\t9\t14\t0\n"
    "Министр посетил завод.\tМинистр\tPROFESSION\t0\t7\t-1\n"
)


def test_rusentne_rows_mark_other_countries(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text(TSV, encoding="utf-8")
    rows = read_rusentne(f)
    assert [r.label for r in rows] == [2, 1, 0]
    assert rows[0].others == ((9, 14),) and rows[1].others == ((0, 6),) and rows[2].others == ()
    assert rows[0].tag == "COUNTRY" and rows[0].language == "ru"


def test_rusentne_bad_header_is_clear(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text("a\tb\n1\t2\n")
    with pytest.raises(AnalysisError, match="tab-separated header"):
        read_rusentne(f)


def test_newsmtsc_bad_line_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "n.jsonl"
    f.write_text('{"sentence": "x", "from": 0, "to": 1, "polarity": 0}\n{"sentence": "y"}\n')
    with pytest.raises(AnalysisError, match=r"n\.jsonl:2"):
        read_newsmtsc(f)


def test_split_keeps_sentences_together_and_is_deterministic(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    lines = [TSV.splitlines()[0]]
    for i in range(200):
        lines += [f"Страна {i} и Китай.\tКитай\tCOUNTRY\t{len(str(i)) + 10}\t{len(str(i)) + 15}\t0",
                  f"Страна {i} и Китай.\tСтрана\tCOUNTRY\t0\t6\t1"]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = read_rusentne(f)
    train, dev = split_by_sentence(rows)
    assert 40 <= len(dev) <= 80 and len(train) + len(dev) == 400
    assert not {sentence_key(x.sentence) for x in train} & {sentence_key(x.sentence) for x in dev}
    assert split_by_sentence(rows)[1] == dev
