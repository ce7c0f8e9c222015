"""Store handle, the principal, and the shared sidebar (organisation and rollout pickers).

Authorise first, then call the cache: every cached function that returns client data takes the
organisation id and data version as arguments, and is only called with a Scope that
analysis.scope.open_scope has checked for the signed-in principal.
"""
from __future__ import annotations

import streamlit as st

from analysis import orgs
from analysis.access import OPERATOR, Principal
from analysis.orgs import Rollout
from analysis.scope import Scope, open_scope
from analysis.seed import ensure_demo
from analysis.store import Store, db_path, shared_store


@st.cache_resource(show_spinner="Opening the database")
def store() -> Store:
    handle = shared_store(db_path())
    ensure_demo(handle)
    return handle


def principal() -> Principal:
    """Who is asking. Until accounts exist this is the local operator (the provider's admin on
    the machine that runs the app)."""
    return OPERATOR


def pick_scope(action: str = "view") -> tuple[Scope | None, Rollout | None]:
    """The sidebar's organisation and rollout pickers; returns the checked scope and rollout."""
    who = principal()
    handle = store()
    choices = orgs.organisations(handle, who)
    if choices.empty:
        st.sidebar.info("No organisation yet: add one with `python -m analysis org add NAME`.")
        return None, None
    labels = {int(r.org_id): r.name + (" (synthetic demo)" if r.is_synthetic else "")
              for r in choices.itertuples()}
    org_id = st.sidebar.selectbox("Organisation", list(labels), format_func=labels.get, key="org_id")
    scope = open_scope(handle, who, org_id, action)
    found = orgs.rollouts(scope)
    rollout = None
    if found:
        names = [r.name for r in found]
        name = st.sidebar.selectbox("Rollout", names, key=f"rollout_{org_id}")
        rollout = next(r for r in found if r.name == name)
    else:
        st.sidebar.caption("This organisation has no rollout yet.")
    st.sidebar.caption(f"Signed in as the local operator · database `{handle.path}`")
    return scope, rollout


def synthetic_banner(scope: Scope) -> None:
    if orgs.is_synthetic(scope):
        st.info("**Synthetic demo data.** Demo Co and everyone in it are made up, to show what "
                "Uptake does. Load your own files on the Data page.", icon=":material/science:")
