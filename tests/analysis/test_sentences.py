"""Sentence splitting with offsets, per language: abbreviations, initials, quotes, line breaks."""

from __future__ import annotations

import pytest

from analysis.sentences import MAX_SENTENCE_CHARS, split_sentences


def texts(text: str, language: str) -> list[str]:
    sentences = split_sentences(text, language)
    for s in sentences:
        assert text[s.start:s.end] == s.text
    return [s.text for s in sentences]


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("en", 'Mr. Smith went to the U.S. State Department. J. Biden said "We will win." Then he left.',
     ["Mr. Smith went to the U.S. State Department.", 'J. Biden said "We will win."', "Then he left."]),
    ("en", "It was 5 p.m. when Dr. Jones arrived. Washington, D.C. is big.",
     ["It was 5 p.m. when Dr. Jones arrived.", "Washington, D.C. is big."]),
    ("ru", "Президент В. В. Путин заявил, что т.е. всё хорошо. В 2020 г. было иначе. «Мы не согласны!» — сказал он.",
     ["Президент В. В. Путин заявил, что т.е. всё хорошо.", "В 2020 г. было иначе.",
      "«Мы не согласны!» — сказал он."]),
    ("uk", "Президент України В. Зеленський заявив: «Ми переможемо». Це сталося у 2022 р. в Києві. Далі.",
     ["Президент України В. Зеленський заявив: «Ми переможемо».", "Це сталося у 2022 р. в Києві.", "Далі."]),
    ("kk", "Қазақстан Президенті Қ. Тоқаев Ресейге сапармен барды. Бұл 2023 ж. болды! Келесі сөйлем?",
     ["Қазақстан Президенті Қ. Тоқаев Ресейге сапармен барды.", "Бұл 2023 ж. болды!", "Келесі сөйлем?"]),
])
def test_languages(language: str, text: str, expected: list[str]) -> None:
    assert texts(text, language) == expected


def test_title_and_paragraphs_end_sentences() -> None:
    text = "Russia and Kazakhstan sign a deal\n\nThe deal was signed today. It covers oil\nand gas."
    assert texts(text, "en") == ["Russia and Kazakhstan sign a deal", "The deal was signed today.", "It covers oil",
                                 "and gas."]


def test_offsets_survive_leading_space_and_empty_text() -> None:
    text = "   First one.   Second one.  "
    sentences = split_sentences(text)
    assert [(s.start, s.end) for s in sentences] == [(3, 13), (16, 27)]
    assert split_sentences("") == [] and split_sentences("  \n\n ") == []


def test_runaway_sentence_is_cut() -> None:
    text = "word " * 1000
    sentences = split_sentences(text)
    assert len(sentences) >= 3
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_english_titles_and_months_do_not_end_sentences() -> None:
    assert texts("Sen. Warren and Rep. Jordan spoke. Then Gen. Milley left.", "en") == [
        "Sen. Warren and Rep. Jordan spoke.", "Then Gen. Milley left."]
    assert texts("In Sept. 2021 the U.S. left Afghanistan. The Taliban took over.", "en") == [
        "In Sept. 2021 the U.S. left Afghanistan.", "The Taliban took over."]
    # company suffixes are not joined: they end sentences as often as not
    assert texts("Shares of Apple Inc. fell. Prices rose.", "en") == ["Shares of Apple Inc. fell.", "Prices rose."]
