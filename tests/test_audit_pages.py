"""The Audit log tab on Administration (ui/audit_tab.py): a page's write is recorded as the signed-in
account's, from that page; a client viewer never sees the tab. Runs app.py in AppTest."""

import pytest

from analysis import auth, orgs
from analysis.access import OPERATOR
from tests.apptest import acme_store, by_label, open_page, route_through_app, signed_in


@pytest.fixture(scope="module")
def handle(tmp_path_factory):
    yield from acme_store(tmp_path_factory, "audit_pages")


@pytest.fixture(autouse=True)
def through_the_router(handle, monkeypatch):
    route_through_app(monkeypatch)
    monkeypatch.setenv("UPTAKE_DB", handle.path)


def test_a_page_write_is_the_accounts_from_the_page_and_shown_in_the_tab(handle):
    admin = auth.add_account(handle, OPERATOR, "ann@msp.test", "admin", [], password="tr0ub4dor&3 horse")
    at = open_page(signed_in(handle, admin.account_id), "pages/admin.py")
    assert not at.exception, [e.value for e in at.exception]
    assert "Audit log" in [t.label for t in at.tabs]
    by_label(at.number_input, "Keep entries for (days; 0 keeps them for ever)").set_value(90)
    by_label(at.button, "Save retention").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    last = (
        handle.cursor().execute("SELECT who, place, action, detail FROM audit_log ORDER BY entry_id DESC").fetchall()[0]
    )
    assert last == ("ann@msp.test", "Administration", "set the audit log's retention", "90 days")
    # the tab opens on the organisation in hand; the app's own entries (no organisation) under Any
    [pick] = [s for s in at.selectbox if s.key == "audit_org"]
    pick.set_value("Any").run()
    assert any("set the audit log's retention" in frame.value.to_string() for frame in at.dataframe)


def test_a_client_viewer_never_sees_the_tab(handle):
    acme = orgs.organisation_id(handle, OPERATOR, "Acme")
    viewer = auth.add_account(handle, OPERATOR, "cv@acme.test", "client_viewer", [acme], password="tr0ub4dor&3 horse")
    at = signed_in(handle, viewer.account_id)
    at.run()
    assert "Audit log" not in [t.label for t in at.tabs]
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # Administration is not theirs
        at.switch_page("pages/admin.py")
