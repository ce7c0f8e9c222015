"""Portfolio (the provider's roles): every organisation you may see, each rollout's adoption against
target, open red flags and how fresh its data is, so you know which client needs a call first."""

import plotly.graph_objects as go
import streamlit as st

from analysis import alerts as rules
from analysis import lessons, metrics, orgs
from analysis.alerts import actions as flag_actions
from analysis.rankings import PORTFOLIO_ORDER, rollouts_worst_first
from analysis.scope import open_scope
from ui.flags import current_alerts
from ui.onboarding import set_up_buttons
from ui.session import principal, store, versions
from ui.tables import show_table
from ui.text import label


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
        for rollout in orgs.rollouts(scope):
            fresh = metrics.freshness(scope, rollout)
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
                rate = metrics.cohort_kpis(scope, rollout, as_of)["all"]["adoption_rate"]
                row["Adoption"] = None if rate is None else round(rate, 2)
                found = current_alerts(
                    scope,
                    scope.org_id,
                    versions(scope),
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
labels = [label(f"{o} · {r}") for o, r in zip(table["Organisation"], table["Rollout"])]
fig = go.Figure()
fig.add_trace(
    go.Bar(
        y=labels,
        x=table["Adoption"].fillna(0),
        orientation="h",
        name="Adoption",
        marker_color="#0ea5e9",
        text=[f"{v:.0%}" if v == v and v is not None else "no data" for v in table["Adoption"]],
        textposition="outside",
    )
)
fig.add_trace(
    go.Scatter(
        y=labels,
        x=table["Target"],
        mode="markers",
        name="Target",
        marker=dict(symbol="line-ns-open", size=22, color="#16a34a", line=dict(width=3)),
    )
)
fig.update_layout(
    template="plotly_white",
    height=120 + 40 * len(table),
    margin=dict(l=10, r=10, t=30, b=10),
    xaxis=dict(tickformat=".0%", range=[0, 1.1]),
    yaxis=dict(autorange="reversed"),
    legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
)  # above the bars, not on them
fig.update_layout(margin=dict(t=40))
st.plotly_chart(fig, width="stretch")
picked = show_table(
    table,
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
