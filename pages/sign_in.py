"""Sign in with email and password (and the authenticator code when the account has one), or
with single sign-on when the app is configured for it."""

import time

import streamlit as st

from analysis import auth
from ui import session
from ui.preload import preload_elements
from ui.text import literal

_, middle, _ = st.columns([1, 2, 1])
with middle:
    st.title("Sign in to Uptake")
    st.caption("Adoption dashboards for your rollouts. Ask your provider for an account.")
    needs_code = st.session_state.get("totp_for")
    if needs_code:
        st.info("Enter your password again with the 6-digit code from your authenticator app.")
    with st.form("sign_in"):
        email = st.text_input("Email", value=needs_code or "", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        code = st.text_input("Authenticator code", max_chars=8) if needs_code else None
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        handle = session.store()
        try:
            who = auth.verify_sign_in(handle, email, password, code, address=st.context.ip_address)
        except auth.TotpNeeded:
            st.session_state["totp_for"] = auth.normalise_email(email)
            st.rerun()
        except auth.SignInRefused as exc:
            st.error(literal(exc))
        else:
            st.session_state.pop("totp_for", None)
            session.sign_in(handle, who)
            st.rerun()

    if session.single_sign_on_configured():
        st.divider()
        fresh = st.user.is_logged_in and time.time() - float(st.user.get("iat") or 0) < 600
        if fresh:  # just back from the identity provider: its email decides the account
            try:
                who = auth.single_sign_on_account(session.store(), st.user.get("email"))
            except auth.SignInRefused as exc:
                st.error(literal(exc))
            else:
                session.sign_in(session.store(), who)
                st.rerun()
        if st.button("Sign in with single sign-on", icon=":material/key:"):
            st.login()

preload_elements()  # last: the first page's element scripts loaded while the person signs in (ui/preload.py)
