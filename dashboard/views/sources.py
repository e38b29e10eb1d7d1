"""Sources & crawls: each outlet's health, crawl runs, schedules, and Crawl now (a job for the scheduler)."""

from __future__ import annotations

import streamlit as st

from dashboard import data, ui
from warehouse import jobs
from warehouse.errors import WarehouseError
from warehouse.location import may_exist

st.title("Sources & crawls")
db = str(data.db_path())
missing = not may_exist(db)  # a file that is not there yet (a lake's reader says so itself)
names: list[str] = []
if missing:
    st.info(f"No warehouse at `{db}` yet. {ui.NO_ARTICLES}")
else:
    try:
        health = data.source_health(db)
        runs = data.crawl_runs(db)
    except WarehouseError as exc:
        st.error(f"The warehouse could not be read: {exc}")
        st.stop()
    names = list(health["name"])
    if health.empty:
        st.info("No sources in the warehouse yet: `stancewatch crawl` loads them from sources.yaml, "
                "or press **Crawl now** below.")
    else:
        dropped = health[health["volume_drop"]]
        if not dropped.empty:
            st.warning("Volume dropped well below usual (last 7 days under half the previous 3 weeks' daily "
                       f"mean): {', '.join(dropped['name'])}")
        st.subheader("Health")
        st.dataframe(
            health[["name", "country", "language", "enabled", "articles", "last_good_crawl", "per_day",
                    "recent_per_day", "usual_per_day", "error_rate", "volume_drop"]],
            hide_index=True,
            column_config={
                "per_day": st.column_config.BarChartColumn("articles/day, 28 days", y_min=0),
                "last_good_crawl": st.column_config.DatetimeColumn("last good crawl", format="YYYY-MM-DD HH:mm"),
                "recent_per_day": st.column_config.NumberColumn("last 7 days /day", format="%.1f"),
                "usual_per_day": st.column_config.NumberColumn("previous 21 days /day", format="%.1f"),
                "error_rate": st.column_config.ProgressColumn("fetch errors", min_value=0, max_value=1,
                                                              format="percent"),
                "volume_drop": st.column_config.CheckboxColumn("volume drop"),
            })
    st.subheader("Crawl runs")
    if runs.empty:
        st.caption("No crawl runs yet.")
    else:
        st.dataframe(runs, hide_index=True)

st.subheader("Crawl now")
st.caption("The dashboard does not crawl: it queues a job, which the scheduler (`stancewatch scheduler`) runs "
           "(crawl, then score).")
chosen = st.multiselect("Sources to crawl (none: every enabled source)", names)
if st.button("Crawl now", type="primary"):
    try:
        job_id = jobs.request_crawl(db, sources=chosen, requested_by="dashboard")
        st.session_state["last_job"] = job_id
        data.clear_cache()
    except WarehouseError as exc:
        st.error(str(exc))
if st.session_state.get("last_job") and not missing:
    job = jobs.get_job(db, st.session_state["last_job"])
    if job:
        st.success(f"Job `{job['id']}` is **{job['state']}** (requested {job['requested_at']:%Y-%m-%d %H:%M} UTC).")
        st.button("Refresh job state")
if may_exist(db):
    recent = data.jobs(db)
    if not recent.empty:
        with st.expander("Recent jobs", expanded=False):
            st.dataframe(recent, hide_index=True)

    st.subheader("Schedules")
    st.caption("Cron expressions run in UTC: minute hour day-of-month month day-of-week.")
    table = data.schedules(db)
    if table.empty:
        st.caption("No schedules yet.")
    else:
        st.dataframe(table, hide_index=True)

    def _preview(cron: str) -> bool:
        """Show the next runs of a cron expression, or why it is invalid; return whether it is valid."""
        if not cron.strip():
            return False
        try:
            runs_at = jobs.next_runs(cron, 5)
        except WarehouseError as exc:
            st.error(str(exc))
            return False
        st.caption("Next runs (UTC): " + " · ".join(f"{t:%a %Y-%m-%d %H:%M}" for t in runs_at))
        return True

    add, edit = st.tabs(["Add a schedule", "Edit a schedule"])
    with add:
        name = st.text_input("Name", placeholder="every six hours")
        cron = st.text_input("Cron", value="0 */6 * * *", key="new_cron")
        valid = _preview(cron)
        sources = st.multiselect("Sources (none: every enabled source)", names, key="new_sources")
        if st.button("Add schedule", disabled=not valid):
            try:
                jobs.add_schedule(db, name=name, cron=cron, sources=sources)
                st.success(f"Schedule '{name}' added.")
                st.rerun()
            except WarehouseError as exc:
                st.error(str(exc))
    with edit:
        if table.empty:
            st.caption("Add a schedule first.")
        else:
            labels = {r.id: f"{r.name} ({r.cron}){' · paused' if r.paused else ''}" for r in table.itertuples()}
            sid = st.selectbox("Schedule", list(labels), format_func=labels.__getitem__)
            row = table[table["id"] == sid].iloc[0]
            new_cron = st.text_input("Cron", value=row["cron"], key=f"cron_{sid}")
            ok = _preview(new_cron)
            new_sources = st.multiselect("Sources (none: every enabled source)",
                                         list(dict.fromkeys([*names, *row["sources"]])),
                                         default=list(row["sources"]), key=f"sources_{sid}")
            paused = st.toggle("Paused", value=bool(row["paused"]), key=f"paused_{sid}")
            save, remove = st.columns(2)
            if save.button("Save changes", disabled=not ok):
                try:
                    jobs.update_schedule(db, sid, cron=new_cron, sources=new_sources, paused=paused)
                    st.rerun()
                except WarehouseError as exc:
                    st.error(str(exc))
            if remove.button("Remove schedule"):
                jobs.remove_schedule(db, sid)
                st.rerun()
