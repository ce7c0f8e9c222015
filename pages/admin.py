"""Administration (admin only): accounts, organisations and company mappings."""
import pandas as pd
import streamlit as st

from analysis import auth, orgs, presets
from analysis.access import ROLES
from ui import session
from ui.tables import show_table
from ui.text import literal

handle = session.store()
who = session.principal()
if who.role != "admin":           # the page is only listed for admins; check again all the same
    st.error("Only an admin can open this page.")
    st.stop()

st.title("Administration")
accounts_tab, orgs_tab, company_tab = st.tabs(["Accounts", "Organisations", "Companies"])
known = orgs.organisations(handle, who)
names = dict(zip(known["org_id"].astype(int), known["name"]))

with accounts_tab:
    table = auth.accounts(handle, who)
    show_table(table, hide_index=True, column_config={
        "email": "Email", "role": "Role", "organisations": "Organisations", "totp_enabled": "Two-step",
        "must_change_password": "Must change password",
        "disabled_at": st.column_config.DatetimeColumn("Disabled", format="D MMM YYYY"),
        "created_at": st.column_config.DatetimeColumn("Created", format="D MMM YYYY"), "created_by": "By"})
    with st.form("add_account", clear_on_submit=True):
        st.subheader("Add an account")
        email = st.text_input("Email")
        role = st.selectbox("Role", ROLES, format_func=lambda r: r.replace("_", " "))
        chosen = st.multiselect("Organisations", list(names), format_func=names.get,
                                help="One for client roles; those assigned to an account manager; none for an admin.")
        sso_only = st.checkbox("Single sign-on only (no password)")
        if st.form_submit_button("Add account"):
            one_time = None if sso_only else auth.one_time_password()
            try:
                auth.add_account(handle, who, email, role, chosen, password=one_time, must_change_password=not sso_only)
                st.success(f"Added {literal(email)}: they sign in with single sign-on." if sso_only else
                           f"Added {literal(email)}. Their one-time password (shown once; they choose their own at "
                           f"first sign-in): **{literal(one_time)}**")
            except auth.AccountError as exc:
                st.error(f"Not added: {literal(exc)}.")
    active = table[table["disabled_at"].isna()]["email"].tolist()
    left, right = st.columns(2)
    target = left.selectbox("Account", active)
    if left.button("Reset password") and target:
        one_time = auth.reset_password(handle, who, target)
        st.success(f"New one-time password for {literal(target)} (shown once): **{literal(one_time)}**")
    if right.button("Disable account") and target:
        try:
            auth.disable_account(handle, who, target)
            st.success(f"Disabled {literal(target)}; their sign-ins have ended.")
        except auth.AccountError as exc:
            st.error(literal(exc))
    required = st.toggle("Require two-step sign-in for provider accounts (admin, account manager)",
                         value=auth.totp_required_for_providers(handle))
    if required != auth.totp_required_for_providers(handle):
        auth.set_totp_required_for_providers(handle, who, required)
        st.rerun()

with orgs_tab:
    show_table(known.rename(columns={"org_id": "Id", "name": "Name", "time_zone": "Time zone",
                                       "is_synthetic": "Synthetic"}), hide_index=True)
    with st.form("add_org", clear_on_submit=True):
        st.subheader("Add an organisation")
        name = st.text_input("Name")
        zone = st.text_input("Time zone", value="UTC", help="A name like Europe/London.")
        domains = st.text_input("Email domains", help="Comma-separated, e.g. example.com: spots another "
                                "organisation's people in a file.")
        if st.form_submit_button("Add organisation"):
            try:
                orgs.add_organisation(handle, who, name, zone, domains.split(","))
                st.success(f"Added {literal(name)}.")
                st.rerun()
            except ValueError as exc:
                st.error(f"Not added: {literal(exc)}.")

with company_tab:
    st.caption("A helpdesk export often covers every client, with a company column. Map each company to "
               "its organisation: a load keeps only its own organisation's rows, and lists the rows of "
               "unmapped companies instead of loading them into the wrong organisation.")
    mapped = presets.company_mappings(handle, who)
    show_table(pd.DataFrame({"Company": list(mapped), "Organisation": [names.get(o, o) for o in mapped.values()]}),
                 hide_index=True)
    with st.form("map_company", clear_on_submit=True):
        left, right = st.columns(2)
        company = left.text_input("Company (as written in the exports)")
        org_id = right.selectbox("Organisation", list(names), format_func=names.get)
        if st.form_submit_button("Map"):
            try:
                presets.map_company(handle, who, company, org_id)
                st.rerun()
            except (ValueError, LookupError) as exc:
                st.error(literal(exc))
