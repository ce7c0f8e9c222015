"""Uptake: the router. Who is signed in decides which pages exist; then the chosen page runs."""

import streamlit as st

from analysis import audit, auth
from analysis.access import role_name
from analysis.care.advice import NOTICE
from analysis.damage import DatabaseDamaged
from ui import onboarding, session
from ui.parsed_uploads import forget_all
from ui.text import literal

# an emoji: Streamlit draws it as an inline image; a Material icon would be fetched from fonts.gstatic.com
st.set_page_config(page_title="Uptake", page_icon="📈", layout="wide")

try:
    handle = session.store()
except DatabaseDamaged:  # say so, and where the operator reads what to do; no page, no data (analysis/damage.py)
    st.error("\n\n".join(literal(line) for line in NOTICE), icon=":material/error:")
    st.stop()
who = session.current_account()

if who is None:
    if auth.needs_setup(handle):
        pages = [st.Page("pages/setup.py", title="Set up Uptake", icon=":material/key:")]
    else:
        pages = [st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:")]
elif who.must_change_password or auth.needs_totp_setup(handle, who):
    pages = [st.Page("pages/account.py", title="Your account", icon=":material/person:")]
else:
    may = who.principal.has_permission  # the permission table: analysis/access.py
    pages = [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/adoption.py", title="Adoption", icon=":material/groups:"),
        st.Page("pages/support.py", title="Support", icon=":material/support_agent:"),
        st.Page("pages/red_flags.py", title="Red flags", icon=":material/flag:"),
    ]
    if may("portfolio"):
        pages.append(st.Page("pages/portfolio.py", title="Portfolio", icon=":material/apps:"))
    if may("configure"):
        pages.append(st.Page("pages/settings.py", title="Settings", icon=":material/tune:"))
    if may("upload"):
        pages.append(st.Page("pages/data.py", title="Data", icon=":material/upload_file:"))
    if may("manage_users"):
        pages.append(st.Page("pages/admin.py", title="Administration", icon=":material/admin_panel_settings:"))
    pages.append(st.Page("pages/account.py", title="Your account", icon=":material/person:"))
    # a page this role may not open says so (a bookmark, a shared link) instead of "Page not found"
    shown = {page.url_path for page in pages}
    pages += [
        st.Page(onboarding.not_for_you, title=title, url_path=path, visibility="hidden")
        for path, title in onboarding.BLOCKED_PAGES
        if path not in shown
    ]

if who is not None:
    st.sidebar.caption(f"Signed in as **{literal(who.email)}** ({literal(role_name(who.role))})")
    if st.sidebar.button("Sign out", icon=":material/logout:"):
        auth.end_session(handle, st.session_state.get("token"))
        st.session_state.clear()
        session.post_to("/api/session/logout")
        st.stop()
    if claim := st.session_state.pop("claim", None):
        session.post_behind("/api/session/claim", code=claim)  # sets the HttpOnly cookie for reloads and new tabs

page = st.navigation(pages)
if page.url_path != "data":
    forget_all()  # the Data page's uploader comes back empty: its files' bytes can go (ui/parsed_uploads.py)
with audit.acting(who.email if who is not None else "not signed in", page.title):  # analysis/audit.py
    page.run()
