"""Find country mentions in text: a multilingual gazetteer read from countries.yaml, matched token by token.

The matcher tokenises the text once (Unicode word characters) and walks a trie over whole normalised
tokens (every alias form expanded from countries.yaml, about 14,000), keeping the longest form that fits, so
"Северной Кореи" wins over a bare "Кореи" and "Washington Post" (an exclusion) wins over "Washington".
Token matching gives Unicode-aware word boundaries for free: "Russia" never matches inside "Russiagate",
because a whole token must equal an expanded alias form. About 2 ms for a 950-word article. The case rules
are spelled out in countries.yaml's header.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import GazetteerError

LANGUAGES = ("en", "ru", "uk", "kk")
KINDS = ("name", "short", "demonym", "capital", "seat")
ENTRY_KEYS = {"code", "name", "type", "exclude", *LANGUAGES}
TYPES = ("country", "bloc", "historical")

TOKEN = re.compile(r"\w+")
_BRACE = re.compile(r"\{([^{}]*)\}")
# Gaps between the words of a multi-word alias that count as the same: a space, a hyphen or an apostrophe.
_JOINERS = frozenset({"", "-", "‐", "‑", "–", "—", "'"})
_MAX_GAP = 4
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'"})

# Read beside the module rather than through importlib.resources: works the same from a wheel or a checkout.
DATA_FILE = Path(__file__).resolve().parent / "countries.yaml"

_KK_VOWELS = set("аәеёиоөуұүыіэюя")
_KK_BACK = set("аоұыуяёю")
_KK_NASAL = set("мнң")
_KK_VOICED = set("йрлужзу")


def normalise(token: str) -> str:
    """The form tokens are compared in: case-folded, ё as е, one kind of apostrophe."""
    return token.casefold().replace("ё", "е").translate(_APOSTROPHES)


@dataclass(frozen=True)
class Country:
    """One country, bloc or historical state the gazetteer knows."""

    code: str
    name: str
    type: str


@dataclass(frozen=True)
class AliasInfo:
    """Which alias of which country an expanded form came from (None country: an exclusion phrase)."""

    country: str | None
    alias: str
    language: str
    kind: str


@dataclass(frozen=True)
class Mention:
    """A country mention: character offsets into the text (end exclusive), the surface and the alias that matched."""

    country: str
    start: int
    end: int
    surface: str
    alias: str
    language: str
    kind: str


@dataclass(frozen=True)
class _Form:
    words: tuple[str, ...]       # the form's words as written (for the case rules)
    keys: tuple[str, ...]        # normalised words
    gaps: tuple[str, ...]        # what separates word i and i+1, normalised and without whitespace
    info: AliasInfo


def _kk_paradigm(stem: str) -> str:
    """Pick the kk_* paradigm for a Kazakh stem by vowel harmony and the stem's last sound."""
    letters = [c for c in stem.casefold() if c.isalpha() and c not in "ьъ"]
    if not letters:
        raise GazetteerError(f"countries.yaml: {{kk}} after an empty stem in {stem!r}")
    vowels = [c for c in letters if c in _KK_VOWELS and c != "у"] or [c for c in letters if c in _KK_VOWELS]
    harmony = "back" if not vowels or vowels[-1] in _KK_BACK else "front"
    last = letters[-1]
    if last in _KK_VOWELS and last != "у":
        sound = "vowel"
    elif last in _KK_NASAL:
        sound = "nasal"
    elif last in _KK_VOICED:
        sound = "voiced"
    else:
        sound = "voiceless"
    return f"kk_{harmony}_{sound}"


def expand(spec: str, language: str, paradigms: dict[str, dict[str, list[str]]]) -> list[str]:
    """Every form an alias spec stands for, the first being its lemma ("Росси{ia}" -> Россия, России, ...)."""
    pieces = _BRACE.split(spec)
    # pieces = [text, group, text, group, ..., text]
    options: list[list[str]] = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            options.append([piece])
            continue
        if not re.fullmatch(r"[a-z_]+", piece):  # inline endings: {a|b|}, or one ending {и}
            options.append(piece.split("|"))
            continue
        name = piece
        if name == "kk":
            name = _kk_paradigm(re.split(r"\s", pieces[index - 1])[-1])
        table = paradigms.get(language, {})
        if name not in table:
            raise GazetteerError(f"countries.yaml: alias {spec!r} ({language}) names paradigm {piece!r}, "
                                 f"which paradigms.{language} does not define")
        options.append(list(table[name]))
    forms = ["".join(parts).strip() for parts in itertools.product(*options)]
    return list(dict.fromkeys(f for f in forms if f))


def _split_form(form: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words: list[str] = []
    gaps: list[str] = []
    last_end: int | None = None
    for m in TOKEN.finditer(form):
        if last_end is not None:
            gaps.append(_gap_key(form[last_end:m.start()]))
        words.append(m.group())
        last_end = m.end()
    return tuple(words), tuple(gaps)


def _gap_key(gap: str) -> str:
    return "".join(gap.split()).translate(_APOSTROPHES)


def _case_ok(pattern: str, token: str) -> bool:
    """The case rule: CAPS exact, Capitalised needs a capital, lower case matches any case."""
    if len(pattern) >= 2 and pattern.isupper():
        return token.replace("ё", "е").replace("Ё", "Е") == pattern.replace("ё", "е").replace("Ё", "Е")
    if pattern[:1].isupper():
        return token[:1].isupper()
    return True


class Gazetteer:
    """Countries and their aliases, with a matcher that finds their mentions in text."""

    def __init__(self, data: dict[str, Any], source: str = "countries.yaml") -> None:
        self.source = source
        paradigms = data.get("paradigms") or {}
        entries = data.get("countries")
        if not isinstance(entries, list) or not entries:
            raise GazetteerError(f"{source}: expected a non-empty list under 'countries'")
        self.countries: dict[str, Country] = {}
        self._root = _Node()
        self._forms: list[_Form] = []
        self.alias_count = 0
        self.form_count = 0
        for position, entry in enumerate(entries):
            self._add_entry(entry, position, paradigms)
        for form in self._forms:
            node = self._root
            for key in form.keys:
                node = node.children.setdefault(key, _Node())
            node.forms.append(form)
        for form in self._forms:
            node = self._root
            for key in form.keys:
                node = node.children[key]
            # on a tie a country's alias beats an exclusion (another entry's name may be an exclusion
            # elsewhere: "Equatorial Guinea" is excluded under GN and is GQ's name)
            node.forms.sort(key=lambda f: f.info.country is None)

    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        """Read a countries file (the packaged countries.yaml by default)."""
        path = path or DATA_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise GazetteerError(f"{path}: cannot read the countries file: {exc}") from exc
        source = str(path)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise GazetteerError(f"{source}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise GazetteerError(f"{source}: expected a mapping with 'paradigms' and 'countries'")
        return cls(data, source)

    def _add_entry(self, entry: Any, position: int, paradigms: dict[str, dict[str, list[str]]]) -> None:
        where = f"{self.source}: countries[{position}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
            raise GazetteerError(f"{where}: expected a mapping with a string 'code'")
        code = entry["code"]
        where = f"{self.source}: {code}"
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            raise GazetteerError(f"{where}: unknown keys {sorted(unknown)}; expected {sorted(ENTRY_KEYS)}")
        if code in self.countries:
            raise GazetteerError(f"{where}: code defined twice")
        kind = entry.get("type", "country")
        if kind not in TYPES:
            raise GazetteerError(f"{where}: type {kind!r}; expected one of {TYPES}")
        self.countries[code] = Country(code, str(entry.get("name") or code), kind)
        for language in LANGUAGES:
            block = entry.get(language) or {}
            if not isinstance(block, dict):
                raise GazetteerError(f"{where}.{language}: expected a mapping of alias kinds")
            for alias_kind, specs in block.items():
                if alias_kind not in KINDS:
                    raise GazetteerError(f"{where}.{language}: unknown alias kind {alias_kind!r}; "
                                         f"expected one of {KINDS}")
                for spec in specs or []:
                    self._add_spec(str(spec), AliasInfo(code, "", language, alias_kind), paradigms)
        for spec in entry.get("exclude") or []:
            # exclusions may be written in any language: expand with every language's paradigms
            language = "ru" if re.search(r"[а-яё]", str(spec), re.I) else "en"
            self._add_spec(str(spec), AliasInfo(None, "", language, "exclude"), paradigms)

    def _add_spec(self, spec: str, info: AliasInfo, paradigms: dict[str, dict[str, list[str]]]) -> None:
        forms = expand(spec, info.language, paradigms)
        if not forms:
            return
        lemma = forms[0]
        info = AliasInfo(info.country, lemma, info.language, info.kind)
        if info.country is not None:
            self.alias_count += 1
        for form in forms:
            words, gaps = _split_form(form)
            if not words:
                continue
            keys = tuple(normalise(w) for w in words)
            self._forms.append(_Form(words, keys, gaps, info))
            self.form_count += 1

    def collisions(self) -> list[tuple[str, set[str]]]:
        """Forms that two different countries claim with the same case pattern (a data error)."""
        claims: dict[tuple[tuple[str, ...], tuple[str, ...]], set[str]] = {}
        for form in self._forms:
            if form.info.country is not None:
                pattern = tuple(_case_class(w) for w in form.words)
                claims.setdefault((form.keys, pattern), set()).add(form.info.country)
        return sorted((" ".join(k[0]), codes) for k, codes in claims.items() if len(codes) > 1)

    def find(self, text: str, countries: Iterable[str] | None = None) -> list[Mention]:
        """Every country mention in text, left to right, longest match first, non-overlapping."""
        wanted = {c.upper() for c in countries} if countries else None
        return [m for m in self._scan(text) if wanted is None or m.country.upper() in wanted]

    def _scan(self, text: str) -> Iterator[Mention]:
        tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]
        keys = [normalise(t[2]) for t in tokens]
        i = 0
        while i < len(tokens):
            form = self._match_at(text, tokens, keys, i)
            if form is None:
                i += 1
                continue
            last = i + len(form.keys) - 1
            country = form.info.country
            if country is not None:
                start, end = tokens[i][0], tokens[last][1]
                if form.gaps and form.words[-1] and text[end:end + 1] == "." and form.gaps[-1] == ".":
                    end += 1  # "U.S." keeps its last dot
                info = form.info
                yield Mention(country, start, end, text[start:end], info.alias, info.language, info.kind)
            i = last + 1

    def _match_at(self, text: str, tokens: list[tuple[int, int, str]], keys: list[str], i: int) -> _Form | None:
        """The longest form starting at token i: walk the token trie as deep as the text allows, then check
        case and separators on the forms that end there, deepest first."""
        node = self._root.children.get(keys[i])
        path: list[_Node] = []
        j = i
        while node is not None:
            path.append(node)
            j += 1
            if j >= len(tokens) or tokens[j][0] - tokens[j - 1][1] > _MAX_GAP:
                break
            node = node.children.get(keys[j])
        for depth in range(len(path), 0, -1):
            for form in path[depth - 1].forms:
                if self._form_ok(form, text, tokens, i):
                    return form
        return None

    @staticmethod
    def _form_ok(form: _Form, text: str, tokens: list[tuple[int, int, str]], i: int) -> bool:
        for j, word in enumerate(form.words):
            if not _case_ok(word, tokens[i + j][2]):
                return False
            if j:
                gap = _gap_key(text[tokens[i + j - 1][1]:tokens[i + j][0]])
                wanted = form.gaps[j - 1]
                if gap != wanted and not (gap in _JOINERS and wanted in _JOINERS):
                    return False
        return True


class _Node:
    """A token trie node: the next tokens, and the alias forms that end here."""

    __slots__ = ("children", "forms")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.forms: list[_Form] = []


def _case_class(word: str) -> str:
    if len(word) >= 2 and word.isupper():
        return "CAPS"
    return "Cap" if word[:1].isupper() else "low"


@cache
def default_gazetteer() -> Gazetteer:
    """The packaged gazetteer, loaded once per process."""
    return Gazetteer.load()


def find_mentions(text: str, countries: Iterable[str] | None = None) -> list[Mention]:
    """Country mentions in text by the packaged gazetteer (optionally only the given ISO codes)."""
    return default_gazetteer().find(text, countries)
