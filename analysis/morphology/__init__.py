"""Paradigm rules by language: `{xx}` after a stem in an alias picks one of language xx's paradigms by rule.

Each module here is named for a language (kk.py, tr.py, ...) and defines `paradigm(stem) -> str`, the name
of a table under that language's `paradigms` (vowel harmony and the stem's last sound decide which).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache

from analysis.errors import GazetteerError


@cache
def _rule(language: str) -> Callable[[str], str] | None:
    try:
        module = importlib.import_module(f"analysis.morphology.{language}")
    except ModuleNotFoundError:
        return None
    rule: Callable[[str], str] = module.paradigm
    return rule


def has_rule(language: str) -> bool:
    """Whether `{language}` names a rule-picked paradigm (a module of that name exists here)."""
    return language.isalpha() and _rule(language) is not None


def paradigm_for(language: str, stem: str) -> str:
    """The paradigm name language's rule picks for stem."""
    rule = _rule(language)
    if rule is None:
        raise GazetteerError(f"no paradigm rule for language {language!r} (analysis/morphology/{language}.py)")
    return rule(stem)
