"""The shell's shared choices agree with what the analysis reads."""

from __future__ import annotations

from analysis.dev_eval import FORMATS
from stancewatch.options import LabelledFormat


def test_labelled_formats_are_the_ones_the_analysis_reads() -> None:
    assert tuple(f.value for f in LabelledFormat) == FORMATS
