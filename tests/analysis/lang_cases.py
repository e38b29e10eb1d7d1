"""Shared checks of the per-language gazetteer columns: each test_lang_<xx>.py keeps its cases and builds its
tests here, so a rule (paradigm tables, sentence -> mentions, exclusions, coverage) is checked one way for all.

A builder returns a test function; a module binds it to a `test_...` name, which pytest collects under that name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import pytest
import yaml

from analysis.errors import GazetteerError
from analysis.gazetteer import ALIAS_DIR, Gazetteer, expand

Found = list[tuple[str, str]]
TestFunction = Callable[..., None]

# The countries of the region the project watches, and their neighbours: a column names each by a demonym and a
# capital as well as its name.
REGION = ("RU", "UA", "KZ", "KG", "TJ", "TM", "UZ", "BY", "MD", "GE", "AM", "AZ", "EE", "LV", "LT", "CN", "TR",
          "US", "GB", "DE", "FR", "IR", "AF", "MN", "IN", "JP", "KR", "KP", "IL", "SY", "SA", "AE", "QA")


@cache
def alias_file(language: str) -> dict[str, Any]:
    """The parsed analysis/aliases/<language>.yaml (read once)."""
    data: dict[str, Any] = yaml.safe_load((ALIAS_DIR / f"{language}.yaml").read_text(encoding="utf-8"))
    return data


def found(gazetteer: Gazetteer, text: str, language: str) -> Found:
    """(country, surface) of the mentions one column finds (exclusions of every language still apply)."""
    return [(m.country, m.surface) for m in gazetteer.find(text, languages=[language])]


def paradigm_rule(rule: Callable[[str], str], cases: Sequence[tuple[str, str]],
                  tables: Mapping[str, Sequence[str]]) -> TestFunction:
    """Test: the rule names each stem's table, and that table exists."""
    @pytest.mark.parametrize(("stem", "table"), cases)
    def test(stem: str, table: str) -> None:
        assert rule(stem) == table
        assert table in tables
    return test


def refused_stems(rule: Callable[[str], str], stems: Sequence[str], match: str | None = None) -> TestFunction:
    """Test: the rule raises GazetteerError (its message matching `match`, if given) for each stem."""
    @pytest.mark.parametrize("stem", stems)
    def test(stem: str) -> None:
        with pytest.raises(GazetteerError, match=match):
            rule(stem)
    return test


def assert_forms(forms: Iterable[str], present: Sequence[str], absent: Sequence[str]) -> None:
    """Every present form is among forms, no absent one is."""
    have = set(forms)
    assert set(present) <= have
    assert not set(absent) & have


def assert_well_formed(name: str, endings: Sequence[str]) -> None:
    """A paradigm table lists the bare form first and no ending twice."""
    assert endings[0] == "", name
    assert len(endings) == len(set(endings)), name


def expanded_forms(language: str, cases: Sequence[tuple[str, list[str], list[str]]]) -> TestFunction:
    """Test: expanding each alias spec with the language's alias-file tables gives the present forms, no absent one."""
    paradigms = {language: alias_file(language)["paradigms"]}

    @pytest.mark.parametrize(("spec", "present", "absent"), cases)
    def test(spec: str, present: list[str], absent: list[str]) -> None:
        assert_forms(expand(spec, language, paradigms), present, absent)
    return test


def mentions(language: str, cases: Sequence[tuple[str, Found]], fixture: str = "gazetteer") -> TestFunction:
    """Test: the language's column alone finds exactly the expected (country, surface) in each text, in order,
    each mention marked with that language and its offsets giving its surface (fixture: the Gazetteer to use)."""
    @pytest.mark.parametrize(("text", "expected"), cases)
    def test(request: pytest.FixtureRequest, text: str, expected: Found) -> None:
        gazetteer: Gazetteer = request.getfixturevalue(fixture)
        got = gazetteer.find(text, languages=[language])
        assert [(m.country, m.surface) for m in got] == expected
        for m in got:
            assert m.language == language
            assert text[m.start:m.end] == m.surface
    return test


def no_mentions(language: str, texts: Sequence[str], fixture: str = "gazetteer") -> TestFunction:
    """Test: the language's column finds nothing in each text (its false friends and exclusions)."""
    @pytest.mark.parametrize("text", texts)
    def test(request: pytest.FixtureRequest, text: str) -> None:
        gazetteer: Gazetteer = request.getfixturevalue(fixture)
        assert found(gazetteer, text, language) == []
    return test


def no_mentions_in_any_column(texts: Sequence[str]) -> TestFunction:
    """Test: no column finds anything in each text: a language's exclusions apply whatever column matched."""
    @pytest.mark.parametrize("text", texts)
    def test(gazetteer: Gazetteer, text: str) -> None:
        assert gazetteer.find(text) == []
    return test


def assert_every_country_named(block: Mapping[str, Mapping[str, Any]], countries: Iterable[str]) -> None:
    """The column's countries block has exactly the gazetteer's countries, each with a name."""
    codes = set(countries)
    assert set(block) == codes
    assert [c for c in sorted(codes) if not block[c].get("name")] == []


def assert_demonyms_and_capitals(block: Mapping[str, Mapping[str, Any]], region: Iterable[str] = REGION) -> None:
    """Each country of the region has a demonym and a capital in the column."""
    for code in region:
        assert block[code].get("demonym") and block[code].get("capital"), code
