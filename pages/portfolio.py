"""Portfolio (the provider's roles): every organisation you may see, each rollout's adoption against
target, open red flags and how fresh its data is, so you know which client needs a call first."""

import streamlit as st

from analysis import alerts as rules
from analysis import lessons, orgs
from analysis.alerts import actions as flag_actions
from analysis.charts.portfolio import portfolio_chart
from analysis.rankings import PORTFOLIO_ORDER, rollouts_worst_first
from analysis.scope import open_scope
from ui import cached
from ui.figures import show_chart
from ui.flags import current_alerts
from ui.onboarding import set_up_buttons
from ui.session import principal, store, versions
from ui.tables import show_table


def open_organisation(org_id: int, rollout: str) -> None:
    """The organisation's Overview, chosen in the sidebar as ui/session.pick_scope keeps it."""
    st.session_state["org_id"] = org_id
    st.session_state[f"rollout_{org_id}"] = rollout
    st.switch_page("pages/overview.py")


st.title("Portfolio")
who = principal()
if not who.has_permission("portfolio"):
    st.error("The portfolio is for the provider's roles.")
    st.stop()
handle = store()
rows, waiting, scopes = [], {}, {}
with st.spinner("Checking every rollout"):
    for org in orgs.organisations(handle, who).itertuples():
        scope = open_scope(handle, who, int(org.org_id))  # the same check as every page
        scopes[org.name] = scope
        if not orgs.rollouts(scope):
            waiting[int(org.org_id)] = org.name
        version = versions(scope)
        for rollout in orgs.rollouts(scope):  # from the caches the rollout pages fill (ui/cached.py)
            fresh = cached.freshness(scope, scope.org_id, version, rollout, rollout.rollout_id)
            as_of = fresh["newest_usage_day"]
            row = {
                "org_id": int(org.org_id),
                "Organisation": org.name,
                "Rollout": rollout.name,
                "Adoption": None,
                "Target": rollout.target_adoption,
                "High": 0,
                "Medium": 0,
                "Overdue actions": len(flag_actions.overdue_actions(scope, rollout)),
                "Newest usage": fresh["newest_usage_day"],
                "Newest ticket": fresh["newest_ticket_day"],
                "Last load": fresh["last_load"],
            }
            if as_of is not None:
                kpis = cached.cohort_kpis(scope, scope.org_id, version, rollout, rollout.rollout_id, as_of, None)
                rate = kpis["all"]["adoption_rate"]
                row["Adoption"] = None if rate is None else round(rate, 2)
                found = current_alerts(
                    scope,
                    scope.org_id,
                    version,
                    rules.alerts_version(scope),
                    rollout,
                    rollout.rollout_id,
                    as_of,
                )
                counts = rules.red_flag_counts(found)
                row["High"], row["Medium"] = counts["high"], counts["medium"]
            rows.append(row)
if waiting:
    set_up_buttons(waiting)
if not rows:
    st.info("No rollout in the organisations you may see yet.")
    st.stop()
table = rollouts_worst_first(rows)
st.caption(PORTFOLIO_ORDER + " Tick a row to open that organisation's Overview.")
shown = tuple(sorted({int(i) for i in table["org_id"]}))  # the organisations the table and chart show
show_chart(shown, portfolio_chart, table)
picked = show_table(
    table,
    org_id=shown,  # neutralised once (ui/shared.py)
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="portfolio_rows",
    column_config={
        "org_id": None,  # hidden: which organisation a selected row opens
        "Adoption": st.column_config.ProgressColumn("Adoption", format="percent", min_value=0, max_value=1),
        "Target": st.column_config.NumberColumn("Target", format="percent"),
        "High": st.column_config.NumberColumn("High flags", format="%d"),
        "Medium": st.column_config.NumberColumn("Medium flags", format="%d"),
        "Overdue actions": st.column_config.NumberColumn(
            "Overdue actions", format="%d", help="Actions on red flags past their due date, not done or dropped."
        ),
        "Newest usage": st.column_config.DateColumn("Newest usage", format="D MMM YYYY"),
        "Newest ticket": st.column_config.DateColumn("Newest ticket", format="D MMM YYYY"),
        "Last load": st.column_config.DatetimeColumn("Last load", format="D MMM YYYY HH:mm"),
    },
)
if picked.selection.rows:
    chosen = table.iloc[picked.selection.rows[0]]
    open_organisation(int(chosen["org_id"]), chosen["Rollout"])

st.subheader("Lessons across clients")
st.caption(
    "Every rollout's post-mortem (written on its Red flags page) in the organisations you may see: "
    "start the next rollout from them."
)
words = st.text_input("Search the lessons", placeholder="e.g. hypercare, training, tokens")
found = lessons.search(scopes, words)
if found.empty:
    st.caption("No post-mortem matches." if words.strip() else "No post-mortem written yet.")
else:
    show_table(
        found.rename(columns={"organisation": "Organisation", "rollout": "Rollout", **lessons.HEADINGS}),
        hide_index=True,
    )
