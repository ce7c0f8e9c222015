"""Red flags: what needs attention in this rollout, worst first, with the evidence and the next step."""

import streamlit as st

from analysis import alerts as rules
from analysis import schedule
from analysis.alerts import actions as flag_actions
from analysis.words import day
from ui.flags import current_alerts, rule_card, rule_groups, rule_title, where
from ui.forms import show_notice
from ui.lazy import opened
from ui.onboarding import plain
from ui.root_causes import editor, followup, post_mortem
from ui.session import principal, rollout_view
from ui.tables import show_table
from ui.text import literal

st.title("Red flags")
show_notice()
view = rollout_view()
scope, rollout = view.scope, view.rollout
found = current_alerts(scope, scope.org_id, view.version, view.alerts_version, rollout, rollout.rollout_id, view.as_of)
held = [a for a in found if a.state != "not_enough_data"]
unjudged = [a for a in found if a.state == "not_enough_data"]
counts = rules.red_flag_counts(found)
a, b, c = st.columns(3)
a.metric("High", counts["high"], border=True, help="Open red flags of high severity.")
b.metric("Medium", counts["medium"], border=True, help="Open red flags of medium severity.")
c.metric(
    "Not enough data",
    counts["not_enough_data"],
    border=True,
    help="Rules that cannot be judged yet (no tickets, a cohort too young ...): said, never silently passed.",
)
st.caption(
    f"Every rule of the contract, checked for {literal(rollout.name)} as of {day(view.as_of)} "
    "with the rollout's own window and baseline. One card per rule, worst first: rules with a high flag, "
    "then the most places; in each, every place it holds against its line."
)
if not held:
    st.success("No red flag holds: every rule that can be judged is clear.")
may_act = principal().may("configure", scope.org_id)
causes, planned = flag_actions.root_causes(scope, rollout), flag_actions.actions(scope, rollout)
for i, (rule, group) in enumerate(rule_groups(held)):
    rule_card(scope.org_id, rule, group, key=str(i))
    followup(rule, causes, planned)
    if may_act:
        editor(scope, rollout, rule, causes, planned, key=str(i))
    firing = {f"{where(a)} ({a.severity})": a for a in group if a.state == "firing"}
    if may_act and firing and (box := opened(f"Acknowledge or snooze: {rule_title(rule)}", f"ack_{rule}")) is not None:
        with box:
            chosen = st.selectbox("Which", list(firing), key=f"which_{i}", disabled=len(firing) == 1)
            note = st.text_input("Note", key=f"note_{i}", placeholder="What is being done about it")
            left, right = st.columns(2)
            until = right.date_input("Snooze until", key=f"until_{i}", value=None)
            if left.button("Acknowledge", key=f"ack_{i}", disabled=not note.strip()) or right.button(
                "Snooze", key=f"snooze_{i}", disabled=until is None
            ):
                alert = firing[chosen]
                recorded = schedule.record_rollout(scope, rollout)  # the current state, with ids
                same = next(
                    (
                        r
                        for r in recorded
                        if (r.rule, r.cohort, r.department, r.kind)
                        == (alert.rule, alert.cohort, alert.department, alert.kind)
                        and r.alert_id
                    ),
                    None,
                )
                try:
                    if same is None:
                        raise ValueError("this red flag no longer holds on the newest data")
                    if until is not None:
                        rules.snooze_alert(scope, same.alert_id, until, note.strip() or None)
                    else:
                        rules.acknowledge_alert(scope, same.alert_id, note)
                    st.rerun()
                except ValueError as exc:
                    st.error(literal(exc))
if unjudged:
    st.subheader("Cannot be judged yet")
    for alert in unjudged:
        st.markdown(f"- **{rule_title(alert.rule)}** ({literal(where(alert))}): {literal(plain(alert.message))}")
post_mortem(scope, rollout, may_act)
if (box := opened("History of this rollout's red flags", "flag_history")) is not None:
    with box:
        history = rules.alert_history(scope, rollout)
        if history.empty:
            st.caption(
                "Nothing recorded yet: states are recorded after each load and once a day, and when a flag is acknowledged or snoozed."
            )
        else:
            show_table(history.drop(columns=["evidence"], errors="ignore"), hide_index=True, org_id=scope.org_id)
        changes = flag_actions.action_history(scope, rollout)
        if not changes.empty:
            st.markdown("**Root causes and actions**: who changed what, when and why")
            show_table(changes.drop(columns=["event_id"]), hide_index=True, org_id=scope.org_id)
