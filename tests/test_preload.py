"""The sign-in page loads the first page's element scripts ahead (ui/preload.py): their names are
read from the Streamlit installed, so an upgrade that renames them must fail here, not quietly
lose the preload (the browser side: tests/test_browser.py)."""

from __future__ import annotations

import pytest

from analysis import auth
from analysis.access import OPERATOR
from tests.apptest import acme_store, new_app, through_the_router  # noqa: F401 (a fixture)
from ui import preload


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    yield from acme_store(tmp_path_factory, "preload")


def test_every_element_the_first_page_draws_has_its_script_in_this_streamlit():
    names = preload.element_scripts()
    assert [name.split(".")[0] for name in names] == list(preload.ELEMENTS)
    assert all((preload.STATIC_JS / name).is_file() for name in names)


def test_the_sign_in_page_asks_for_them_last(store):
    auth.add_account(store, OPERATOR, "ann@provider.test", "account_manager", password="a long enough password")
    at = new_app().run()
    assert not at.exception and at.button[0].label == "Sign in"
    [html] = at.get("html")
    last = list(at.main.children.values())[-1]
    assert last.type == "html" and last.proto.body == html.proto.body  # last: no space above anything
    script = html.proto.body
    assert all(name in script for name in preload.element_scripts())
    assert script.startswith("<script>") and script.count("<") == 2  # its own tags, nothing else
