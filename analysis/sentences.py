"""Split text into sentences with character offsets, for every language the gazetteer reads.

razdel's rule-based sentenizer (built for Russian news) does the splitting inside each paragraph: it keeps
abbreviations ("г.", "т.е.", "U.S.", "Mr."), initials ("В. В. Путин", "J. Biden") and quoted speech («...»,
"...") together, and its rules are punctuation-driven, so they carry over to Ukrainian, Kazakh and English
(tests per language). Line breaks always end a sentence first: titles and list items rarely end in a full stop.
Chinese has no space after a full stop, which razdel needs: 。！？ (and . ! ? followed by a Han character) end
a sentence before razdel sees the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from razdel import sentenize

_PARAGRAPH = re.compile(r"[^\n]+")
# A Chinese sentence end: full-width or ASCII terminators, with the closing quotes and brackets after them.
_HAN_END = re.compile(r"(?:[。！？]+|[.!?]+(?=[\u3400-\u9fff]))[”’」』）)]*")
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

    language is accepted for callers that know it; the rules are the same for every language.
    """
    sentences: list[Sentence] = []
    for base, chunk in _chunks(text):
        spans: list[tuple[int, int]] = []
        for piece in sentenize(chunk):
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


def _chunks(text: str) -> list[tuple[int, str]]:
    """Lines, cut again after every Chinese sentence end: (offset, text) pieces for razdel."""
    chunks: list[tuple[int, str]] = []
    for paragraph in _PARAGRAPH.finditer(text):
        start = paragraph.start()
        for end_mark in _HAN_END.finditer(paragraph.group()):
            end = paragraph.start() + end_mark.end()
            chunks.append((start, text[start:end]))
            start = end
        if start < paragraph.end():
            chunks.append((start, text[start:paragraph.end()]))
    return chunks


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
