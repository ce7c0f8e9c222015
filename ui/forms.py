"""Forms that keep what was typed when a change is refused, and clear only once it is made: the
values live under the form's widget keys (st.form with clear_on_submit=False), a success clears
those keys and reruns, so tables read before the form show the change, and the message that
said what was done (a one-time password, say) survives the rerun.

A key only removed from st.session_state keeps its value in the browser (Streamlit sends a
widget's value to the browser only when the app sets one), so the fields are set to their blanks
at the start of the next run, before the form draws them."""

from __future__ import annotations

from zoneinfo import available_timezones

import streamlit as st

NOTICE = "_form_notice"
BLANKS = "_form_blanks"


def done(blanks: dict[str, object], message_md: str) -> None:
    """After a successful submit: the form's fields to blank ({widget key: its empty value: "" for
    text, None for a choice, [] for several, False for a box}), the message kept, the page rerun."""
    st.session_state[BLANKS] = dict(blanks)
    st.session_state[NOTICE] = message_md  # markdown the caller made, data escaped (ui.text.literal)
    st.rerun()


def show_notice() -> None:
    """Call before the forms: blank the fields of the last successful form (ui/forms.py done) and
    show its message, once."""
    for key, blank in st.session_state.pop(BLANKS, {}).items():
        st.session_state[key] = blank
    if message_md := st.session_state.pop(NOTICE, None):
        st.success(message_md)


def time_zones(current: str = "UTC") -> list[str]:
    """Every IANA time zone (the list pages/settings.py offers too), with current among them."""
    return sorted(available_timezones() | {current})
