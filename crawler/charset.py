"""Decode fetched HTML robustly: declared charsets are checked against the bytes, Cyrillic guessed when absent.

Scrapy's ``response.text`` trusts a declared charset and guesses cp1252 otherwise, which turns an undeclared
(or wrongly declared) cp1251 or KOI8-R page into mojibake; this module does not.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

_SINGLE_BYTE_CYRILLIC = ("cp1251", "koi8-r")


_HIGH = bytes(range(0x80, 0x100))
_ASCII_LETTERS = bytes(range(0x41, 0x5B)) + bytes(range(0x61, 0x7B))
_UPPER_HALF = bytes(range(0xE0, 0x100))
_LOWER_HALF = bytes(range(0xC0, 0xE0))


def _count(body: bytes, members: bytes) -> int:
    """How many bytes of body are in members (bytes.translate runs in C; a Python loop would not)."""
    return len(body) - len(body.translate(None, members))


def _normalise(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _cyrillic_guess(body: bytes) -> str | None:
    """Return cp1251 or koi8-r when the high bytes look like Russian text, else None.

    Russian prose is mostly lowercase. Lowercase letters sit at 0xE0-0xFF in cp1251 and at 0xC0-0xDF in
    KOI8-R, so which half dominates tells the two apart. Western text has few high bytes; Cyrillic has many.
    """
    high = _count(body, _HIGH)
    letters = high + _count(body, _ASCII_LETTERS)
    if high < 20 or high < 0.2 * letters:
        return None
    upper_half = _count(body, _UPPER_HALF)
    lower_half = _count(body, _LOWER_HALF)
    if upper_half + lower_half < 0.6 * high:
        return None
    return "cp1251" if upper_half >= lower_half else "koi8-r"


def _mostly_utf8(body: bytes, declared_utf8: bool) -> str | None:
    """Decode body as UTF-8 with U+FFFD for its bad bytes when UTF-8 mostly holds, else None.

    One corrupt byte (a truncated upload, a bad copy-paste in the CMS) must not send a whole UTF-8 page to
    a single-byte codec: that turns every Cyrillic letter into mojibake and the article loses its language.
    Single-byte Cyrillic or Western text is almost never valid UTF-8, so the share of valid multi-byte
    characters tells the cases apart: a simple majority when the page declares UTF-8, nine in ten when not.
    """
    text = body.decode("utf-8", errors="replace")
    # U+FFFD that the page itself contains (EF BF BD) is not a decoding failure.
    bad = text.count("\ufffd") - body.count(b"\xef\xbf\xbd")
    good = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    if bad <= 0 or good <= 0:
        return None
    needed = 1 if declared_utf8 else 9
    return text if good >= needed * bad else None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode an HTML (or XML) body; return (text, encoding used).

    Order: a byte-order mark; valid UTF-8 with non-ASCII bytes; UTF-8 with its few bad bytes replaced
    (U+FFFD) when the rest of it is valid UTF-8; the declared charsets (header, then the document's own)
    when the bytes decode strictly and, for single-byte Cyrillic, agree with the byte statistics; UTF-8;
    a Cyrillic guess; cp1252.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return body[len(bom):].decode(bom_encoding, errors="replace"), _normalise(bom_encoding) or bom_encoding
    head = body[:8192]
    declared = [_normalise(http_content_type_encoding(content_type or "")),
                _normalise(html_body_declared_encoding(head))]
    if not body.isascii():
        # Non-ASCII bytes that form valid UTF-8 are UTF-8 whatever the page claims: no single-byte text
        # in the wild is also valid UTF-8 by accident.
        text = _strict(body, "utf-8")
        if text is not None:
            return text, "utf-8"
        text = _mostly_utf8(body, "utf-8" in declared)
        if text is not None:
            return text, "utf-8"
    guess = None if body.isascii() else _cyrillic_guess(body[:200_000])
    for encoding in declared:
        if encoding is None:
            continue
        if encoding in _SINGLE_BYTE_CYRILLIC and guess and guess != encoding:
            continue  # a declared cp1251 on KOI8-R bytes, or the reverse
        if encoding not in ("utf-8", *_SINGLE_BYTE_CYRILLIC) and guess:
            continue  # a declared Western single-byte charset on Cyrillic bytes
        text = _strict(body, encoding)
        if text is not None:
            return text, encoding
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    if guess:
        return body.decode(guess, errors="replace"), guess
    return body.decode("cp1252", errors="replace"), "cp1252"
