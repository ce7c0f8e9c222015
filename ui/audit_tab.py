"""Administration's Audit log tab (pages/admin.py): every write, filtered, newest first, downloadable
through show_table (neutralised); and the retention setting (analysis/audit_log.py)."""

from __future__ import annotations

import streamlit as st

from analysis import audit_log
from analysis.store import Store
from ui import forms
from ui.tables import show_table
from ui.text import literal


def audit_tab(handle: Store, names: dict[int, str]) -> None:
    left, middle, right = st.columns(3)
    options = ["Any", *sorted(set(names.values()))]
    # the organisation in hand (the sidebar's) first: another client's entries only when asked for
    chosen = names.get(st.session_state.get("org_id"))  # type: ignore[arg-type]
    org = left.selectbox(
        "Organisation", options, index=options.index(chosen) if chosen in options else 0, key="audit_org"
    )
    left.caption("Any: every organisation's entries and the app's own (accounts, settings).")
    who = middle.text_input("Who (part of it)", key="audit_who")
    where = right.text_input("Where (part of it: a page, command line, inbox, API, schedule)", key="audit_where")
    days = st.date_input("Between", value=(), format="YYYY-MM-DD", key="audit_days")
    since, until = (tuple(days) + (None, None))[:2] if isinstance(days, tuple | list) else (days, None)
    show_table(
        audit_log.entries(handle, org=None if org == "Any" else org, who=who, where=where, since=since, until=until),
        hide_index=True,
        column_config={
            "logged_at": st.column_config.DatetimeColumn("When", format="D MMM YYYY HH:mm:ss"),
            "who": "Who",
            "place": "Where",
            "org_id": None,
            "org_name": "Organisation",
            "action": "What",
            "detail": "Detail",
        },
    )
    with st.form("audit_keep"):
        keep = st.number_input(
            "Keep entries for (days; 0 keeps them for ever)",
            min_value=0,
            max_value=36500,
            value=audit_log.keep_days(handle),
            step=1,
        )
        if st.form_submit_button("Save retention"):
            forms.done({}, literal(audit_log.set_keep_days(handle, int(keep))))
