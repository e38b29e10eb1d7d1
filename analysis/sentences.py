"""Split text into sentences with character offsets, for English, Russian, Ukrainian and Kazakh.

razdel's rule-based sentenizer (built for Russian news) does the splitting inside each paragraph: it keeps
abbreviations ("г.", "т.е.", "U.S.", "Mr."), initials ("В. В. Путин", "J. Biden") and quoted speech («...»,
"...") together, and its rules are punctuation-driven, so they carry over to Ukrainian, Kazakh and English
(tests per language). Line breaks always end a sentence first: titles and list items rarely end in a full stop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from razdel import sentenize

_PARAGRAPH = re.compile(r"[^\n]+")
# English abbreviations razdel does not know (it knows "Mr.", "Dr.", initials and the Russian ones): a piece
# ending in one of these is joined to the next. Company suffixes (Inc., Ltd.) are left out on purpose: they
# end sentences as often as not.
_EN_ABBREVIATIONS = (
    "Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Capt|Adm|Rev|Hon|Pres|Amb|Sec|Cmdr|Maj|Gens|Reps|Sens|Supt|Insp|"
    "St|Mt|Ft|Jr|Sr|No|Nos|vs|approx|est|Jan|Feb|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_JOIN_AFTER = re.compile(rf"(?:^|[\s(\[\"'«])(?:{_EN_ABBREVIATIONS})\.$")
# A runaway "sentence" (a table, a list without punctuation) is cut here so one target never swamps a batch.
MAX_SENTENCE_CHARS = 1500


@dataclass(frozen=True)
class Sentence:
    """A sentence and where it lies in the input: text == input[start:end]."""

    start: int
    end: int
    text: str


def split_sentences(text: str, language: str | None = None) -> list[Sentence]:
    """Sentences of text, in order, with offsets into it; whitespace-only text gives none.

    language is accepted for callers that know it; the rules are the same for en, ru, uk and kk.
    """
    sentences: list[Sentence] = []
    for paragraph in _PARAGRAPH.finditer(text):
        base = paragraph.start()
        spans: list[tuple[int, int]] = []
        for piece in sentenize(paragraph.group()):
            start, end = base + piece.start, base + piece.stop
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start == end:
                continue
            if spans and _JOIN_AFTER.search(text[spans[-1][0]:spans[-1][1]]):
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        for start, end in spans:
            for s, e in _cut_long(text, start, end):
                sentences.append(Sentence(s, e, text[s:e]))
    return sentences


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long span at whitespace so every piece is at most MAX_SENTENCE_CHARS."""
    spans = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS)
        if cut <= start:
            cut = start + MAX_SENTENCE_CHARS
        spans.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        spans.append((start, end))
    return spans
