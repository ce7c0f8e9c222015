"""The confirmation fields of a security-sensitive form (analysis/reauth.py): the password of the
person acting, and their authenticator code when they have two-step sign-in."""
from __future__ import annotations

import streamlit as st

from analysis.auth import Account


def fields(who: Account, key: str) -> tuple[str, str | None]:
    """Inside a form: (password, code); code is None when the person has no two-step sign-in."""
    password = st.text_input("Your password, to confirm", type="password", key=f"{key}_password",
                             autocomplete="current-password")
    code = (st.text_input("Your authenticator code, to confirm", max_chars=6, key=f"{key}_code")
            if who.totp_enabled else None)
    return password, code
