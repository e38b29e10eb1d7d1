"""Alerts: stance shifts found in the weekly series, with links to their trend and their articles."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, ui
from insights.alert_list import list_alerts
from warehouse.filters import Filters


@st.cache_data(ttl=data.TTL_S, show_spinner=False)
def _alerts(db: str, model_id: str, filters: Filters) -> list[dict[str, Any]]:
    return list_alerts(db, model_id, filters, timeout=data.READ_TIMEOUT_S)


def _series_filters(alert: dict[str, Any]) -> Filters:
    """The alert's series over the two segments it compares."""
    return Filters(countries=(alert["target"],), outlet_countries=(alert["outlet_country"],),
                   outlets=(alert["outlet"],) if alert["outlet"] else (),
                   date_from=date.fromisoformat(alert["before_from"]),
                   date_to=date.fromisoformat(alert["after_to"]) + timedelta(days=6))


def _trend_link(alert: dict[str, Any]) -> None:
    query = ui.query_from_filters(_series_filters(alert))
    query["grain"] = ["week"]
    query["split"] = ["outlet" if alert["outlet"] else "outlet_country"]
    st.page_link(ui.TRENDS_PAGE, label="Weekly trend of this series", icon=":material/show_chart:",
                 query_params={k: v if len(v) > 1 else v[0] for k, v in query.items()})


def _ci(mean: float, lo: float | None, hi: float | None) -> str:
    return f"{mean:+.2f}" if lo is None or hi is None else f"{mean:+.2f} [{lo:+.2f}, {hi:+.2f}]"


st.title("Stance-shift alerts")
ctx = ui.context()
if ctx is not None:
    filters = ui.filter_sidebar(ctx, fields=("countries", "outlet_countries", "dates"))
    ui.write_query(filters)
    ui.model_banner(ctx.model)
    found = _alerts(ctx.db, ctx.model.id, filters)
    if not found:
        st.info("No stance shifts for these filters. Alerts are recomputed after every `stancewatch score`; a "
                "shift needs enough articles on each side and a change beyond the [alerts] settings' "
                "min_effect.")
    else:
        st.caption("A shift: a change point in a weekly stance series (outlet country or outlet toward a "
                   "target), with before/after means and 95% bootstrap intervals. For an outlet the two "
                   "intervals do not overlap; for an outlet country the change's own interval, resampling "
                   "outlets, excludes zero.")
        table = pd.DataFrame([{
            "week": a["week"], "outlet country": a["outlet_country"], "outlet": a["outlet"] or "(all)",
            "target": a["target"], "before": _ci(a["before"], a["before_lo"], a["before_hi"]),
            "after": _ci(a["after"], a["after_lo"], a["after_hi"]), "shift": round(a["shift"], 2),
            "articles before": a["n_before"], "articles after": a["n_after"]} for a in found])
        st.dataframe(table, hide_index=True)
        for a in found:
            who = a["outlet"] or f"{a['outlet_country']} outlets"
            with st.expander(f"{a['week']}: {who} on {a['target']}, {a['before']:+.2f} → {a['after']:+.2f}"):
                left, right = st.columns(2)
                with left:
                    _trend_link(a)
                with right:
                    after = Filters(countries=(a["target"],), outlet_countries=(a["outlet_country"],),
                                    outlets=(a["outlet"],) if a["outlet"] else (),
                                    date_from=date.fromisoformat(a["week"]),
                                    date_to=date.fromisoformat(a["after_to"]) + timedelta(days=6))
                    ui.articles_link(after, f"{a['n_after']} articles since the shift")
                st.markdown("**Outlets that moved most**")
                st.dataframe(pd.DataFrame(a["movers"]), hide_index=True)
                st.markdown("**Evidence**")
                for quote in a["evidence"]:
                    st.markdown(f"- {quote['published_at'][:10]} · {quote['outlet']} · stance "
                                f"{quote['stance']:+.2f}: " + " ".join(f"“{s}”" for s in quote["sentences"]))
