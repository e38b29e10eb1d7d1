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
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import GazetteerError
from analysis.morphology import has_rule, paradigm_for

LANGUAGES = ("en", "ru", "uk", "kk", "ky", "uz", "tg", "tk", "tr", "zh")
KINDS = ("name", "short", "demonym", "capital", "seat")
ENTRY_KEYS = {"code", "name", "type", "exclude", *LANGUAGES}
ALIAS_FILE_KEYS = {"language", "paradigms", "countries", "exclude", "compounds"}
TYPES = ("country", "bloc", "historical")

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A Han character is a token of its own (Chinese has no spaces, so its aliases match character by character,
# longest first, through the same trie); any other run of word characters is one token.
TOKEN = re.compile(rf"[{_HAN}]|[^\W{_HAN}]+")
# ʻ and ʼ are letters to the regex engine, and Uzbek writes oʻ and gʻ with them as often as with ' ’ ‘ `:
# read them as the plain apostrophe before tokenising so that every spelling splits alike (one character
# for one, so offsets do not move).
_LETTER_APOSTROPHES = str.maketrans({"ʻ": "'", "ʼ": "'"})
_BRACE = re.compile(r"\{([^{}]*)\}")
# Gaps between the words of a multi-word alias that count as the same: a space, a hyphen or an apostrophe.
_JOINERS = frozenset({"", "-", "‐", "‑", "–", "—", "'"})
_MAX_GAP = 4
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'", "ʻ": "'"})

# Read beside the module rather than through importlib.resources: works the same from a wheel or a checkout.
DATA_FILE = Path(__file__).resolve().parent / "countries.yaml"
# One file per language added after the first four (ky.yaml, tr.yaml, ...): that language's paradigms, its
# aliases by country code, its exclusions and (Chinese) its compound abbreviations.
ALIAS_DIR = Path(__file__).resolve().parent / "aliases"
# Chinese compounds of one-character abbreviations (中美, 中俄关系) are in the trie as pairs; the matcher extends
# a longer run (中日韩, 美日印澳) one abbreviation at a time.
_MAX_COMPOUND = 2


@lru_cache(maxsize=1 << 17)  # news text repeats its words: most tokens are normalised once per process
def normalise(token: str) -> str:
    """The form tokens are compared in: case-folded, ё as е, one kind of apostrophe."""
    # casefold turns Turkish İ into i + U+0307 (combining dot): drop the dot, so TÜRKİYE matches Türkiye
    return token.casefold().replace("\u0307", "").replace("ё", "е").translate(_APOSTROPHES)


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
    parts: tuple[str, ...] = ()  # a compound (中美): the country each word names; info.country is then ""


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
        if name == language and has_rule(language):
            name = paradigm_for(language, re.split(r"\s", pieces[index - 1])[-1])
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
    for m in TOKEN.finditer(form.translate(_LETTER_APOSTROPHES)):
        if last_end is not None:
            gaps.append(_gap_key(form[last_end:m.start()]))
        words.append(m.group())
        last_end = m.end()
    return tuple(words), tuple(gaps)


def _gap_key(gap: str) -> str:
    return "".join(gap.split()).translate(_APOSTROPHES)


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text.translate(_LETTER_APOSTROPHES))]


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
        self._abbreviations: dict[str, dict[str, str]] = {}  # language -> normalised character -> code
        for position, entry in enumerate(entries):
            self._add_entry(entry, position, paradigms)
        for language, spec in data.get("exclusions") or []:
            self._add_spec(str(spec), AliasInfo(None, "", language, "exclude"), paradigms)
        for language, abbreviations in (data.get("compounds") or {}).items():
            self._add_compounds(language, abbreviations)
        ends: dict[int, _Node] = {}
        for form in self._forms:
            node = self._root
            for key in form.keys:
                child = node.children.get(key)
                if child is None:  # not setdefault: that would build a node for every step of every form
                    child = node.children[key] = _Node()
                node = child
            node.forms.append(form)
            ends[id(node)] = node
        for node in ends.values():
            # on a tie a country's alias beats an exclusion (another entry's name may be an exclusion
            # elsewhere: "Equatorial Guinea" is excluded under GN and is GQ's name)
            node.forms.sort(key=lambda f: f.info.country is None)

    @classmethod
    def load(cls, path: Path | None = None, alias_dir: Path | None = None) -> Gazetteer:
        """Read a countries file and the per-language alias files beside it (the packaged ones by default)."""
        if path is None:
            path, alias_dir = DATA_FILE, alias_dir or ALIAS_DIR
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise GazetteerError(f"{path}: cannot read the countries file: {exc}") from exc
        source = str(path)
        try:
            data = _read_yaml(text)
        except yaml.YAMLError as exc:
            raise GazetteerError(f"{source}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise GazetteerError(f"{source}: expected a mapping with 'paradigms' and 'countries'")
        for extra in sorted(alias_dir.glob("*.yaml")) if alias_dir else []:
            _merge_alias_file(data, extra)
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

    def _add_compounds(self, language: str, abbreviations: dict[str, str]) -> None:
        """Every run of 2.._MAX_COMPOUND distinct one-character abbreviations: 中美 names CN and US."""
        self._abbreviations[language] = {normalise(c): code for c, code in abbreviations.items()}
        for size in range(2, _MAX_COMPOUND + 1):
            for chars in itertools.permutations(abbreviations, size):
                compound = "".join(chars)
                info = AliasInfo("", compound, language, "short")
                parts = tuple(abbreviations[c] for c in chars)
                self._forms.append(_Form(chars, tuple(normalise(c) for c in chars), ("",) * (size - 1), info,
                                         parts))
                self.form_count += 1

    def form_texts(self) -> list[str]:
        """Every expanded alias and exclusion form, its words joined by spaces (for baselines and listings)."""
        return [" ".join(f.words) for f in self._forms]

    def collisions(self) -> list[tuple[str, set[str]]]:
        """Forms that two different countries claim with the same case pattern (a data error)."""
        claims: dict[tuple[tuple[str, ...], tuple[str, ...]], set[str]] = {}
        for form in self._forms:
            if form.info.country:
                pattern = tuple(_case_class(w) for w in form.words)
                claims.setdefault((form.keys, pattern), set()).add(form.info.country)
        return sorted((" ".join(k[0]), codes) for k, codes in claims.items() if len(codes) > 1)

    def find(self, text: str, countries: Iterable[str] | None = None,
             languages: Iterable[str] | None = None) -> list[Mention]:
        """Every country mention in text, left to right, longest match first, non-overlapping.

        languages: match only those columns' aliases (exclusions of every language always apply); None: all.
        """
        wanted = {c.upper() for c in countries} if countries else None
        columns = frozenset(languages) if languages is not None else None
        return [m for m in self._scan(text, columns) if wanted is None or m.country.upper() in wanted]

    def _scan(self, text: str, columns: frozenset[str] | None) -> Iterator[Mention]:
        tokens = _tokens(text)
        keys = [normalise(t[2]) for t in tokens]
        i = 0
        while i < len(tokens):
            form = self._match_at(text, tokens, keys, i, columns)
            if form is None:
                i += 1
                continue
            last = i + len(form.keys) - 1
            country = form.info.country
            if form.parts:
                parts = self._extend_run(form, text, tokens, keys, last + 1, columns)
                last = i + len(parts) - 1
                alias = "".join(tokens[k][2] for k in range(i, last + 1))
                for k, code in enumerate(parts):
                    start, end = tokens[i + k][0], tokens[i + k][1]
                    yield Mention(code, start, end, text[start:end], alias, form.info.language, "short")
            elif country is not None:
                start, end = tokens[i][0], tokens[last][1]
                if form.gaps and form.words[-1] and text[end:end + 1] == "." and form.gaps[-1] == ".":
                    end += 1  # "U.S." keeps its last dot
                info = form.info
                yield Mention(country, start, end, text[start:end], info.alias, info.language, info.kind)
            i = last + 1

    def _match_at(self, text: str, tokens: list[tuple[int, int, str]], keys: list[str], i: int,
                  columns: frozenset[str] | None) -> _Form | None:
        """The longest form starting at token i: walk the token trie as deep as the text allows, then check
        language, case and separators on the forms that end there, deepest first."""
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
                if columns is not None and form.info.country is not None and form.info.language not in columns:
                    continue
                if not self._form_ok(form, text, tokens, i):
                    continue
                if form.parts and self._overrun(form, text, tokens, keys, i, columns):
                    continue
                return form
        return None

    def _overrun(self, form: _Form, text: str, tokens: list[tuple[int, int, str]], keys: list[str], i: int,
                 columns: frozenset[str] | None) -> bool:
        """Whether a name starting inside a compound runs past its end: in 其中美国 the 美 begins 美国, so 中美
        is no compound there."""
        for k in range(1, len(form.keys)):
            other = self._match_at(text, tokens, keys, i + k, columns)
            # a longer short form of the same country (美军 in 中美军事) leaves the compound standing; a name
            # (美国 in 其中美国) does not
            same = other is not None and other.info.country == form.parts[k] and other.info.kind != "name"
            if other is not None and not other.parts and len(other.keys) > len(form.keys) - k and not same:
                return True
        return False

    def _extend_run(self, form: _Form, text: str, tokens: list[tuple[int, int, str]], keys: list[str], j: int,
                    columns: frozenset[str] | None) -> tuple[str, ...]:
        """A compound's countries, extended by the abbreviations that follow it directly (美日印 + 澳)."""
        table = self._abbreviations.get(form.info.language, {})
        parts = list(form.parts)
        while j < len(tokens) and keys[j] in table and table[keys[j]] not in parts \
                and tokens[j][0] == tokens[j - 1][1]:
            other = self._match_at(text, tokens, keys, j, columns)
            if other is not None and not other.parts and len(other.keys) > 1:
                break  # the next character begins a name of its own (美日 + 印度)
            parts.append(table[keys[j]])
            j += 1
        return tuple(parts)

    @staticmethod
    def _form_ok(form: _Form, text: str, tokens: list[tuple[int, int, str]], i: int) -> bool:
        for j, word in enumerate(form.words):
            if not _case_ok(word, tokens[i + j][2]):
                return False
            if j:
                raw = text[tokens[i + j - 1][1]:tokens[i + j][0]]
                gap = _gap_key(raw)
                wanted = form.gaps[j - 1]
                if gap != wanted and not (gap in _JOINERS and wanted in _JOINERS):
                    return False
                # a suffix joined by a hyphen or an apostrophe (АҚШ-тың, Rusya'nın) needs it in the text: after
                # a space it is a word of its own (АҚШ пен Қытай: "the US and China")
                if wanted in ("-", "'") and not word[:1].isupper() and not gap and raw.strip() != raw:
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


def _read_yaml(text: str) -> Any:
    """Safe-load YAML with libyaml where PyYAML has it (the alias files take 0.5 s in pure Python)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _merge_alias_file(data: dict[str, Any], path: Path) -> None:
    """Fold one language's alias file into the countries data: its aliases become that language's column."""
    try:
        extra = _read_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GazetteerError(f"{path}: cannot read the alias file: {exc}") from exc
    if not isinstance(extra, dict):
        raise GazetteerError(f"{path}: expected a mapping with 'language' and 'countries'")
    unknown = set(extra) - ALIAS_FILE_KEYS
    if unknown:
        raise GazetteerError(f"{path}: unknown keys {sorted(unknown)}; expected {sorted(ALIAS_FILE_KEYS)}")
    language = extra.get("language")
    if language not in LANGUAGES or path.stem != language:
        raise GazetteerError(f"{path}: language {language!r}; expected the file's own name, one of {LANGUAGES}")
    entries = {e.get("code"): e for e in data.get("countries") or [] if isinstance(e, dict)}
    for code, block in (extra.get("countries") or {}).items():
        if code not in entries:
            raise GazetteerError(f"{path}: country {code!r} is not in the countries file")
        if entries[code].get(language):
            raise GazetteerError(f"{path}: {code} already has a {language} column in the countries file")
        entries[code][language] = block
    data.setdefault("paradigms", {})[language] = extra.get("paradigms") or {}
    data.setdefault("exclusions", []).extend((language, spec) for spec in extra.get("exclude") or [])
    if extra.get("compounds"):
        data.setdefault("compounds", {})[language] = {str(k): str(v) for k, v in extra["compounds"].items()}


@cache
def default_gazetteer() -> Gazetteer:
    """The packaged gazetteer, loaded once per process."""
    return Gazetteer.load()

