"""The Adoption page's breakdowns by activity and by a roster column (analysis/breakdowns.py), as
the person looking may see them (client views fold groups under 5 people: analysis/privacy.py)."""

from __future__ import annotations

import streamlit as st

from analysis.breakdowns import ACTIVITY, DEPARTMENT
from analysis.charts.breakdown import breakdown_chart
from analysis.privacy import OTHER
from ui.session import View, for_viewer
from ui.tables import show_table
from ui.text import literal


def choice_label(choice: str) -> str:
    return {DEPARTMENT: "Department", ACTIVITY: "Activity (product, feature, app)"}.get(choice, choice)


def _columns(window: int, group: str) -> dict:
    return {
        "group": group,
        "activity": "Activity",
        "kind": "Counts as",
        "licensed_users": "Licensed",
        "active_users": f"Active ({window:d} days)",
        "adoption_rate": st.column_config.ProgressColumn("Adoption", format="percent", min_value=0, max_value=1),
        "activation_rate": st.column_config.NumberColumn("Activation", format="percent"),
        "legacy_users": "Old way (14 days)",
        "under_target": st.column_config.CheckboxColumn("Under the target"),
    }


def show_activities(view: View, cohort: str) -> None:
    """Per activity: the licensed people (of the cohort) who used it in the window."""
    found = view.figure("activity_breakdown")
    rows = found[found["cohort"] == cohort].drop(columns="cohort")
    if rows.empty:
        st.info("No activity of the licensed people in this window.")
        return
    st.caption(
        "Share of the licensed people who used each activity at least once in the window. An activity that "
        "counts as use makes a person active; the old way is the rollout's legacy activities."
    )
    show_table(rows, hide_index=True, column_config=_columns(view.window, "Activity"))


def show_roster_column(view: View, column: str, cohort: str) -> None:
    """Per value of the roster column: adoption as the department table has it, and a chart."""
    found = view.figure("roster_breakdown", column)
    rows = for_viewer(
        view,
        found[found["cohort"] == cohort].drop(columns="cohort"),
        "group",
        "licensed_users",
        ratios={
            "adoption_rate": ("active_users", "licensed_users"),
            "activation_rate": ("activated_users", "licensed_users"),
        },
    )
    if rows.empty:
        st.info(
            "No group of this cohort can be shown" + (" (groups under 5 people are not shown)." if view.client else ".")
        )
        return
    st.caption(
        f"Adoption per {literal(column)} in the window, as for departments; people with no value are under "
        '"(not given)". A group under the adoption target once every cohort is past the target\'s age is '
        "marked, as the Low adoption rule marks a department."
        + (f' Groups under 5 people are shown together as "{OTHER}".' if view.client else "")
    )
    chart_rows = rows.assign(cohort="all")
    st.plotly_chart(breakdown_chart(chart_rows, "group", view.rollout.target_adoption), width="stretch")
    shown = rows if cohort == "all" else rows.drop(columns="under_target", errors="ignore")
    show_table(shown, hide_index=True, column_config=_columns(view.window, literal(column)))
