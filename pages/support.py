"""Support: is the change creating work for the service desk, and is it settling?"""

import streamlit as st

from analysis.charts import backlog_chart, tickets_per_100_chart, top_categories_chart
from analysis.kpis import baseline_window
from analysis.onboarding import no_tickets_in_period
from analysis.settings import BASELINE_DAYS
from analysis.words import day, plural
from ui.cards import SUPPORT_DEFINITIONS, support_cards
from ui.figures import show_chart
from ui.flags import with_alert_markers
from ui.onboarding import checklist, organisation_support
from ui.session import period_markers, rollout_view
from ui.text import literal

st.title("Support")
view = rollout_view(without_rollout=organisation_support)  # tickets before any rollout: the organisation's
rollout, window = view.rollout, view.window
kpis = view.figure("support_kpis")
weekly = view.figure("weekly_tickets")
if not weekly["tickets"].any():  # zeros and flat lines would read as a quiet desk
    first = weekly["week_start"].min() if not weekly.empty else view.as_of
    st.info(
        literal(no_tickets_in_period(view.scope, bool(rollout.ticket_categories or rollout.ticket_keywords))),
        icon=":material/info:",
    )
    st.caption(
        f"This period: {day(first)} to {day(view.as_of)}."
        + (
            f" {plural(kpis['backlog'], 'ticket')} created before it {'is' if kpis['backlog'] == 1 else 'are'} still open."
            if kpis["backlog"]
            else ""
        )
    )
    if view.scope.principal.is_provider:
        st.caption("Tickets outside this rollout's ticket filter are not counted: the filter is on the Settings page.")
        checklist(view.scope)
    st.stop()

support_cards(kpis, window)
markers = period_markers(view, with_alert_markers(view, view.figure("markers")))
baseline = baseline_window(view.scope, rollout)  # the window the KPIs are measured against

st.subheader("Tickets per 100 people, week by week", help=SUPPORT_DEFINITIONS["per_100"])
shown = f" ({day(baseline[0])} to {day(baseline[1])})" if baseline else ""
st.caption(
    "Tickets raised each week per 100 licensed people, for everyone and by the requester's cohort; the "
    f"baseline{literal(shown)} is grey, the 4 weeks after each go-live tinted."
)
show_chart(view.scope.org_id, tickets_per_100_chart, weekly, markers, baseline, rollout.cohorts, period=view.period)

st.subheader("Backlog", help=SUPPORT_DEFINITIONS["backlog"])
st.caption("Tickets still open at the end of each day.")
show_chart(view.scope.org_id, backlog_chart, view.figure("backlog_by_day"), markers, view.period)

st.subheader("What people ask about, before and after go-live", help=SUPPORT_DEFINITIONS["categories"])
cohort = st.segmented_control(
    "Go-live",
    list(rollout.cohorts),
    default=next(iter(rollout.cohorts), None),
    key="categories_go_live",
    format_func=lambda c: f"{literal(c.capitalize())} ({rollout.cohorts[c]:%d %b})",
)
split = rollout.cohorts.get(cohort or next(iter(rollout.cohorts), ""))
if split is None or split > view.as_of:
    st.info('That go-live is after the as-of date: there is no "after" yet.')
else:
    categories = view.figure("top_categories", split)
    if categories.empty:
        st.info("No tickets around that go-live.")
    else:
        st.caption(
            f"Each category's share of the tickets in the {BASELINE_DAYS} days before the go-live and from "
            f"the go-live to {day(view.as_of)}."
        )
        show_chart(view.scope.org_id, top_categories_chart, categories, f"{BASELINE_DAYS} days before", "since go-live")
