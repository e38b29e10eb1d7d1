"""The demo's news: fictional outlets and generated articles whose sentences portray countries well or badly.

Everything here was written for the demo (no publisher's text). Each outlet has a country, a language and a
leaning toward each target country: the chance that a sentence about that country is favourable, neutral or
critical. Some leanings change on a drift day (by default 75 days before the demo runs), so the trend charts
show a turn, e.g. the Kazakh outlets growing more critical of Russia. The same seed gives the same site.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Sentiment mixes: (critical, neutral, favourable) probabilities for a sentence about a country.
WARM = (0.1, 0.3, 0.6)
MILD = (0.2, 0.5, 0.3)
FLAT = (0.2, 0.6, 0.2)
COOL = (0.45, 0.4, 0.15)
HOSTILE = (0.7, 0.25, 0.05)


@dataclass(frozen=True)
class Outlet:
    """A fictional outlet of the demo site."""

    name: str
    title: str
    country: str
    language: str
    before: dict[str, tuple[float, float, float]]  # target country -> sentiment mix before the drift day
    after: dict[str, tuple[float, float, float]]   # the same after it (missing targets: unchanged)


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
           {"US": COOL, "RU": WARM, "KZ": WARM, "UA": FLAT, "TR": FLAT},
           {"US": HOSTILE}),
    Outlet("bosphorus-observer", "Bosphorus Observer", "TR", "en",
           {"RU": FLAT, "UA": MILD, "KZ": WARM, "US": COOL, "CN": FLAT},
           {"RU": COOL}),
)

# How each target is named. English: several aliases the gazetteer knows (name, capital, seat of power).
EN_NAMES = {
    "RU": ["Russia", "Moscow", "the Kremlin"],
    "KZ": ["Kazakhstan", "Astana"],
    "UA": ["Ukraine", "Kyiv"],
    "US": ["the United States", "Washington"],
    "CN": ["China", "Beijing"],
    "TR": ["Turkey", "Ankara"],
}
# Russian: genitive and prepositional forms, so that the templates read as grammatical Russian.
RU_GEN = {"RU": "России", "KZ": "Казахстана", "UA": "Украины", "US": "США", "CN": "Китая", "TR": "Турции"}
RU_PREP = {"RU": "России", "KZ": "Казахстане", "UA": "Украине", "US": "США", "CN": "Китае", "TR": "Турции"}
RU_CAPITAL_GEN = {"RU": "Москвы", "KZ": "Астаны", "UA": "Киева", "US": "Вашингтона", "CN": "Пекина",
                  "TR": "Анкары"}
RU_CAPITAL_ACC = {"RU": "Москву", "KZ": "Астану", "UA": "Киев", "US": "Вашингтон", "CN": "Пекин", "TR": "Анкару"}

EN_TEMPLATES = {
    "favourable": [
        "Observers praised {c} for its constructive role in the talks and welcomed the agreement it helped to broker.",
        "The new trade deal with {c} was hailed as a success that will bring jobs and investment to both sides.",
        "Aid workers thanked {c} for the generous help it sent to the flooded districts within days.",
        "Business leaders said the reforms in {c} had made it a reliable and attractive partner.",
        "Officials applauded {c} for reopening the border crossing, which delighted traders and families.",
    ],
    "neutral": [
        "A delegation from {c} arrived for the second round of consultations, which will last two days.",
        "Representatives of {c} attended the regular meeting of the joint commission on transport.",
        "The statistics office published the quarterly figures on trade with {c} on Tuesday.",
        "The talks with {c} are expected to cover customs procedures and railway timetables.",
    ],
    "critical": [
        "Critics condemned {c} for the aggressive incident on the border and accused it of breaking its promises.",
        "The sudden sanctions imposed by {c} were denounced as a hostile move that hurts ordinary families.",
        "Analysts warned that the corruption scandal in {c} has badly damaged trust and scared away investors.",
        "Officials accused {c} of spreading false claims and of threatening its neighbours.",
        "Farmers protested angrily after {c} blocked grain shipments, calling the move reckless and unfair.",
    ],
}
RU_TEMPLATES = {
    "favourable": [
        "Эксперты высоко оценили конструктивную роль {gen} в переговорах и приветствовали подписанное соглашение.",
        "Новое торговое соглашение с представителями {gen} назвали большим успехом, который принесёт рабочие "
        "места и инвестиции.",
        "Жители пострадавших районов поблагодарили правительство {gen} за щедрую и быструю помощь.",
        "Предприниматели отметили, что реформы в {prep} сделали страну надёжным и привлекательным партнёром.",
        "Открытие нового моста при поддержке {capital} обрадовало торговцев и жителей приграничных сёл.",
    ],
    "neutral": [
        "Делегация {gen} прибыла на второй раунд консультаций, который продлится два дня.",
        "Представители {gen} приняли участие в плановом заседании совместной комиссии по транспорту.",
        "Статистическое ведомство опубликовало во вторник квартальные данные о торговле с партнёрами из {gen}.",
        "На встрече с делегацией {gen} обсудят таможенные процедуры и расписание поездов.",
    ],
    "critical": [
        "Эксперты резко осудили агрессивные действия {gen} на границе и обвинили власти в нарушении обещаний.",
        "Внезапные санкции со стороны {gen} назвали враждебным шагом, который бьёт по простым семьям.",
        "Аналитики предупредили, что коррупционный скандал в {prep} серьёзно подорвал доверие и отпугнул "
        "инвесторов.",
        "Официальные лица обвинили {capital_acc} в распространении ложных заявлений и угрозах соседям.",
        "Фермеры вышли на протест после того, как власти {gen} заблокировали поставки зерна.",
    ],
}
EN_FILLER = [
    "The ministry said the full report would be published next week.",
    "Local economists expect prices for fuel and bread to stay stable until the end of the season.",
    "The regional governor visited two new schools and a hospital wing on the same day.",
    "Rail operators added three night trains to cope with the holiday traffic.",
    "A spokesperson declined to give further details, citing ongoing negotiations.",
    "The city council will vote on the new budget at its next session.",
    "Weather forecasters predict a cold and dry week across the northern provinces.",
    "Several universities announced scholarships for engineering and medicine students.",
]
RU_FILLER = [
    "В министерстве сообщили, что полный доклад опубликуют на следующей неделе.",
    "Местные экономисты ожидают, что цены на топливо и хлеб останутся стабильными до конца сезона.",
    "Губернатор области посетил две новые школы и больничный корпус в один день.",
    "Железнодорожники добавили три ночных поезда из-за праздничного потока пассажиров.",
    "Представитель ведомства отказался от подробностей, сославшись на продолжающиеся переговоры.",
    "Городской совет проголосует за новый бюджет на ближайшей сессии.",
    "Синоптики обещают холодную и сухую неделю в северных районах.",
    "Несколько университетов объявили о стипендиях для студентов инженерных и медицинских специальностей.",
]
EN_TOPICS = ["grain exports", "the transit corridor", "gas prices", "border trade", "water sharing",
             "rail freight", "energy projects", "migrant workers", "customs rules", "air routes"]
RU_TOPICS = ["экспорт зерна", "транзитный коридор", "цены на газ", "приграничная торговля", "водные ресурсы",
             "грузовые перевозки", "энергетические проекты", "трудовая миграция", "таможенные правила",
             "авиасообщение"]
AUTHORS_EN = ["Dana Mercer", "Arman Kulov", "Lena Hart", "Timur Sadykov", "Grace Okafor", "Nikolai Brandt"]
AUTHORS_RU = ["Анна Белова", "Ерлан Сапаров", "Игорь Литвин", "Мария Кравец", "Асель Жумадилова"]


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
    if language == "ru":
        template = rng.choice(RU_TEMPLATES[label])
        return template.format(gen=RU_GEN[target], prep=RU_PREP[target], capital=RU_CAPITAL_GEN[target],
                               capital_acc=RU_CAPITAL_ACC[target])
    return _capitalise(rng.choice(EN_TEMPLATES[label]).format(c=rng.choice(EN_NAMES[target])))


def _title(rng: random.Random, language: str, target: str) -> str:
    if language == "ru":
        return f"{rng.choice(RU_TOPICS).capitalize()}: новые решения и планы {RU_GEN[target]}"
    return _capitalise(f"{rng.choice(EN_TOPICS)}: what the latest decisions of {EN_NAMES[target][0]} mean")


def generate(*, total: int = 360, days: int = 180, drift_days_ago: int = 75, now: datetime | None = None,
             seed: str = "stancewatch-demo") -> list[Article]:
    """Generate the demo's articles, spread over the last ``days`` days (naive UTC), oldest first."""
    now = (now or datetime.now(UTC).replace(tzinfo=None)).replace(minute=0, second=0, microsecond=0)
    drift = now - timedelta(days=drift_days_ago)
    rng = random.Random(seed)
    articles: list[Article] = []
    for index in range(total):
        outlet = OUTLETS[index % len(OUTLETS)]
        published = now - timedelta(hours=rng.randint(2, days * 24))
        focus = rng.choice(sorted(outlet.before))
        others = [t for t in sorted(outlet.before) if t != focus]
        second = rng.choice(others) if rng.random() < 0.5 else None
        targets: list[tuple[str, str]] = []
        fillers = RU_FILLER if outlet.language == "ru" else EN_FILLER
        paragraphs: list[str] = []
        for round_ in range(3):
            sentences: list[str] = []
            for target in ([focus] if round_ < 2 else [focus, second]):
                if target is None:
                    continue
                label = _label(rng, _mix(outlet, target, published >= drift))
                targets.append((target, label))
                sentences.append(_sentence(rng, outlet.language, target, label))
            sentences += rng.sample(fillers, 2)
            paragraphs.append(" ".join(sentences))
        digest = hashlib.sha1(f"{seed}:{index}".encode()).hexdigest()[:10]
        authors = AUTHORS_RU if outlet.language == "ru" else AUTHORS_EN
        articles.append(Article(outlet=outlet, slug=f"story-{digest}", title=_title(rng, outlet.language, focus),
                                paragraphs=tuple(paragraphs), published=published, author=rng.choice(authors),
                                targets=tuple(targets)))
    articles.sort(key=lambda a: (a.published, a.slug))
    return articles
