"""Administration (admin only): accounts, organisations, company mappings, failed notifications, the
provider's name and logo on the report pack's cover, and data care (erasing a person, off-boarding an
organisation: ui/care.py). Every account change, erasure and off-boarding
asks the admin to confirm with their password, and their code when they have two-step sign-in
(analysis/auth/reauth.py)."""

import pandas as pd
import streamlit as st

from analysis import auth, branding, orgs, presets
from analysis.access import ROLES, role_name
from analysis.auth import account_changes, reauth
from ui import care, confirm, forms, session
from ui.audit_tab import audit_tab as audit_log_tab
from ui.notifications import failed_deliveries
from ui.tables import show_table
from ui.text import literal

handle = session.store()
who = session.principal()
me = st.session_state["account"]  # the checked account behind who (app.py sets it on every run)
if not who.has_permission("manage_users"):  # listed only for this permission (app.py); checked again
    st.error("Only an admin can open this page.")
    st.stop()

CHANGES = {
    "reset": "Reset the password (a one-time password; their sign-ins end)",
    "two_step": "Remove two-step sign-in (a lost authenticator; their sign-ins end)",
    "access": "Change the role and organisations (below)",
    "disable": "Disable the account (their sign-ins end)",
}

st.title("Administration")
forms.show_notice()
confirm.sign_in_again_button(me)
accounts_tab, orgs_tab, company_tab, notes_tab, provider_tab, care_tab, audit_tab = st.tabs(
    ["Accounts", "Organisations", "Companies", "Notifications", "Provider", "Data care", "Audit log"]
)
known = orgs.organisations(handle, who)
names = dict(zip(known["org_id"].astype(int), known["name"]))

with accounts_tab:
    table = auth.accounts(handle, who)
    table["role"] = table["role"].map(role_name)  # as the role boxes below name them
    show_table(
        table,
        hide_index=True,
        column_config={
            "email": "Email",
            "role": "Role",
            "organisations": "Organisations",
            "totp_enabled": "Two-step",
            "must_change_password": "Must change password",
            "disabled_at": st.column_config.DatetimeColumn("Disabled", format="D MMM YYYY"),
            "created_at": st.column_config.DatetimeColumn("Created", format="D MMM YYYY"),
            "created_by": "By",
        },
    )
    # kept on an error (clear_on_submit=False; forms.done clears them once the account exists)
    add_blanks = {
        "add_account_email": "",
        "add_account_role": None,
        "add_account_orgs": [],
        "add_account_sso": False,
        "add_account_password": "",
        "add_account_code": "",
    }
    with st.form("add_account", clear_on_submit=False):
        st.subheader("Add an account")
        email = st.text_input("Email", key="add_account_email")
        role = st.selectbox(
            "Role",
            ROLES,
            index=None,
            placeholder="Choose a role",
            key="add_account_role",
            format_func=role_name,
        )  # no default: never admin by accident
        chosen = st.multiselect(
            "Organisations",
            list(names),
            format_func=names.get,
            key="add_account_orgs",
            help="One for client roles; those assigned to an account manager; none for an admin.",
        )
        sso_only = st.checkbox("Single sign-on only (no password)", key="add_account_sso")
        password, code = confirm.fields(me, "add_account")
        if st.form_submit_button("Add account"):
            one_time = None if sso_only else auth.one_time_password()
            try:
                if role is None:
                    raise auth.AccountError("choose a role")
                confirm.check(handle, me, password, code)
                auth.add_account(handle, who, email, role, chosen, password=one_time, must_change_password=not sso_only)
            except auth.AccountError as exc:
                st.error(f"Not added: {literal(exc)}.")
            else:
                forms.done(
                    add_blanks,
                    f"Added {literal(email)}: they sign in with single sign-on."
                    if sso_only
                    else f"Added {literal(email)}. Their one-time password (shown once; they choose their own at "
                    f"first sign-in): **{literal(one_time)}**",
                )

    active = table[table["disabled_at"].isna()]["email"].tolist()
    with st.form("change_account", clear_on_submit=True):
        st.subheader("Change an account")
        target = st.selectbox("Account to change", active, index=None, placeholder="Choose an account")
        change = st.radio("Change", list(CHANGES), format_func=CHANGES.get, index=None)  # no default: choose
        new_role = st.selectbox(
            "New role",
            ROLES,
            format_func=role_name,
            index=None,
            placeholder="Choose a role",
            help="For a change of role and organisations.",
        )
        new_orgs = st.multiselect(
            "Its organisations",
            list(names),
            format_func=names.get,
            help="For a change of role and organisations: one for client roles; those "
            "assigned to an account manager; none for an admin.",
        )
        password, code = confirm.fields(me, "change_account")
        if st.form_submit_button("Apply the change"):
            try:
                if not target or not change:
                    raise auth.AccountError("choose an account and a change")
                confirm.check(handle, me, password, code)
                if change == "reset":
                    one_time = auth.reset_password(handle, who, target)
                    st.success(
                        f"New one-time password for {literal(target)} (shown once): "
                        f"**{literal(one_time)}**. Their sign-ins have ended; their two-step sign-in stays."
                    )
                elif change == "two_step":
                    reauth.remove_two_step(handle, who, target)
                    st.success(f"Removed {literal(target)}'s two-step sign-in; their sign-ins have ended.")
                elif change == "access":
                    if new_role is None:
                        raise auth.AccountError("choose the new role")
                    account_changes.change_access(handle, who, target, new_role, new_orgs)
                    st.success(f"{literal(target)} is now a {literal(new_role.replace('_', ' '))}.")
                else:
                    auth.disable_account(handle, who, target)
                    st.success(f"Disabled {literal(target)}; their sign-ins have ended.")
            except auth.AccountError as exc:
                st.error(f"Not changed: {literal(exc)}.")

    with st.form("require_totp"):
        st.subheader("Two-step sign-in")
        required = st.checkbox(
            "Require two-step sign-in for provider accounts (admin, account manager)",
            value=auth.totp_required_for_providers(handle),
        )
        password, code = confirm.fields(me, "require_totp")
        if st.form_submit_button("Save"):
            try:
                confirm.check(handle, me, password, code)
                auth.set_totp_required_for_providers(handle, who, required)
                st.success(
                    "Saved: two-step sign-in is " + ("required" if required else "optional") + " for provider accounts."
                )
            except auth.AccountError as exc:
                st.error(f"Not saved: {literal(exc)}.")

with orgs_tab:
    show_table(
        known.rename(columns={"org_id": "Id", "name": "Name", "time_zone": "Time zone", "is_synthetic": "Synthetic"}),
        hide_index=True,
    )
    zones = forms.time_zones()
    with st.form("add_org", clear_on_submit=False):  # kept on an error, cleared once added
        st.subheader("Add an organisation")
        name = st.text_input("Name", key="add_org_name")
        st.session_state.setdefault("add_org_zone", "UTC")  # the default through the key, which forms.done resets
        zone = st.selectbox(
            "Time zone", zones, key="add_org_zone", help="The organisation's days run in this time zone."
        )
        domains = st.text_input(
            "Email domains",
            key="add_org_domains",
            help="Comma-separated, e.g. example.com: spots another organisation's people in a file.",
        )
        if st.form_submit_button("Add organisation"):
            try:
                orgs.add_organisation(handle, who, name, zone, domains.split(","))
            except ValueError as exc:
                st.error(f"Not added: {literal(exc)}.")
            else:
                forms.done(
                    {"add_org_name": "", "add_org_zone": "UTC", "add_org_domains": ""}, f"Added {literal(name)}."
                )

with company_tab:
    st.caption(
        "A helpdesk export often covers every client, with a company column. Map each company to "
        "its organisation: a load keeps only its own organisation's rows, and lists the rows of "
        "unmapped companies instead of loading them into the wrong organisation."
    )
    mapped = presets.company_mappings(handle, who)
    show_table(
        pd.DataFrame({"Company": list(mapped), "Organisation": [names.get(o, o) for o in mapped.values()]}),
        hide_index=True,
    )
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

with notes_tab:
    st.subheader("Failed deliveries")
    failed_deliveries(handle)

with provider_tab:
    st.caption(
        "Your name and logo, printed on the cover of every report pack (PowerPoint, PDF and HTML) "
        "for every organisation."
    )
    now = branding.branding(handle)
    if now.logo:
        st.image(now.logo, caption="The logo on the packs' covers", width=200)
    with st.form("provider", clear_on_submit=True):
        provider_name = st.text_input("Provider name", value=now.name, max_chars=branding.MAX_NAME)
        upload = st.file_uploader(
            "Logo (PNG or JPEG, up to 200 KB)",
            type=["png", "jpg", "jpeg"],
            help="Checked by its content, not its name; about 5 : 1 or squarer prints best.",
        )
        remove = st.checkbox("Remove the logo", disabled=now.logo is None)
        if st.form_submit_button("Save the name and logo"):
            try:
                saved = branding.set_provider_name(handle, who, provider_name)
                if upload is not None:
                    branding.set_provider_logo(handle, who, upload.getvalue())
                elif remove:
                    branding.set_provider_logo(handle, who, None)
            except branding.BrandingError as exc:
                st.error(f"Not saved: {literal(exc)}.")
            else:
                forms.done({}, f"Saved: the packs' covers say {literal(saved or 'no provider name')}.")

with care_tab:
    care.erase_form(handle, who, me, names)
    care.offboard_section(handle, who, me, names)
    care.log_table(handle)

with audit_tab:
    audit_log_tab(handle, names)
