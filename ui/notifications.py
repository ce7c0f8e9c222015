"""The notification screens: one's own choices and webhooks (Your account), a rollout's report
pack subscriptions (Settings, provider roles) and the failed deliveries (Administration). The
work is in analysis/notify; delivery is the app's background task (analysis/schedule.py)."""

from __future__ import annotations

import streamlit as st

from analysis.notify import outbox, packs, webhooks
from analysis.notify.prefs import TOPIC_WORDS, TOPICS, Prefs, prefs, save_prefs
from ui.tables import show_table
from ui.text import literal


def own_notifications(handle, account) -> None:
    """The signed-in account's choices and webhooks (only its own: the id comes from the sign-in)."""
    st.subheader("Notifications")
    if account.principal.is_client:
        st.caption(
            "Uptake checks the red-flag rules after each load and once a day, and tells you about your "
            "organisation's red flags (small groups folded, as on your pages). A notification names rollouts, "
            "cohorts and departments, never a person."
        )
    else:
        st.caption(
            "Uptake checks the red-flag rules after each load and once a day, and tells you about the red flags "
            "of the organisations you see. A notification names rollouts, cohorts and departments, never a person."
        )
    chosen = prefs(handle, account.account_id)
    with st.form("notification_prefs"):
        picked = {t: st.checkbox(TOPIC_WORDS[t], value=getattr(chosen, t), key=f"pref_{t}") for t in TOPICS}
        by_email = st.checkbox(f"By e-mail to {literal(account.email)}", value=chosen.by_email, key="pref_by_email")
        if st.form_submit_button("Save notification choices"):
            save_prefs(handle, account.account_id, Prefs(**picked, by_email=by_email))
            st.success("Saved.")
    hooks = webhooks.webhooks(handle, account.account_id)
    for hook in hooks:
        left, right = st.columns([4, 1])
        left.markdown(f"{webhooks.KINDS[hook.kind]} webhook to {literal(hook.label)}")
        if right.button("Remove", key=f"remove_hook_{hook.webhook_id}"):
            webhooks.remove_webhook(handle, account.account_id, hook.webhook_id)
            st.rerun()
    if secret := st.session_state.pop("new_webhook_secret", None):
        st.info("The signing secret of the new webhook, shown once: check X-Uptake-Signature with it.")
        st.code(secret)
    with st.form("add_webhook", clear_on_submit=True):
        kind = st.selectbox("Add a webhook", list(webhooks.KINDS), format_func=webhooks.KINDS.get)
        url = st.text_input("Its address (https://...)", type="password")
        if st.form_submit_button("Add webhook"):
            try:
                _, secret = webhooks.add_webhook(handle, account.account_id, kind, url)
            except ValueError as exc:
                st.error(f"Not added: {literal(exc)}")
            else:
                if secret:
                    st.session_state["new_webhook_secret"] = secret
                st.rerun()


def pack_subscriptions(scope, rollout) -> None:
    """Subscribe the client's leaders to the rollout's report pack (for 'configure' roles)."""
    st.subheader("Report pack by e-mail")
    st.caption(
        "The client's leaders receive the PDF pack at the start of each month or quarter, as of the newest data "
        "that day, with their own view's folding."
    )
    current = packs.subscriptions(scope)
    mine = current[current["rollout"] == rollout.name]
    if not mine.empty:
        show_table(mine.drop(columns=["subscription_id", "rollout"]), hide_index=True)
    leaders = packs.client_accounts(scope)
    if not leaders:
        st.caption("This organisation has no client account yet: an admin adds them on the Administration page.")
        return
    with st.form("pack_subscription"):
        who = st.selectbox("Leader", list(leaders), format_func=leaders.get)
        cadence = st.radio("How often", packs.CADENCES, horizontal=True)
        subscribe, stop = st.columns(2)
        if subscribe.form_submit_button("Subscribe"):
            packs.subscribe(scope, rollout.rollout_id, who, cadence)
            st.rerun()
        if stop.form_submit_button("Stop sending"):
            packs.unsubscribe_account(scope, rollout.rollout_id, who)
            st.rerun()


def failed_deliveries(handle) -> None:
    """The notifications not delivered (still being tried, or given up), for the admin."""
    found = outbox.failures(handle)
    if found.empty:
        st.caption("Every notification so far was delivered.")
        return
    st.caption(
        "Tried again after 1, 2, 4 ... minutes; given up after "
        f"{outbox.MAX_ATTEMPTS} tries. E-mail needs the [smtp] section of the app's secrets."
    )
    show_table(found, hide_index=True)
