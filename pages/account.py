"""Your account: change the password (required after a reset), two-step sign-in, what
notifications to receive and where (ui/notifications.py), and API tokens. Changing the
password, and setting up or removing two-step sign-in, ask for the current password (and the
current code when two-step sign-in is on) and end every other sign-in of the account."""

import io

import segno
import streamlit as st

from analysis import auth
from analysis.api import tokens
from analysis.auth import reauth
from analysis.onboarding import first_password
from ui import api_tokens, confirm, session
from ui.notifications import own_notifications
from ui.text import literal

handle = session.store()
who = st.session_state["account"]
token = st.session_state.get("token")
st.title("Your account")
st.caption(f"{literal(who.email)} · {literal(who.role.replace('_', ' '))}")
confirm.sign_in_again_button(who)

if who.must_change_password:
    st.warning(
        "Welcome: choose your password to continue (your current one is the one-time password you were given)."
        if first_password(handle, who.account_id)
        else "Your password was reset: choose a new one to continue."
    )
with st.form("password", clear_on_submit=True):
    st.subheader("Change your password")
    current = st.text_input("Current password", type="password")
    new = st.text_input("New password", type="password", help=f"At least {auth.MIN_PASSWORD} characters.")
    again = st.text_input("New password again", type="password")
    if st.form_submit_button("Change password"):
        if new != again:
            st.error("The two new passwords differ.")
        else:
            try:
                auth.change_password(handle, who.account_id, current, new, keep_token=token)
                st.success("Password changed; your other sign-ins have ended.")
                st.rerun()
            except auth.AccountError as exc:
                st.error(f"Not changed: {literal(exc)}.")

st.subheader("Two-step sign-in")
if auth.needs_totp_setup(handle, who):
    st.warning("Your provider requires two-step sign-in for provider accounts: turn it on to continue.")
if who.totp_enabled:
    st.success("Two-step sign-in is on: you enter a code from your authenticator app when you sign in.")
    with st.form("remove_totp", clear_on_submit=True):
        st.caption(
            "Lost or replaced your phone? Remove two-step sign-in here (or ask an admin to), then set it up again."
        )
        password, code = confirm.fields(who, "remove_totp")
        if st.form_submit_button("Remove two-step sign-in"):
            try:
                reauth.remove_own_two_step(
                    handle,
                    who.account_id,
                    password,
                    code or "",
                    keep_token=token,
                    vouched_email=confirm.vouched_email(),
                )
                st.success("Two-step sign-in removed; your other sign-ins have ended.")
                st.rerun()
            except auth.AccountError as exc:
                st.error(f"Not removed: {literal(exc)}.")
else:
    secret = st.session_state.get("totp_secret")
    if not isinstance(secret, str):
        with st.form("start_totp", clear_on_submit=True):
            password, _ = confirm.fields(who, "start_totp")
            if st.form_submit_button("Set up two-step sign-in"):
                try:
                    confirm.check(handle, who, password, None)
                    st.session_state["totp_secret"] = auth.start_totp(handle, who.account_id)
                    st.rerun()
                except auth.AccountError as exc:
                    st.error(f"Not started: {literal(exc)}.")
    else:
        uri = auth.totp_uri(secret, who.email)
        image = io.BytesIO()
        segno.make(uri, error="m").save(image, kind="png", scale=5)
        left, right = st.columns([1, 2])
        left.image(image.getvalue(), caption="Scan with your authenticator app")
        right.markdown("Or enter this key by hand:")
        right.code(secret)
        code = right.text_input("The 6-digit code your app shows now")
        if right.button("Turn on two-step sign-in", type="primary"):
            if auth.confirm_totp(handle, who.account_id, code, keep_token=token):
                st.session_state.pop("totp_secret", None)
                st.success("Two-step sign-in is on; your other sign-ins have ended.")
                st.rerun()
            else:
                st.error("That code is not right: enter the newest code from the app.")

own_notifications(handle, who)
if not tokens.held_back(handle, who):  # tokens once the account may use data (as app.py lets it)
    api_tokens.section(handle, who)
