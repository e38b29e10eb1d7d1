"""The Python API: score one text for its stance toward each country it mentions.

    >>> from analysis.api import score_text
    >>> from analysis.model import load_scorer
    >>> result = score_text("Kazakhstan and Russia signed a deal.", scorer=load_scorer("default", cache_dir))
    >>> result["countries"][0]["stance"]["label"]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from analysis.gazetteer import default_gazetteer
from analysis.model import Scorer
from analysis.scoring import plan_text
from insights.stance import ScoredMention, aggregate


def score_text(text: str, countries: Iterable[str] | None = None, *, scorer: Scorer,
               language: str | None = None, title: str | None = None) -> dict[str, Any]:
    """Countries found in text, each with its mentions (offsets, sentence, probabilities) and the stance.

    countries: ISO codes to keep (all found when None). title: scored like an article's title (weighted
    more); offsets are then into title + blank line + text, as in the warehouse.
    """
    full = f"{title}\n\n{text}" if title else text
    gazetteer = default_gazetteer()
    planned = plan_text(full, language=language, title_end=len(title) if title else 0, countries=countries,
                        gazetteer=gazetteer)
    probs: Any = scorer.score([p.target for p in planned]) if planned else []
    by_country: dict[str, list[tuple[Any, Any]]] = {}
    for p, row in zip(planned, probs, strict=True):
        by_country.setdefault(p.mention.country, []).append((p, row))
    result: list[dict[str, Any]] = []
    for code, items in sorted(by_country.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        mentions = []
        scored = []
        for p, row in items:
            m = p.mention
            neg, neu, pos = (float(x) for x in row)
            mentions.append({
                "start": m.start, "end": m.end, "surface": m.surface, "alias": m.alias,
                "alias_language": m.language, "alias_kind": m.kind,
                "sentence_index": p.sentence_index, "sentence": p.sentence.text,
                "sentence_start": p.sentence.start, "in_title": p.in_title,
                "p_negative": round(neg, 4), "p_neutral": round(neu, 4), "p_positive": round(pos, 4),
            })
            scored.append(ScoredMention(p.sentence.text, neg, neu, pos, p.in_title, p.sentence_index, m.surface))
        stance = aggregate(scored)
        country = gazetteer.countries[code]
        result.append({
            "country": code, "name": country.name, "type": country.type,
            "stance": {"stance": stance.stance, "label": stance.label, "confidence": stance.confidence,
                       "mention_count": stance.mention_count, "evidence": stance.evidence},
            "mentions": mentions,
        })
    return {"model_id": scorer.model_id, "language": language, "characters": len(full), "countries": result}
