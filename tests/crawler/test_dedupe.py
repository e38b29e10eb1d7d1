"""Content hashes and near-duplicate story ids."""

from __future__ import annotations

from crawler.dedupe import StoryIndex, content_hash, signature, signature_bytes, signature_from_bytes
from tests.crawler.news_site import english_text, russian_text


def _text(seed: str) -> str:
    return "\n".join(english_text(seed))


def test_content_hash_ignores_case_spacing_and_punctuation() -> None:
    assert content_hash("Hello,  World!\n") == content_hash("hello world")
    assert content_hash("hello world") != content_hash("hello there world")


def test_wire_copies_share_a_story_and_others_do_not() -> None:
    index = StoryIndex()
    original = _text("a")
    wire = "ALMATY (Reuters) - " + original.replace("percent", "per cent", 2) + "\nReporting by Staff; Editing by Desk"
    assert index.assign("a", content_hash(original), signature(original)) == "a"
    assert index.assign("b", content_hash(wire), signature(wire)) == "a"
    assert index.assign("c", content_hash(_text("c")), signature(_text("c"))) == "c"
    ru = "\n".join(russian_text("a"))
    assert index.assign("d", content_hash(ru), signature(ru)) == "d"


def test_exact_copies_share_a_story_and_a_refresh_keeps_its_story() -> None:
    index = StoryIndex()
    text = _text("x")
    index.assign("x1", content_hash(text), signature(text))
    assert index.assign("x2", content_hash(text), signature(text)) == "x1"
    changed = _text("other")
    assert index.assign("x2", content_hash(changed), signature(changed)) == "x1"


def test_signatures_round_trip_and_load_from_earlier_runs() -> None:
    text = _text("r")
    values = signature(text)
    assert (signature_from_bytes(signature_bytes(values)) == values).all()
    index = StoryIndex()
    index.load([("old", "story-1", content_hash(text), signature_bytes(values))])
    copy = text + "\nThis story was first published elsewhere."
    assert index.assign("new", content_hash(copy), signature(copy)) == "story-1"
    assert len(index) == 2
