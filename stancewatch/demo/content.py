"""The demo's news: fictional outlets and generated articles whose sentences portray countries well or badly.

Everything here was written for the demo (no publisher's text). Each outlet has a country, a language and a
leaning toward each target country: the chance that a sentence about that country is favourable, neutral or
critical. Some leanings change on a drift day (the Monday of the week 75 days before the demo runs), so the
trend charts show a turn, e.g. the Kazakh outlets growing more critical of Russia. The same seed gives the same
site, in the same weeks relative to the drift day.

Headlines name the article's main country and are meant to carry no stance: they weigh twice a body sentence
(insights.stance.TITLE_WEIGHT), so a headline the model reads as leaning would mask the drift in the body.
tests/analysis/test_end_to_end.py checks that the default model reads every language's headlines as neutral.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import yaml

# Sentiment mixes: (critical, neutral, favourable) probabilities for a sentence about a country.
WARM = (0.1, 0.3, 0.6)
MILD = (0.2, 0.5, 0.3)
FLAT = (0.2, 0.6, 0.2)
COOL = (0.45, 0.4, 0.15)
HOSTILE = (0.7, 0.25, 0.05)
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Outlet:
    """A fictional outlet of the demo site."""

    name: str
    title: str
    country: str
    language: str
    before: dict[str, tuple[float, float, float]]  # target country -> sentiment mix before the drift day
    after: dict[str, tuple[float, float, float]]   # the same after it (missing targets: unchanged)


# The demo site's size: enough articles that the drift raises a stance-shift alert (the Kazakh press on
# Russia) on the Alerts page; crawling and scoring them takes about a minute on 2 cores.
DEFAULT_ARTICLES = 2000

# Each drift moves its pair's mean of favourable minus critical (WARM 0.5, MILD 0.1, FLAT 0, COOL -0.3,
# HOSTILE -0.65) by 0.35 or more, and most by two steps. At about four articles a week per outlet and target,
# the one-step drifts the model reads faintly (flat to cool in English; cool to hostile in English, Ukrainian
# and Chinese) stood at |z| 1.1-3.6 with the drift week given, against 2.3 for the noisiest of the 52 pairs
# that hold: no detector can place those at the right week, so they start one step milder or end harsher.
OUTLETS: tuple[Outlet, ...] = (
    Outlet("steppe-courier", "Степной курьер", "KZ", "ru",
           {"RU": WARM, "CN": MILD, "UA": FLAT, "US": FLAT, "TR": MILD},
           {"RU": COOL}),
    Outlet("astana-ledger", "The Astana Ledger", "KZ", "en",
           {"RU": MILD, "CN": MILD, "US": MILD, "TR": WARM, "UA": FLAT},
           {"RU": HOSTILE, "US": WARM}),
    Outlet("volga-vestnik", "Волжский вестник", "RU", "ru",
           {"KZ": WARM, "UA": HOSTILE, "US": HOSTILE, "CN": WARM, "TR": FLAT},
           {"KZ": COOL}),
    Outlet("dnipro-review", "The Dnipro Review", "UA", "en",
           {"RU": HOSTILE, "US": WARM, "KZ": MILD, "TR": MILD, "CN": COOL},
           {}),
    Outlet("lakeshore-tribune", "The Lakeshore Tribune", "US", "en",
           {"RU": HOSTILE, "CN": COOL, "KZ": MILD, "UA": WARM, "TR": FLAT},
           {"KZ": WARM}),
    Outlet("jade-river-post", "Jade River Post", "CN", "en",
           {"US": MILD, "RU": WARM, "KZ": WARM, "UA": FLAT, "TR": FLAT},
           {"US": HOSTILE}),
    Outlet("bosphorus-observer", "Bosphorus Observer", "TR", "en",
           {"RU": FLAT, "UA": MILD, "KZ": WARM, "US": COOL, "CN": FLAT},
           {"RU": HOSTILE}),
    # The region's press in its own languages (phrases/<language>.yaml).
    Outlet("dala-habary", "Дала хабары", "KZ", "kk",
           {"RU": MILD, "CN": MILD, "UA": FLAT, "US": FLAT, "TR": WARM},
           {"RU": HOSTILE}),
    Outlet("kyiv-visnyk", "Київський вісник", "UA", "uk",
           {"RU": HOSTILE, "US": WARM, "KZ": MILD, "TR": MILD, "CN": MILD},
           {"CN": HOSTILE}),
    Outlet("ala-too-kabarlary", "Ала-Тоо кабарлары", "KG", "ky",
           {"RU": WARM, "CN": MILD, "KZ": WARM, "US": FLAT, "TR": MILD},
           {"RU": COOL}),
    Outlet("samarqand-sadosi", "Samarqand sadosi", "UZ", "uz",
           {"RU": MILD, "CN": WARM, "KZ": WARM, "US": MILD, "TR": WARM},
           {"CN": COOL}),
    Outlet("anadolu-gozcu", "Anadolu Gözcü", "TR", "tr",
           {"RU": FLAT, "UA": MILD, "KZ": WARM, "US": COOL, "CN": FLAT},
           {"US": HOSTILE}),
    Outlet("huanghe-ribao", "黄河日报", "CN", "zh",
           {"US": MILD, "RU": WARM, "KZ": WARM, "UA": FLAT, "TR": FLAT},
           {"US": HOSTILE}),
)

PHRASES_DIR = Path(__file__).resolve().parent / "phrases"


@dataclass(frozen=True)
class Phrases:
    """One language's demo text: templates by label with named slots, each slot's form of every target."""

    language: str
    names: dict[str, dict[str, str | list[str]]]  # slot -> target -> form (a list: one picked at random)
    title_names: dict[str, dict[str, str]]        # the same for the title (one form each)
    templates: dict[str, list[str]]               # label -> templates naming slots: "{gen}", "{c}"
    title: str                                    # "{topic}: ..." with one slot of title_names
    topics: list[str]
    fillers: list[str]
    authors: list[str]
    fillers_per_paragraph: int = 2  # Chinese sentences are short: more of them keep an article past min_text_chars


@cache
def phrases(language: str) -> Phrases:
    """The demo phrases of a language, from phrases/<language>.yaml."""
    path = PHRASES_DIR / f"{language}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Phrases(**data)


@dataclass(frozen=True)
class Article:
    """One generated article of the demo site."""

    outlet: Outlet
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime
    author: str
    targets: tuple[tuple[str, str], ...]  # (country, label) of each sentence about a country

    @property
    def path(self) -> str:
        """The article's path on its outlet's server."""
        return f"/news/{self.published:%Y/%m/%d}/{self.slug}.html"


def _mix(outlet: Outlet, target: str, after_drift: bool) -> tuple[float, float, float]:
    if after_drift and target in outlet.after:
        return outlet.after[target]
    return outlet.before[target]


def _label(rng: random.Random, mix: tuple[float, float, float]) -> str:
    return rng.choices(("critical", "neutral", "favourable"), weights=mix)[0]


def _capitalise(sentence: str) -> str:
    return sentence[0].upper() + sentence[1:]


def _sentence(rng: random.Random, language: str, target: str, label: str) -> str:
    p = phrases(language)
    template = rng.choice(p.templates[label])
    forms = {}
    for slot in _SLOT.findall(template):
        form = p.names[slot][target]
        forms[slot] = rng.choice(form) if isinstance(form, list) else form
    return _capitalise(template.format(**forms))


def headline(language: str, target: str, topic: str) -> str:
    """An article's headline on a topic, naming the target country (meant to carry no stance toward it)."""
    p = phrases(language)
    slots = {slot: names[target] for slot, names in p.title_names.items()}
    return _capitalise(p.title.format(topic=topic, **slots))


DRIFT_DAYS_AGO = 75


def drift_start(now: datetime | None = None, drift_days_ago: int = DRIFT_DAYS_AGO) -> datetime:
    """The drift moment (naive UTC): 00:00 on the Monday of the week ``drift_days_ago`` days before ``now``."""
    day = (now or datetime.now(UTC).replace(tzinfo=None)) - timedelta(days=drift_days_ago)
    return datetime(day.year, day.month, day.day) - timedelta(days=day.weekday())


def generate(*, total: int = DEFAULT_ARTICLES, days: int = 180, drift_days_ago: int = DRIFT_DAYS_AGO,
             now: datetime | None = None, seed: str = "stancewatch-demo") -> list[Article]:
    """Generate the demo's articles over ``days`` days ending about ``drift_days_ago`` days after the drift
    Monday (naive UTC, all before ``now``), oldest first."""
    # Dates are drawn relative to the drift Monday, not to now: the same seed then gives the same articles in
    # the same weeks whatever day the demo is built, so its trends and alerts do not change with the weekday.
    drift = drift_start(now, drift_days_ago)
    first, last = -(days - drift_days_ago) * 24, drift_days_ago * 24 - 2
    rng = random.Random(seed)
    articles: list[Article] = []
    for index in range(total):
        outlet = OUTLETS[index % len(OUTLETS)]
        published = drift + timedelta(hours=rng.randint(first, last))
        focus = rng.choice(sorted(outlet.before))
        others = [t for t in sorted(outlet.before) if t != focus]
        second = rng.choice(others) if rng.random() < 0.5 else None
        targets: list[tuple[str, str]] = []
        fillers = phrases(outlet.language).fillers
        paragraphs: list[str] = []
        for round_ in range(3):
            sentences: list[str] = []
            for target in ([focus] if round_ < 2 else [focus, second]):
                if target is None:
                    continue
                label = _label(rng, _mix(outlet, target, published >= drift))
                targets.append((target, label))
                sentences.append(_sentence(rng, outlet.language, target, label))
            sentences += rng.sample(fillers, phrases(outlet.language).fillers_per_paragraph)
            paragraphs.append(" ".join(sentences))
        digest = hashlib.sha1(f"{seed}:{index}".encode()).hexdigest()[:10]
        authors = phrases(outlet.language).authors
        title = headline(outlet.language, focus, rng.choice(phrases(outlet.language).topics))
        articles.append(Article(outlet=outlet, slug=f"story-{digest}", title=title,
                                paragraphs=tuple(paragraphs), published=published, author=rng.choice(authors),
                                targets=tuple(targets)))
    articles.sort(key=lambda a: (a.published, a.slug))
    return articles
