"""Support: is the change creating work for the service desk, and is it settling?"""
import streamlit as st

from analysis.settings import BASELINE_DAYS, baseline_window
from analysis.words import day
from ui.cards import SUPPORT_DEFINITIONS, support_cards
from ui.charts import backlog_chart, tickets_per_100_chart, top_categories_chart
from ui.flags import with_alert_markers
from ui.session import rollout_view

st.title("Support")
view = rollout_view()
rollout, window = view.rollout, view.window
kpis = view.figure("support_kpis")
weekly = view.figure("weekly_tickets")
if not weekly["tickets"].any() and not kpis["backlog"]:
    st.info(f"No tickets in this rollout's scope up to {day(view.as_of)}: load a ticket export on the Data page, "
            "or widen the rollout's ticket filter on the Settings page.")
    st.stop()

support_cards(kpis, window)
markers = with_alert_markers(view, view.figure("markers"))
baseline = baseline_window(rollout)

st.subheader("Tickets per 100 people, week by week", help=SUPPORT_DEFINITIONS["per_100"])
st.caption(f"Tickets raised each week per 100 licensed people, for everyone and by the requester's cohort; the "
           f"{BASELINE_DAYS} days before the first go-live (the baseline) are grey, the 4 weeks after each go-live "
           "tinted.")
st.plotly_chart(tickets_per_100_chart(weekly, markers, baseline, rollout.cohorts), width="stretch")

st.subheader("Backlog", help=SUPPORT_DEFINITIONS["backlog"])
st.caption("Tickets still open at the end of each day.")
st.plotly_chart(backlog_chart(view.figure("backlog_by_day"), markers), width="stretch")

st.subheader("What people ask about, before and after go-live", help=SUPPORT_DEFINITIONS["categories"])
cohort = st.segmented_control("Go-live", list(rollout.cohorts), default=next(iter(rollout.cohorts), None),
                              key="categories_go_live",
                              format_func=lambda c: f"{c.capitalize()} ({rollout.cohorts[c]:%d %b})")
split = rollout.cohorts.get(cohort or next(iter(rollout.cohorts), ""))
if split is None or split > view.as_of:
    st.info("That go-live is after the as-of date: there is no \"after\" yet.")
else:
    categories = view.figure("top_categories", split)
    if categories.empty:
        st.info("No tickets around that go-live.")
    else:
        st.caption(f"Each category's share of the tickets in the {BASELINE_DAYS} days before the go-live and from "
                   f"the go-live to {day(view.as_of)}.")
        st.plotly_chart(top_categories_chart(categories, f"{BASELINE_DAYS} days before", "since go-live"),
                        width="stretch")
