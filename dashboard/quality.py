"""How good the model is in a language, where its scores are read: beside the language filter and on each
article's evidence. Figures come from the warehouse's model_quality table (the model cards' dev figures,
recorded when the model scored); a language without them is marked unmeasured, never shown as if it
were as good as the languages the model was measured on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb
import pandas as pd
import streamlit as st

from dashboard import data

UNMEASURED_BADGE = ":orange-badge[unmeasured]"


@dataclass(frozen=True)
class LanguageQuality:
    """The model's dev figures in one language."""

    language: str
    dev_set: str
    n: int
    f1_pn: float
    f1_pn_lo: float
    f1_pn_hi: float
    macro_f1: float
    ece: float


@st.cache_data(ttl=data.TTL_S, show_spinner=False)
def model_quality(db: str, model_id: str) -> dict[str, LanguageQuality]:
    """The model's dev figures by language (empty for a model recorded before figures were)."""
    try:
        df: pd.DataFrame = data.run_df(db, "quality_of_model", {"model_id": model_id})
    except duckdb.CatalogException:  # a warehouse no writer has migrated to 0010 yet: nothing recorded
        return {}
    return {str(r.language): LanguageQuality(str(r.language), str(r.dev_set), int(r.n), float(r.f1_pn),
                                             float(r.f1_pn_lo), float(r.f1_pn_hi), float(r.macro_f1),
                                             float(r.ece))
            for r in df.itertuples()}


def figure_text(language: str, quality: Mapping[str, LanguageQuality]) -> str:
    """One language's figure as a short markdown phrase: F1 with its interval and n, or the unmeasured badge."""
    q = quality.get(language)
    if q is None:
        return f"**{language}** {UNMEASURED_BADGE}"
    return (f"**{language}** F1 {q.f1_pn:.2f} [{q.f1_pn_lo:.2f}, {q.f1_pn_hi:.2f}], n={q.n:,}")


def filter_caption(languages: Iterable[str], quality: Mapping[str, LanguageQuality]) -> str:
    """The caption under the language filter: each language's dev F1 (positive/negative) on a line of its
    own, unmeasured ones marked and explained."""
    chosen = list(dict.fromkeys(languages))
    lines = ["Model's dev F1 (positive/negative, 95% interval) by language:",
             *(figure_text(lang, quality) for lang in chosen)]
    if not quality:
        lines.append("No dev figures were recorded with this model: re-run `stancewatch score`.")
    if any(lang not in quality for lang in chosen):
        lines.append("Unmeasured: no dev rows in that language, so its scores may be far less reliable than "
                     "English's.")
    return "  \n".join(lines)


def evidence_caption(language: object, quality: Mapping[str, LanguageQuality]) -> str:
    """The caption on an article's evidence: how the model did on dev in the article's language."""
    lang = language if isinstance(language, str) and language else "??"  # pandas gives NaN for NULL
    q = quality.get(lang)
    if q is None:
        return (f"Model quality in {lang}: {UNMEASURED_BADGE} (no dev figures in this language: read these "
                "scores as less reliable than in a measured language).")
    return (f"Model quality in {lang}: dev F1 (positive/negative) {q.f1_pn:.2f} [95% {q.f1_pn_lo:.2f}, "
            f"{q.f1_pn_hi:.2f}] on n={q.n:,} rows of {q.dev_set}; macro-F1 {q.macro_f1:.2f}; "
            f"calibration error {q.ece:.3f}.")
