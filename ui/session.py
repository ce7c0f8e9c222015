"""Store handle, who is signed in, and the shared sidebar (organisation and rollout pickers).

Authorise first, then call the cache: every cached function that returns client data takes the
organisation id and data version as arguments, and is only called with a Scope that
analysis.scope.open_scope has checked for the signed-in principal.
"""
from __future__ import annotations

import streamlit as st

from analysis import auth, orgs
from analysis.access import AccessDenied, Principal
from analysis.auth import Account
from analysis.orgs import Rollout
from analysis.scope import Scope, open_scope
from analysis.seed import ensure_demo
from analysis.store import Store, db_path, shared_store

COOKIE = "uptake_session"


@st.cache_resource(show_spinner="Opening the database")
def store() -> Store:
    handle = shared_store(db_path())
    ensure_demo(handle)
    return handle


def current_account() -> Account | None:
    """The signed-in account, from this tab's token or the browser's cookie, checked on the
    server on every run (revoked, expired, idle and disabled sign-ins return None)."""
    handle = store()
    token = st.session_state.get("token")
    if not isinstance(token, str):
        token = auth.token_from_cookie(handle, st.context.cookies.get(COOKIE))
    who = auth.session_account(handle, token)
    if who is None:
        for key in ("token", "account"):
            st.session_state.pop(key, None)
    else:
        st.session_state["token"] = token
        st.session_state["account"] = who
    return who


def single_sign_on_configured() -> bool:
    """Whether .streamlit/secrets.toml has an [auth] section (OIDC, e.g. Microsoft Entra ID)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def principal() -> Principal:
    """Who is asking: set by app.py from the checked sign-in on every run."""
    who = st.session_state.get("account")
    if not isinstance(who, Account):
        st.error("Sign in first.")
        st.stop()
    return who.principal


def sign_in(handle: Store, who: Account) -> None:
    """Start a sign-in for this tab and queue the cookie for reloads and new tabs."""
    token = auth.start_session(handle, who.account_id)
    st.session_state["token"] = token
    st.session_state["claim"] = auth.claim_code(handle, token)


def go_to(path: str) -> None:
    """Send the browser to one of the app's own routes (a server-made path, never user data)."""
    st.html(f"<script>window.location.replace({path!r});</script>", unsafe_allow_javascript=True)


def pick_scope(action: str = "view") -> tuple[Scope | None, Rollout | None]:
    """The sidebar's organisation and rollout pickers; returns the checked scope and rollout."""
    who = principal()
    handle = store()
    choices = orgs.organisations(handle, who)
    if choices.empty:
        st.info("No organisation is shared with you yet: ask your provider.")
        return None, None
    labels = {int(r.org_id): r.name + (" (synthetic demo)" if r.is_synthetic else "")
              for r in choices.itertuples()}
    current = st.session_state.get("org_id")
    if type(current) is not int or current not in labels:   # True == 1 and 1.0 == 1: check the type too
        st.session_state.pop("org_id", None)
    org_id = st.sidebar.selectbox("Organisation", list(labels), format_func=labels.get, key="org_id")
    try:
        scope = open_scope(handle, who, org_id, action)
    except AccessDenied:
        st.error("You do not have access to that organisation.")
        st.stop()
    found = orgs.rollouts(scope)
    rollout = None
    if found:
        names = [r.name for r in found]
        key = f"rollout_{org_id}"
        chosen = st.session_state.get(key)
        if not isinstance(chosen, str) or chosen not in names:
            st.session_state.pop(key, None)
        name = st.sidebar.selectbox("Rollout", names, key=key)
        rollout = next(r for r in found if r.name == name)
    else:
        st.sidebar.caption("This organisation has no rollout yet.")
    return scope, rollout


def synthetic_banner(scope: Scope) -> None:
    if orgs.is_synthetic(scope):
        st.info("**Synthetic demo data.** Demo Co and everyone in it are made up, to show what "
                "Uptake does.", icon=":material/science:")
