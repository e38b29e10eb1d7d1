"""Widgets every page shares: filters kept in the URL's query string, the model banner, empty states.

The URL is the source of truth for filters, so a view can be shared by copying its address. Filter
widgets take their defaults from the query string and carry no key: when the query string changes
(a link, a selected point that leads here), the widgets come back with the new values instead of
keeping stale state, and every change a user makes is written back to the query string.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import streamlit as st

from dashboard import data, quality
from warehouse.errors import WarehouseError
from warehouse.filters import Filters
from warehouse.location import may_exist

TRENDS_PAGE = "views/trends.py"
MATRIX_PAGE = "views/matrix.py"
ARTICLES_PAGE = "views/articles.py"
SOURCES_PAGE = "views/sources.py"
EXPORT_PAGE = "views/export.py"

# Query-string keys of the shared filters; lists repeat the key (?country=RU&country=KZ).
LIST_KEYS = {"countries": "country", "outlets": "outlet", "outlet_countries": "outlet_country",
             "languages": "lang"}
SCALAR_KEYS = {"date_from": "from", "date_to": "to", "stance_min": "smin", "stance_max": "smax", "text": "q"}
FILTER_KEYS = frozenset(LIST_KEYS.values()) | frozenset(SCALAR_KEYS.values())
ALL_FIELDS = ("countries", "outlets", "outlet_countries", "languages", "dates", "stance", "text")

NO_ARTICLES = ("No articles yet: run `stancewatch crawl` in a terminal, or press **Crawl now** on the "
               "Sources & crawls page (the scheduler, `stancewatch scheduler`, runs the job).")


@dataclass(frozen=True)
class PageContext:
    """What a page that shows scores needs: the warehouse, its counts, the model, the filter options."""

    db: str
    overview: dict[str, Any]
    model: data.Model
    options: data.Options


def filters_from_query(query: Mapping[str, Sequence[str]]) -> tuple[Filters, list[str]]:
    """Parse filters from query-string values (key -> list of strings); return them and any problems."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for field, key in LIST_KEYS.items():
        items = [v.strip() for v in query.get(key, []) if v and v.strip()]
        values[field] = tuple(dict.fromkeys(items))
    for field in ("date_from", "date_to"):
        raw = _last(query, SCALAR_KEYS[field])
        if raw:
            try:
                values[field] = date.fromisoformat(raw)
            except ValueError:
                problems.append(f"{SCALAR_KEYS[field]}={raw!r} is not a date (YYYY-MM-DD); ignored")
    for field in ("stance_min", "stance_max"):
        raw = _last(query, SCALAR_KEYS[field])
        if raw:
            try:
                number = float(raw)
                if not -1.0 <= number <= 1.0:
                    raise ValueError(raw)
                values[field] = number
            except ValueError:
                problems.append(f"{SCALAR_KEYS[field]}={raw!r} is not a number in [-1, 1]; ignored")
    text = _last(query, SCALAR_KEYS["text"])
    values["text"] = text.strip() if text and text.strip() else None
    try:
        return Filters(**values), problems
    except ValueError as exc:
        problems.append(f"{exc}; dates ignored")
        values["date_from"] = values["date_to"] = None
        return Filters(**values), problems


def query_from_filters(filters: Filters) -> dict[str, list[str]]:
    """Encode filters as query-string values (the inverse of filters_from_query); empty fields are left out."""
    query: dict[str, list[str]] = {}
    for field, key in LIST_KEYS.items():
        items = list(getattr(filters, field))
        if items:
            query[key] = items
    for field, key in SCALAR_KEYS.items():
        value = getattr(filters, field)
        if value is None or value == "":
            continue
        query[key] = [value.isoformat() if isinstance(value, date) else str(value)]
    return query


def _last(query: Mapping[str, Sequence[str]], key: str) -> str | None:
    items = query.get(key) or []
    return items[-1] if items else None


def read_query() -> dict[str, list[str]]:
    """The current query string as key -> list of values."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def write_query(filters: Filters, extra: Mapping[str, str | None] | None = None) -> None:
    """Make the query string say exactly these filters and page settings (only when it changed)."""
    wanted = query_from_filters(filters)
    for key, value in (extra or {}).items():
        if value not in (None, ""):
            wanted[key] = [str(value)]
    if wanted != read_query():
        st.query_params.from_dict({k: v if len(v) > 1 else v[0] for k, v in wanted.items()})


def param(key: str, default: str) -> str:
    """A page setting from the query string (last value), or the default."""
    values = st.query_params.get_all(key)
    return values[-1] if values else default


def choice(label: str, key: str, choices: Sequence[str], default: str,
           fmt: Callable[[str], str] = str, *, horizontal: bool = True) -> str:
    """A radio choice kept in the query string under key."""
    current = param(key, default)
    if current not in choices:
        current = default
    picked: str = st.radio(label, list(choices), index=list(choices).index(current), format_func=fmt,
                           horizontal=horizontal)
    return picked


def context(*, needs_scores: bool = True) -> PageContext | None:
    """Check the warehouse and pick the model; show the right empty state and return None when there is
    nothing to show yet."""
    db = str(data.db_path())
    if not may_exist(db):  # a file that is not there yet (a lake's reader says so itself)
        st.info(f"No warehouse at `{db}` yet. {NO_ARTICLES}")
        return None
    try:
        models = data.models(db)
        model = _pick_model(models)
        overview = data.overview(db, model.id if model else None)
    except WarehouseError as exc:
        st.error(f"The warehouse could not be read: {exc}")
        return None
    if overview["articles"] == 0:
        st.info(NO_ARTICLES)
        return None
    if needs_scores and (model is None or overview["stance_rows"] == 0):
        st.info(f"{overview['articles']:,} articles, but none scored yet: run `stancewatch score` "
                "(a crawl job from the scheduler scores what it fetched).")
        return None
    if model is None:
        return None
    return PageContext(db=db, overview=overview, model=model, options=data.options(db, model.id))


def _pick_model(models: list[data.Model]) -> data.Model | None:
    if not models:
        return None
    if len(models) == 1:
        return models[0]
    ids = [m.id for m in models]
    wanted = param("model", ids[0])
    by_id = {m.id: m for m in models}
    picked = st.sidebar.selectbox("Model", ids, index=ids.index(wanted) if wanted in ids else 0,
                                  format_func=lambda i: by_id[i].label)
    return by_id[picked]


def model_banner(model: data.Model) -> None:
    """Name the model whose scores the page shows."""
    st.caption(f"Scores by model **{model.label}** (id `{model.id}`, weights sha256 `{model.weights_sha256[:12]}…`)"
               "; stance in [-1, 1]: critical < -0.2 ≤ neutral ≤ 0.2 < favourable.")


def filter_sidebar(ctx: PageContext, *, fields: Sequence[str] = ALL_FIELDS,
                   default_countries: Sequence[str] = ()) -> Filters:
    """Filter widgets in the sidebar, initialised from the query string; return the filters chosen."""
    current, problems = filters_from_query(read_query())
    for problem in problems:
        st.sidebar.warning(problem)
    opts = ctx.options
    side = st.sidebar
    side.header("Filters")
    values: dict[str, Any] = {}
    labels = {"countries": ("Target countries", opts.countries),
              "outlets": ("Outlets", opts.outlets),
              "outlet_countries": ("Outlet countries", opts.outlet_countries),
              "languages": ("Languages", opts.languages)}
    for field, (label, choices) in labels.items():
        if field not in fields:
            continue
        chosen = getattr(current, field) or (tuple(default_countries) if field == "countries" else ())
        values[field] = tuple(side.multiselect(label, list(dict.fromkeys([*choices, *chosen])),
                                               default=list(chosen)))
        if field == "languages":  # how good the model is in each language, beside the filter that picks them
            side.caption(quality.filter_caption(values[field] or choices,
                                                quality.model_quality(ctx.db, ctx.model.id)))
    if "dates" in fields:
        first, last = data.default_date_range(ctx.overview)
        values["date_from"] = side.date_input("Published from", value=current.date_from, min_value=None,
                                              help=f"Articles run from {first} to {last}.")
        values["date_to"] = side.date_input("Published to (inclusive)", value=current.date_to)
        if values["date_from"] and values["date_to"] and values["date_from"] > values["date_to"]:
            side.warning("'from' is after 'to': dates ignored")
            values["date_from"] = values["date_to"] = None
    if "stance" in fields:
        lo, hi = side.slider("Stance between", -1.0, 1.0,
                             (current.stance_min if current.stance_min is not None else -1.0,
                              current.stance_max if current.stance_max is not None else 1.0), step=0.05)
        values["stance_min"] = None if lo <= -1.0 else round(lo, 2)
        values["stance_max"] = None if hi >= 1.0 else round(hi, 2)
    if "text" in fields:
        text = side.text_input("Search title and text", value=current.text or "")
        values["text"] = text.strip() or None
    return replace(Filters(), **values)


# Query-string key of the "with corrections" toggle (1: analysts' corrections applied; insights.corrections).
CORRECTIONS_KEY = "corr"


def corrections_toggle() -> bool:
    """The sidebar's "with corrections" toggle, kept in the query string: True to show stances with the
    analysts' corrections applied (a relabelled mention counts as labelled, a false match not at all)."""
    on: bool = st.sidebar.toggle("With analysts' corrections", value=param(CORRECTIONS_KEY, "0") == "1",
                                 help="Stances re-aggregated with the analysts' corrections of mentions "
                                      "(set on an article's evidence, Articles page).")
    return on


def corrections_query(on: bool) -> dict[str, str | None]:
    """The toggle's query-string entry for write_query's extra values."""
    return {CORRECTIONS_KEY: "1" if on else None}


def period_end(start: date, grain: str) -> date:
    """The last day (inclusive) of the period of a granularity that starts on start."""
    if grain == "day":
        return start
    if grain == "week":
        return start + timedelta(days=6)
    if grain == "month":
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return following - timedelta(days=1)
    raise ValueError(f"granularity {grain!r}: expected day, week or month")


def point_filters(filters: Filters, *, target: str, split: str, split_value: str, period: date,
                  grain: str) -> Filters:
    """The Articles page's filters for one trend point: its target, period and split value."""
    narrowed = replace(filters, countries=(target,), date_from=period, date_to=period_end(period, grain))
    if split == "outlet_country":
        narrowed = replace(narrowed, outlet_countries=(split_value,))
    elif split == "outlet":
        narrowed = replace(narrowed, outlets=(split_value,))
    elif split == "language":
        narrowed = replace(narrowed, languages=(split_value,))
    return narrowed


def articles_link(filters: Filters, label: str = "Show these articles", *, key: str | None = None) -> None:
    """A link to the Articles page with these filters in its query string."""
    st.page_link(ARTICLES_PAGE, label=label, icon=":material/article:",
                 query_params={k: v if len(v) > 1 else v[0] for k, v in query_from_filters(filters).items()})


def go_to_articles(filters: Filters) -> None:
    """Switch to the Articles page showing these filters."""
    st.switch_page(ARTICLES_PAGE, query_params={k: v if len(v) > 1 else v[0]
                                                for k, v in query_from_filters(filters).items()})
