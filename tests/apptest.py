"""The app in Streamlit's AppTest, as the page tests drive it: app.py run through its router (as on
the server), a session signed in as an account, a page opened, a widget found by its label, what a
run rendered as text, and Streamlit's caches and the shared stores reset between databases.

Used by tests/test_app.py, test_isolation.py, test_pages.py, test_kpi_settings_page.py,
test_reauth_pages.py and test_snapshots.py.
"""

from __future__ import annotations

import os

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analysis import auth, orgs
from analysis import store as store_module
from analysis.access import OPERATOR
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def reset_streamlit() -> None:
    """Forget Streamlit's caches and close every shared store (before a test opens another database)."""
    st.cache_resource.clear()
    st.cache_data.clear()
    for opened in list(store_module._shared.values()):
        opened.close()
    store_module._shared.clear()


def acme_store(tmp_path_factory, name: str):
    """For a module-scoped fixture (`yield from acme_store(tmp_path_factory, "x")`): the shared
    store of a new database holding the organisation Acme (acme.test) and the cookie key, with
    Streamlit's caches and shared stores reset before and after."""
    path = str(tmp_path_factory.mktemp(name) / f"{name}.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UPTAKE_DB", path)
        reset_streamlit()
        opened = store_module.shared_store(path)
        orgs.add_organisation(opened, OPERATOR, "Acme", "UTC", ["acme.test"])
        auth.cookie_key(opened)
        yield opened
        reset_streamlit()


def route_through_app(monkeypatch) -> None:
    """Run app.py on every AppTest run, as the server does. Because a pages/ folder exists, AppTest
    starts each run in Streamlit's old pages-folder mode, where a switched-to page runs *without*
    app.py (and its sign-in check); the server leaves that mode for good when app.py first calls
    st.navigation."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class Router(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", Router)


@pytest.fixture(autouse=True)
def through_the_router(monkeypatch):
    """Every run goes through app.py (import this fixture into a test module to apply it there)."""
    route_through_app(monkeypatch)


_COMPONENTS: list = []


def new_app() -> AppTest:
    """An AppTest of app.py, not signed in. Every one shares one scan of the installed components
    (each AppTest would otherwise make its own: 0.2 s)."""
    at = AppTest.from_file(APP, default_timeout=60)
    if hasattr(at, "_bidi_component_manager"):
        if not _COMPONENTS:
            from streamlit.components.v2.component_manager import BidiComponentManager

            _COMPONENTS.append(BidiComponentManager())
            _COMPONENTS[0].discover_and_register_components(start_file_watching=False)
        at._bidi_component_manager = _COMPONENTS[0]
    return at


def signed_in(store, account_id: int) -> AppTest:
    """An AppTest of app.py whose session has just signed in as the account (a fresh session token)."""
    at = new_app()
    at.session_state["token"] = auth.start_session(store, account_id)
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    """Run the app (it opens on the Overview), then switch to page and run it."""
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page)
        at.run()
    return at


def by_label(widgets, label: str):
    """The one widget with this label."""
    [found] = [w for w in widgets if w.label == label]
    return found


def rendered(at: AppTest, files: dict[str, bytes] | None = None) -> str:
    """All output of the last run as text: every element's proto (markdown, metrics, options, Arrow
    bytes of tables, plotly specs, alerts) plus the bytes behind its download buttons."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    parts += [data.decode("utf-8", "replace") for data in download_data(at, files or {})]
    return "\n".join(parts)


def file_buttons(at: AppTest) -> list:
    """The download buttons of the last run that hold a file (a report pack, a named list), not
    the CSV and .xlsx buttons under every table (ui/tables.py), written only when pressed."""
    return [b for b in at.get("download_button") if not b.proto.deferred_file_id]


def download_data(at: AppTest, files: dict[str, bytes]) -> list[bytes]:
    """The bytes behind each download button of the last run that holds its file (a table's CSV
    and .xlsx buttons, ui/tables.py, write theirs only when pressed: tests/test_exports.py reads those)."""
    ids = [os.path.splitext(os.path.basename(b.proto.url))[0] for b in file_buttons(at)]
    return [files[i] for i in ids]


SETTINGS_TABS = (  # pages/settings.py's tracked tabs in their order (session_state["settings_tab"])
    "Rollout",
    "Baselines and targets",
    "Red-flag thresholds",
    "Phases",
    "Annotations",
    "Report pack by e-mail",
    "Organisation",
)
