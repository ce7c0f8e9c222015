"""Adoption: who uses it, since when, where it is weak, and who has dropped off."""

import streamlit as st

from analysis.charts import (
    adoption_funnel_chart,
    days_to_first_use_chart,
    department_heatmap_chart,
    weekly_active_chart,
)
from analysis.exports import safe_csv
from analysis.people_lists import shown_people
from analysis.privacy import OTHER
from ui import cached
from ui.breakdowns import ACTIVITY, DEPARTMENT, by_activity, by_roster_column, department_flags
from ui.breakdowns import choices as breakdown_choices
from ui.cards import ADOPTION_DEFINITIONS, department_columns, people_columns, stickiness_cards
from ui.figures import show_chart
from ui.flags import with_alert_markers
from ui.session import adoption_by_age, departments, file_name, not_computable, period_markers, rollout_view
from ui.shared import shared
from ui.tables import show_table
from ui.text import literal

st.title("Adoption")
view = rollout_view()
rollout, window = view.rollout, view.window
markers = period_markers(view, with_alert_markers(view, view.figure("markers")))

st.subheader("Adoption by age", help=ADOPTION_DEFINITIONS["by_age"])
adoption_by_age(
    view,
    markers,
    "Each cohort's 7-day adoption counted from its own go-live, so every wave is "
    "compared with the champions at the same age.",
)

st.subheader("Weekly active people", help=ADOPTION_DEFINITIONS["weekly"])
if not not_computable(view, "weekly_active_users"):
    weekly = view.figure("weekly_active_users")
    if weekly.empty or not weekly["licensed_users"].any():
        provider = view.scope.principal.is_provider
        st.info(
            "Nobody is licensed on this rollout's roster yet: "
            + ("load a roster on the Data page." if provider else "your provider loads it.")
        )
    else:
        st.caption(
            "People of each cohort who used it in each week, with go-lives and annotations marked; "
            "the last week so far is dotted."
        )
        show_chart(view.scope.org_id, weekly_active_chart, weekly, markers, view.period)

funnel = view.figure("adoption_funnel")
st.subheader("From licence to habit", help=ADOPTION_DEFINITIONS["funnel"])
if funnel["people"].notna().all():
    habit_md = ""
elif "habitual_users" in view.figure("not_computable"):
    habit_md = " Habit is not computable from this data (snapshot exports too far apart)."
else:
    habit_md = " Habit is shown once a cohort is 84 days past its go-live."
st.caption(f"How many licensed people activated, are active in the last {window:d} days, and use it weekly." + habit_md)
show_chart(view.scope.org_id, adoption_funnel_chart, funnel)

st.subheader("Daily use (stickiness)", help=ADOPTION_DEFINITIONS["stickiness"])
if not not_computable(view, "stickiness"):
    st.caption(
        f"On an average day of the last {window:d} days, the share of the window's active people who used it "
        "that day: high means a daily habit, low occasional use."
    )
    stickiness_cards(view.figure("cohort_figures"))

first_use = view.figure("days_to_first_use")
st.subheader("Days to first use", help=ADOPTION_DEFINITIONS["first_use"])
if first_use.empty:
    st.info("Nobody has used it since their go-live yet.")
else:
    snapshots = view.figure("usage_snapshots")
    st.caption(
        "How soon after their cohort's go-live people first used it."
        + (
            " From snapshot exports a first use is the last activity date in the first snapshot that shows it, so it "
            "can come later than the real first use (by up to the time between two snapshots)."
            if snapshots
            else ""
        )
    )
    show_chart(view.scope.org_id, days_to_first_use_chart, first_use)

st.subheader("Breakdowns", help=ADOPTION_DEFINITIONS["departments"])
by = st.selectbox("Break down by", breakdown_choices(view), key="breakdown_by")
cohort = (
    st.segmented_control(
        "Cohort",
        ["all", *rollout.cohorts],
        default="all",
        key="department_cohort",
        format_func=lambda c: "All cohorts" if c == "all" else literal(c.capitalize()),
    )
    or "all"
)
if by == ACTIVITY:
    by_activity(view, cohort)
elif by != DEPARTMENT:
    by_roster_column(view, by, cohort)
else:
    heat, table, order = departments(view, cohort)
    if not_computable(view, "department_weekly_adoption"):
        show_table(table, hide_index=True, column_config=department_columns(window), org_id=view.scope.org_id)
    elif heat.empty:
        st.info(
            "No department of this cohort can be shown"
            + (" (groups under 5 people are not shown)." if view.client else ".")
        )
    else:
        st.caption(
            "Share of each department's licensed people who used it each week, weakest department at the top."
            + (f' Departments under 5 people are shown together as "{OTHER}".' if view.client else "")
        )
        show_chart(view.scope.org_id, department_heatmap_chart, heat, order, markers, view.period)
        show_table(table, hide_index=True, column_config=department_columns(window), org_id=view.scope.org_id)
    department_flags(view)

st.subheader("Lapsed and never used", help=ADOPTION_DEFINITIONS["lists"])
lapsed, never = view.figure("lapsed_people"), view.figure("never_used_people")
st.caption(
    f"{len(lapsed):,} people used it after their go-live but not in the last {window:d} days; "
    f"{len(never):,} licensed people have never used it."
)
names = cached.organisation_settings(view.scope, view.scope.org_id, view.version).list_names_to_clients
if view.client and not names:
    st.info("Your provider has these people's names: this organisation's views do not list people by name.")
else:
    left, right = st.columns(2)
    for box, label, people, file in ((left, "Lapsed", lapsed, "lapsed"), (right, "Never used", never, "never-used")):
        with box:
            st.markdown(f"**{literal(label)}** ({len(people):,})")
            if people.empty:
                st.caption("Nobody.")
                continue
            shown = people_columns(never_used=file == "never-used")
            listed = shared(view.scope.org_id, shown_people, people)  # a name (or the id) on every row
            show_table(
                listed[list(shown)],
                hide_index=True,
                column_config=shown,
                height=min(300, 38 + 35 * len(listed)),
                org_id=view.scope.org_id,
            )
            st.download_button(
                f"Download {literal(label.lower())} people (CSV)",
                shared(view.scope.org_id, safe_csv, people),  # written once per list (ui/shared.py)
                file_name=file_name(rollout.name, file, view.as_of),
                mime="text/csv",
                key=f"download_{file}",
            )
