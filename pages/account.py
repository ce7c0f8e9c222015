"""Your account: change the password (required after a reset) and two-step sign-in."""
import io

import segno
import streamlit as st

from analysis import auth
from analysis.onboarding import first_password
from ui import session

handle = session.store()
who = st.session_state["account"]
st.title("Your account")
st.caption(f"{who.email} · {who.role.replace('_', ' ')}")

if who.must_change_password:
    st.warning("Welcome: choose your password to continue (your current one is the one-time password you were "
               "given)." if first_password(handle, who.account_id) else
               "Your password was reset: choose a new one to continue.")
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
                auth.change_password(handle, who.account_id, current, new)
                st.success("Password changed.")
                st.rerun()
            except auth.AccountError as exc:
                st.error(f"Not changed: {exc}.")

st.subheader("Two-step sign-in")
if auth.needs_totp_setup(handle, who):
    st.warning("Your provider requires two-step sign-in for provider accounts: turn it on to continue.")
if who.totp_enabled:
    st.success("Two-step sign-in is on: you enter a code from your authenticator app when you sign in.")
else:
    if st.button("Set up two-step sign-in"):
        st.session_state["totp_secret"] = auth.start_totp(handle, who.account_id)
    secret = st.session_state.get("totp_secret")
    if isinstance(secret, str):
        uri = auth.totp_uri(secret, who.email)
        image = io.BytesIO()
        segno.make(uri, error="m").save(image, kind="png", scale=5)
        left, right = st.columns([1, 2])
        left.image(image.getvalue(), caption="Scan with your authenticator app")
        right.markdown("Or enter this key by hand:")
        right.code(secret)
        code = right.text_input("The 6-digit code your app shows now")
        if right.button("Turn on two-step sign-in", type="primary"):
            if auth.confirm_totp(handle, who.account_id, code):
                st.session_state.pop("totp_secret", None)
                st.success("Two-step sign-in is on.")
                st.rerun()
            else:
                st.error("That code is not right: enter the newest code from the app.")
