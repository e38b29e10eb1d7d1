"""Choices that more than one command module offers (command modules never import each other)."""

from __future__ import annotations

from enum import StrEnum


class LabelledFormat(StrEnum):
    """Labelled stance files: what `eval` and `train` read and `corrections export` writes
    (analysis.dev_eval.FORMATS reads them; a test keeps the two lists equal)."""

    newsmtsc = "newsmtsc"
    rusentne = "rusentne"
