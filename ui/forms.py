"""Forms that keep what was typed when a change is refused, and clear only once it is made: the
values live under the form's widget keys (st.form with clear_on_submit=False), a success clears
those keys and reruns, so tables read before the form show the change, and the message that
said what was done (a one-time password, say) survives the rerun."""
from __future__ import annotations

from zoneinfo import available_timezones

import streamlit as st

NOTICE = "_form_notice"


def done(keys: list[str], message_md: str) -> None:
    """After a successful submit: forget the form's values, keep the message, rerun the page."""
    for key in keys:
        st.session_state.pop(key, None)
    st.session_state[NOTICE] = message_md   # markdown the caller made, data escaped (ui.text.literal)
    st.rerun()


def show_notice() -> None:
    """The message of the last successful form, once."""
    if message_md := st.session_state.pop(NOTICE, None):
        st.success(message_md)


def time_zones(current: str = "UTC") -> list[str]:
    """Every IANA time zone (the list pages/settings.py offers too), with current among them."""
    return sorted(available_timezones() | {current})
