"""A fake stance scorer for tests: satisfies analysis.model.Scorer, decides by words, counts what it saw."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from analysis.model import Target

NEGATIVE = ("condemned", "attacked", "invaded", "осудил", "напал", "засудив")
POSITIVE = ("praised", "thanked", "helped", "похвалил", "поблагодарил", "подякував")


class FakeScorer:
    """Negative when the sentence has a negative word, positive for a positive word, else neutral."""

    def __init__(self, model_id: str = "fake@1+000000000000") -> None:
        self.model_id = model_id
        self.name = "fake"
        self.version = "1"
        self.weights_sha256 = "0" * 64
        self.languages = ["en", "ru"]
        self.evaluation: dict[str, Any] = {"dev": {"macro_f1": 0.5}}
        self.calls = 0
        self.seen: list[Target] = []

    def score(self, targets: Sequence[Target]) -> np.ndarray:
        """Probabilities (n, 3): negative, neutral, positive."""
        self.calls += 1
        self.seen.extend(targets)
        rows = []
        for t in targets:
            low = t.sentence.lower()
            if any(w in low for w in NEGATIVE):
                rows.append([0.8, 0.15, 0.05])
            elif any(w in low for w in POSITIVE):
                rows.append([0.05, 0.15, 0.8])
            else:
                rows.append([0.1, 0.8, 0.1])
        return np.asarray(rows, dtype=np.float32).reshape(len(targets), 3)
