"""The Adoption page's breakdowns other than departments: by activity and by a roster column
(analysis/breakdowns.py), as the person looking may see them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.breakdowns import under_target
from analysis.charts.breakdowns import breakdown_chart
from analysis.kpis.goals import targets
from analysis.privacy import OTHER
from analysis.words import pct
from ui.figures import show_chart
from ui.flags import rule_title, view_alerts
from ui.session import View, for_viewer
from ui.tables import show_table
from ui.text import literal

DEPARTMENT, ACTIVITY = "Department", "Activity"
RATIOS = {"adoption_rate": ("active_users", "licensed_users")}


def choices(view: View) -> list[str]:
    """What the page can break adoption down by: departments, activities, the roster's extra columns."""
    return [DEPARTMENT, ACTIVITY, *view.figure("roster_columns")]


def _columns(first: str, window: int) -> dict:
    return {
        first: first,
        "licensed_users": "Licensed",
        "active_users": f"Active ({window:d} days)",
        "adoption_rate": st.column_config.ProgressColumn("Adoption", format="percent", min_value=0, max_value=1),
    }


def by_activity(view: View, cohort: str) -> None:
    table = view.figure("activity_kpis")
    table = table[table["cohort"] == cohort]
    if table.empty:
        st.info("No licensed person has used any activity yet.")
        return
    st.caption(
        f"Per activity (a product or feature of the usage), the share of the cohort's licensed people who used it "
        f"in the last {view.window:d} days. Activities the rollout does not count for adoption are marked."
    )
    shown = table.assign(
        counts=table["counted"]
        .map({True: "counted"})
        .fillna(table["legacy"].map({True: "legacy"}))
        .fillna("not counted")
    )[["activity", "counts", "licensed_users", "active_users", "adoption_rate"]]
    show_chart(view.scope.org_id, breakdown_chart, shown, "activity", None)
    show_table(
        shown.round({"adoption_rate": 2}),
        hide_index=True,
        column_config={**_columns("activity", view.window), "activity": "Activity", "counts": "For adoption"},
    )
    st.caption(
        "Red flags are judged per cohort and per department over the activities the rollout counts, "
        "not per activity: see the Red flags page."
    )


def by_roster_column(view: View, column: str, cohort: str) -> None:
    kpis = view.figure("roster_column_kpis", column)
    table = for_viewer(
        view, kpis[kpis["cohort"] == cohort].drop(columns="cohort"), "value", "licensed_users", ratios=RATIOS
    )
    if table.empty:
        st.info(
            "No group of this cohort can be shown" + (" (groups under 5 people are not shown)." if view.client else ".")
        )
        return
    target = targets(view.scope, view.rollout)["adoption_rate"]
    st.caption(
        f"Per value of the roster's {literal(column)!s} column, the share of licensed people active in the last "
        f'{view.window:d} days; people with no value are under "(not given)".'
        + (f' Groups under 5 people are shown together as "{OTHER}".' if view.client else "")
    )
    show_chart(view.scope.org_id, breakdown_chart, table, "value", target.value)
    shown = table[["value", "licensed_users", "active_users", "adoption_rate"]].round({"adoption_rate": 2})
    show_table(shown, hide_index=True, column_config={**_columns("value", view.window), "value": column})
    low = under_target(view.scope, view.rollout, table) if cohort == "all" else pd.DataFrame()
    st.markdown("**Adoption under the target**")
    if target.value is None:
        st.caption("This rollout has no adoption target.")
    elif low.empty:
        none_md = (
            f"No {literal(column)} of 5 or more people in cohorts at least {target.due_age_days:d} days past go-live "
            f"is under the {pct(target.value)} target" + ("." if cohort == "all" else " (judged on all cohorts).")
        )
        st.caption(none_md)
    else:
        lines_md = "\n".join(
            f"- {literal(r.value)}: {pct(r.adoption_rate)} ({int(r.active_users):d} of {int(r.licensed_users):d} "
            f"people), under the {pct(r.target)} target"
            for r in low.itertuples()
        )
        st.markdown(lines_md)
        how_md = (
            f"Computed here as the Low adoption red flag judges a department (people of cohorts at least "
            f"{target.due_age_days:d} days past go-live, groups of 5 or more); not a stored red flag."
        )
        st.caption(how_md)


def department_flags(view: View) -> None:
    """The open red flags that name a department, grouped by it."""
    alerts = view_alerts(view)
    named: dict[str, list[str]] = {}
    for alert in alerts:
        if alert.department and alert.state not in ("resolved", "not_enough_data"):
            named.setdefault(alert.department, []).append(rule_title(alert.rule))
    st.markdown("**Open red flags by department**")
    if not named:
        st.caption(
            "No open red flag names a department (Low adoption, Lapsing and Workarounds are judged per "
            "department of 5 or more people)."
        )
        return
    st.markdown("\n".join(f"- {literal(d)}: {literal(', '.join(t))}" for d, t in sorted(named.items())))
