"""The Administration page's data-care tab (pages/admin.py): erase one person, off-board an
organisation, and the care log. Each change is confirmed with the admin's password (and code), as
every account change is (ui/confirm.py)."""

from __future__ import annotations

import io

import streamlit as st

from analysis.access import Principal
from analysis.auth import Account, AccountError
from analysis.care import care_log
from analysis.care.erasure import erase_person
from analysis.care.offboard import delete_organisation, export_zip
from analysis.scope import open_scope
from analysis.store import Store
from ui import confirm, forms
from ui.tables import show_table
from ui.text import literal

EXPORTED = "_offboard_export"  # (org_id, {table: rows}, zip bytes) of the export made on this page


def erase_form(handle: Store, who: Principal, me: Account, names: dict[int, str]) -> None:
    with st.form("erase_person", clear_on_submit=False):
        st.subheader("Erase a person")
        st.caption(
            "Removes one person from an organisation: their roster entries, usage, tickets they "
            "asked for and rejected rows that name them; every other mention becomes [erased]. The "
            "figures are recomputed without them. This cannot be undone; the care log records "
            "that an erasure was made, never who."
        )
        org_id = st.selectbox("Organisation", list(names), format_func=names.get, index=None, key="erase_org")
        person = st.text_input("The person's user id or name", key="erase_who")
        password, code = confirm.fields(me, "erase_person")
        if st.form_submit_button("Erase this person"):
            try:
                if org_id is None or not person.strip():
                    raise ValueError("choose the organisation and name the person")
                confirm.check(handle, me, password, code)
                done = erase_person(open_scope(handle, who, org_id, "manage_organisations"), person)
            except (AccountError, ValueError) as exc:
                st.error(f"Not erased: {literal(exc)}.")
            else:
                forms.done(
                    {"erase_org": None, "erase_who": ""},
                    f"Erased {literal(person.strip())} from {literal(names[org_id])}: {literal(done.summary())}.",
                )


def offboard_section(handle: Store, who: Principal, me: Account, names: dict[int, str]) -> None:
    st.subheader("Off-board an organisation")
    st.caption(
        "First download everything the organisation has (one zip of CSV files, described in its "
        "README.md); then delete the organisation and all its data. Backups made before keep it "
        "until they age out."
    )
    org_id = st.selectbox(
        "Organisation to off-board", list(names), format_func=names.get, index=None, key="offboard_org"
    )
    if org_id is None:
        return
    scope = open_scope(handle, who, org_id, "manage_organisations")
    if st.button("Prepare the export"):
        out = io.BytesIO()
        rows = export_zip(scope, out).rows
        st.session_state[EXPORTED] = (org_id, rows, out.getvalue())
    made = st.session_state.get(EXPORTED)
    if not made or made[0] != org_id:
        return
    st.download_button(
        f"Download the export ({sum(made[1].values()):,} rows)",
        made[2],
        file_name=f"uptake-{names[org_id]}.zip",
        mime="application/zip",
    )
    with st.form("offboard", clear_on_submit=False):
        typed = st.text_input("Type the organisation's name to delete it", key="offboard_name")
        password, code = confirm.fields(me, "offboard")
        if st.form_submit_button("Delete the organisation and all its data"):
            try:
                if typed.strip() != names[org_id]:
                    raise ValueError("the name typed is not the organisation's")
                confirm.check(handle, me, password, code)
                done = delete_organisation(scope, expected=made[1])
            except (AccountError, ValueError, RuntimeError) as exc:
                st.error(f"Not deleted: {literal(exc)}.")
            else:
                del st.session_state[EXPORTED]
                left = (
                    f" Client accounts left without an organisation: {', '.join(done.accounts_left)}."
                    if done.accounts_left
                    else ""
                )
                forms.done(
                    {"offboard_org": None, "offboard_name": ""},
                    f"Deleted {literal(done.name)}: {sum(done.rows.values()):,} rows; none remain.{literal(left)}",
                )


def log_table(handle: Store) -> None:
    st.subheader("Care log")
    show_table(
        care_log.entries(handle),
        hide_index=True,
        column_config={
            "logged_at": st.column_config.DatetimeColumn("When", format="D MMM YYYY HH:mm"),
            "by_name": "By",
            "action": "What",
            "detail": "Detail",
        },
    )
