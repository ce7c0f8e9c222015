"""Overview: how the rollout is landing, cohort by cohort."""
import streamlit as st

from analysis.uploads import data_version
from ui import cached
from ui.cards import DEFINITIONS, cohort_cards
from ui.charts import adoption_by_age_chart, adoption_calendar_chart
from ui.session import pick_scope, synthetic_banner

st.title("Overview")
scope, rollout = pick_scope()
if scope is None:
    st.stop()
synthetic_banner(scope)
if rollout is None:
    st.warning("This organisation has no rollout yet: add one with `python -m analysis rollout add`.")
    st.stop()

version = data_version(scope)
fresh = cached.freshness(scope, scope.org_id, version, rollout, rollout.rollout_id)
as_of = fresh["newest_usage_day"]
if as_of is None:
    st.info(f"No usage for {rollout.name} yet: load a usage export on the Data page.")
    st.stop()
window = rollout.window_days
st.caption(f"{rollout.name} · as of **{as_of:%d %b %Y}** (the newest usage day) · window {window} days · "
           f"newest ticket {fresh['newest_ticket_day'] or 'none'} · last load {fresh['last_load']:%d %b %Y %H:%M}")

kpis = cached.cohort_kpis(scope, scope.org_id, version, rollout, rollout.rollout_id, as_of, window)
cohort_cards(kpis, window)

series = cached.rolling_adoption(scope, scope.org_id, version, rollout, rollout.rollout_id, as_of)
st.subheader("Adoption by age: each cohort from its own go-live")
st.caption("Share of each cohort's licensed people who used it in the last 7 days, counted from that "
           "cohort's go-live, so the wider rollout is compared with the champions at the same age.")
st.plotly_chart(adoption_by_age_chart(series, rollout.target_adoption, rollout.target_age_days),
                width="stretch")
st.subheader("Adoption on the calendar")
st.caption("The same 7-day adoption by date, with each cohort's go-live marked.")
st.plotly_chart(adoption_calendar_chart(series, rollout.cohorts), width="stretch")
with st.expander("How these figures are defined"):
    st.markdown(DEFINITIONS)
