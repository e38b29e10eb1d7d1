"""Which of the gazetteer's language columns to match a text with: its language and every likely alternative.

Matching a text only with its own languages' aliases keeps one language's ordinary words from being read as
another's country names; matching with every candidate when the guess is unsure keeps a misidentified text
from losing its mentions.
"""

from __future__ import annotations

import re

from analysis.gazetteer import LANGUAGES, Gazetteer, Mention, default_gazetteer
from languageid import SCRIPT_LANGUAGES, identify

_LATIN = re.compile(r"[A-Za-z]{2}")


def mention_columns(text: str, language: str | None = None) -> frozenset[str]:
    """The columns for text: the candidates of its language guess, plus language when the caller knows it.

    A Cyrillic or Chinese text also gets the English column when it has Latin words: the press of the region
    quotes "US", "NATO" or "China" in Latin letters, and no alias in another script can be mistaken for them.
    """
    columns = set(identify(text).candidates)
    if language in LANGUAGES:
        columns.add(language)
    if columns and not columns & set(SCRIPT_LANGUAGES["latin"]) and _LATIN.search(text):
        columns.add("en")
    return frozenset(columns) if columns else frozenset(LANGUAGES)


def find_mentions(text: str, language: str | None = None, gazetteer: Gazetteer | None = None) -> list[Mention]:
    """Country mentions in text as scoring finds them: matched with the columns mention_columns picks."""
    return (gazetteer or default_gazetteer()).find(text, languages=mention_columns(text, language))
