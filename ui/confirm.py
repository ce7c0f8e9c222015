"""The confirmation of a security-sensitive form (analysis/auth/reauth.py): the password of the person
acting, and their authenticator code when they have two-step sign-in; for an account that signs
in with single sign-on only, a sign-in with it in the last 5 minutes."""

from __future__ import annotations

import time

import streamlit as st

from analysis.auth import Account, reauth
from analysis.store import Store
from ui import session

FRESH_SECONDS = 300


def fields(who: Account, key: str) -> tuple[str, str | None]:
    """Inside a form: (password, code); code is None when the person has no two-step sign-in."""
    if reauth.has_password(session.store(), who.account_id):
        password = st.text_input(
            "Your password, to confirm", type="password", key=f"{key}_password", autocomplete="current-password"
        )
    else:
        password = ""
        st.caption(
            "To confirm, sign in again with single sign-on (the button at the top of the page) "
            "and make the change within 5 minutes."
        )
    code = (
        st.text_input("Your authenticator code, to confirm", max_chars=6, key=f"{key}_code")
        if who.totp_enabled
        else None
    )
    return password, code


def sign_in_again_button(who: Account) -> None:
    """For an account without a password: the way to confirm, outside the forms."""
    if session.single_sign_on_configured() and not reauth.has_password(session.store(), who.account_id):
        if st.button("Sign in again with single sign-on to confirm changes", icon=":material/key:"):
            st.login()


def vouched_email() -> str | None:
    """The email single sign-on vouched for in the last 5 minutes, else None."""
    if not session.single_sign_on_configured() or not st.user.is_logged_in:
        return None
    if time.time() - float(st.user.get("iat") or 0) >= FRESH_SECONDS:
        return None
    return st.user.get("email")


def check(handle: Store, who: Account, password: str, code: str | None) -> None:
    """Raises reauth.ConfirmationRefused (an AccountError) unless the confirmation holds."""
    reauth.confirm_identity(handle, who.account_id, password, code, vouched_email=vouched_email())
