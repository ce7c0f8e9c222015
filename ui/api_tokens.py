"""*Your account*'s API tokens (analysis/api/tokens.py): make one (confirmed like the other
security-sensitive changes, ui/confirm.py), see it once, list and revoke them."""

from __future__ import annotations

import streamlit as st

from analysis import auth
from analysis.api import tokens
from analysis.store import Store
from ui import confirm
from ui.text import literal

MADE = "api_token_made"


def _when(value) -> str:
    return "never" if value is None or value != value else f"{value:%Y-%m-%d %H:%M} UTC"


def section(handle: Store, who: auth.Account) -> None:
    st.subheader("API tokens")
    st.caption(
        "For scripts and other tools that read Uptake's figures (/api/v1/). A token acts as you: your "
        "role and your organisations. Keep it like a password; revoke it when the script no longer needs it."
    )
    made = st.session_state.pop(MADE, None)
    if isinstance(made, str):
        st.success("Your new token: copy it now, it is never shown again.")
        st.code(made, language=None)
    with st.form("api_token_form", clear_on_submit=True):
        name = st.text_input("Name", max_chars=tokens.MAX_NAME, help="What uses it, e.g. 'nightly report script'.")
        password, code = confirm.fields(who, "api_token")
        if st.form_submit_button("Make a token"):
            try:
                confirm.check(handle, who, password, code)
                st.session_state[MADE] = tokens.new_token(handle, who.account_id, name)
                st.rerun()
            except auth.AccountError as exc:
                st.error(f"Not made: {literal(exc)}.")
    listed = tokens.account_tokens(handle, who.account_id)
    if listed.empty:
        st.caption("You have no API tokens.")
    for row in listed.itertuples():
        left, middle, right = st.columns([3, 4, 1], vertical_alignment="center")
        left.markdown(f"**{literal(row.name)}**")
        middle.caption(literal(f"made {_when(row.created_at)} · last used {_when(row.last_used_at)}"))
        if right.button("Revoke", key=f"revoke_api_token_{row.token_id}"):
            tokens.revoke_token(handle, who.account_id, int(row.token_id))
            st.rerun()
