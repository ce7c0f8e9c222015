"""Expanders whose contents run only while they are open.

A closed Streamlit expander still runs its contents and sends them to the browser, which draws
them hidden: on Red flags that was most of the page (a root-cause form, an acknowledge form and the
history tables per rule). An expander that tracks its state (a key and on_change="rerun") reruns the
page when opened or closed, and its `.open` says whether to run the contents."""

from __future__ import annotations

import streamlit as st
from streamlit.elements.lib.mutable_expander_container import ExpanderContainer


def opened(label_md: str, key: str, expanded: bool = False) -> ExpanderContainer | None:
    """The expander to write into while it is open; None while it is closed (nothing to run).
    Its state is kept under "open_" + key."""
    box = st.expander(label_md, expanded=expanded, key=f"open_{key}", on_change="rerun")
    return box if box.open else None
