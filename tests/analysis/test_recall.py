"""The gazetteer's recall on RuSentNE-2023's COUNTRY spans, at the right offsets (target: at least 0.95)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.gazetteer import Gazetteer
from scripts.rusentne_recall import read_rows


@pytest.mark.slow
def test_rusentne_country_recall(shared_data: Path, gazetteer: Gazetteer) -> None:
    rows = read_rows(shared_data / "rusentne-2023" / "train_data.csv", "COUNTRY")
    assert len(rows) == 1274
    found = sum(1 for sentence, _, start, end in rows
                if (start, end) in {(m.start, m.end) for m in gazetteer.find(sentence)})
    assert found / len(rows) >= 0.95
