"""Language identification among the ten languages, measured on the hand-made check sets and on paragraphs."""

from __future__ import annotations

import pytest

from analysis import checksets
from languageid import SUPPORTED, detect_language, identify
from scripts.mentions_by_language import CHECKSETS

CHECKED = ("kk", "ky", "uz", "tg", "tk", "tr", "zh")


def sentences(language: str) -> list[str]:
    """The check set's sentences long enough to tell (a Han character counts for three letters)."""
    return [item.text for item in checksets.load(CHECKSETS / f"{language}.txt")
            if len(item.text) + 2 * sum(1 for c in item.text if "\u4e00" <= c <= "\u9fff") >= 40]


@pytest.mark.parametrize("language", CHECKED)
def test_paragraphs_are_identified(language: str) -> None:
    texts = sentences(language)
    paragraphs = [" ".join(texts[i:i + 4]) for i in range(0, len(texts) - 3, 4)]
    right = sum(1 for p in paragraphs if identify(p).language == language)
    assert right / len(paragraphs) >= 0.95, f"{language}: {right}/{len(paragraphs)} paragraphs"


@pytest.mark.parametrize("language", CHECKED)
def test_single_sentences_keep_their_language_among_the_candidates(language: str) -> None:
    texts = sentences(language)
    kept = sum(1 for t in texts if language in identify(t).candidates)
    assert kept / len(texts) >= 0.97, f"{language}: {kept}/{len(texts)} sentences"


@pytest.mark.parametrize(("text", "language"), [
    ("Ўзбекистон Республикаси Президенти Тошкентда хорижий делегацияни қабул қилди.", "uz"),
    ("Oʻzbekiston Respublikasi Prezidenti Toshkentda xorijiy delegatsiyani qabul qildi.", "uz"),
    ("Президенти Ҷумҳурии Тоҷикистон дар Душанбе бо ҳайати хориҷӣ мулоқот кард.", "tg"),
    ("Кыргыз Республикасынын Президенти Бишкекте чет өлкөлүк делегацияны кабыл алды.", "ky"),
    ("Қазақстан Республикасының Президенті Астанада шетелдік делегацияны қабылдады.", "kk"),
    ("Türkmenistanyň Prezidenti Aşgabatda daşary ýurt wekiliýetini kabul etdi.", "tk"),
    ("Cumhurbaşkanı Ankara'da yabancı bir heyeti kabul etti.", "tr"),
    ("Президент принял в Москве иностранную делегацию.", "ru"),
    ("Президент прийняв у Києві іноземну делегацію.", "uk"),
    ("The president received a foreign delegation in Washington.", "en"),
    ("国家主席在北京会见了外国代表团。", "zh"),
])
def test_one_sentence_each(text: str, language: str) -> None:
    guess = identify(text)
    assert guess.language == language and language in guess.candidates
    assert detect_language(text) == language


def test_no_text_no_guess() -> None:
    assert identify("  12345 !!! ") == __import__("languageid").Guess(None, 0.0, ())
    assert detect_language("short") is None


def test_uncertain_text_keeps_every_language_of_its_script() -> None:
    guess = identify("Алма Ата")  # two words every Cyrillic language here could write
    assert guess.language in SUPPORTED
    assert len(guess.candidates) >= 2
