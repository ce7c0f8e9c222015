"""The Data page's roster history: each dated roster of the rollout, a picture of the licensed
people over time, and who joined, left or moved with each (analysis/roster_history.py)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from analysis import roster_history
from analysis.charts.roster import roster_chart
from analysis.words import day
from ui.figures import show_chart
from ui.tables import show_table
from ui.text import literal

CHANGE_WORDS = {"joined": "Joined", "left": "Left", "moved": "Moved"}


def show(scope, rollout) -> None:
    if rollout is None:
        st.info("A roster belongs to a rollout: add a rollout first.")
        return
    table = roster_history.snapshots(scope, rollout)
    if table.empty:
        st.info(f"No roster loaded for {literal(rollout.name)} yet.")
        return
    st.caption(
        "Each roster holds from its date until the next one: a figure for a past day counts the people "
        "licensed that day, so it does not move when a later roster arrives. Days before the first "
        "roster take the first."
    )
    cohorts = list(rollout.cohorts)
    show_chart(scope.org_id, roster_chart, table, cohorts, date.today())
    shown = table.assign(dated_on=[day(d) for d in table["dated_on"]])
    columns = {
        "dated_on": "Holds from",
        "upload_id": st.column_config.NumberColumn("Load", format="%d"),
        "file_name": "File",
        "licensed": st.column_config.NumberColumn("Licensed", format="%d"),
        **{c: st.column_config.NumberColumn(c, format="%d") for c in cohorts if c in table},
        "joined": st.column_config.NumberColumn("Joined", format="%d"),
        "left": st.column_config.NumberColumn("Left", format="%d"),
        "moved": st.column_config.NumberColumn("Moved", format="%d"),
    }
    order = [
        "dated_on",
        "upload_id",
        "file_name",
        "licensed",
        *[c for c in cohorts if c in table],
        "joined",
        "left",
        "moved",
    ]
    show_table(shown, column_config=columns, column_order=order, hide_index=True)
    people = roster_history.changes_by_person(scope, rollout)
    if people.empty:
        return
    dates = list(dict.fromkeys(day(d) for d in people["dated_on"]))
    picked = st.selectbox("Who changed with the roster of", dates, index=len(dates) - 1)
    chosen = people[[day(d) == picked for d in people["dated_on"]]]
    chosen = chosen.assign(change=[CHANGE_WORDS.get(c, c) for c in chosen["change"]])
    show_table(
        chosen[
            [
                "change",
                "user_id",
                "display_name",
                "cohort_before",
                "cohort_after",
                "department_before",
                "department_after",
            ]
        ],
        column_config={
            "change": "Change",
            "user_id": "Person",
            "display_name": "Name",
            "cohort_before": "Cohort before",
            "cohort_after": "Cohort after",
            "department_before": "Department before",
            "department_after": "Department after",
        },
        hide_index=True,
    )
