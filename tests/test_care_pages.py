"""The Administration page's Data care tab (ui/care.py): erasing a person and off-boarding an
organisation, each confirmed with the admin's password; without it nothing changes. Runs app.py
in AppTest, signed in."""

import io
import zipfile

import pytest

from analysis import auth, orgs
from analysis import store as store_module
from analysis.access import OPERATOR
from analysis.ingest import load_file
from analysis.scope import open_scope
from tests.apptest import by_label, file_buttons, open_page, reset_streamlit, route_through_app, signed_in
from tests.conftest import TINY

PASSWORD = "tr0ub4dor&3 horse"


@pytest.fixture(scope="module")
def handle(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("care") / "care.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UPTAKE_DB", path)
        reset_streamlit()
        opened = store_module.shared_store(path)
        for name in ("Acme", "Gone"):
            org_id = orgs.add_organisation(opened, OPERATOR, name, "UTC", ["acme.test"])
            load_file(
                open_scope(opened, OPERATOR, org_id, "upload"), "usage", "usage.csv", (TINY / "usage.csv").read_bytes()
            )
        auth.cookie_key(opened)
        yield opened
        reset_streamlit()


@pytest.fixture(autouse=True)
def through_the_router(handle, monkeypatch):
    route_through_app(monkeypatch)
    monkeypatch.setenv("UPTAKE_DB", handle.path)


_made = iter(range(1, 1000))


@pytest.fixture
def admin_page(handle):
    admin = auth.add_account(handle, OPERATOR, f"admin{next(_made)}@msp.test", "admin", [], password=PASSWORD)
    at = open_page(signed_in(handle, admin.account_id), "pages/admin.py")
    assert not at.exception, [e.value for e in at.exception]
    return at


def usage_of(handle, org_name, user):
    return (
        handle.cursor()
        .execute(
            "SELECT count(*) FROM usage_events JOIN organisations USING (org_id) WHERE name = ? AND user_id = ?",
            [org_name, user],
        )
        .fetchall()[0][0]
    )


def test_erasing_a_person_on_the_page_needs_the_password(handle, admin_page):
    at = admin_page
    at.selectbox(key="erase_org").set_value(1)
    by_label(at.text_input, "The person's user id or name").input("e@acme.test")
    at.text_input(key="erase_person_password").input("not the password")
    by_label(at.button, "Erase this person").click()
    at.run()
    assert [e.value for e in at.error] == ["Not erased: your password or code is not right, so nothing was changed."]
    assert usage_of(handle, "Acme", "e@acme.test") == 2  # tests/data/tiny/usage.csv: two rows of e's
    at.text_input(key="erase_person_password").input(PASSWORD)
    by_label(at.button, "Erase this person").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert any("usage\\_events 2" in s.value for s in at.success), [s.value for s in at.success]
    assert usage_of(handle, "Acme", "e@acme.test") == 0
    assert usage_of(handle, "Gone", "e@acme.test") == 2  # the other organisation's e is not touched


def test_off_boarding_on_the_page_exports_then_deletes(handle, admin_page):
    at = admin_page
    gone = orgs.organisation_id(handle, OPERATOR, "Gone")
    by_label(at.selectbox, "Organisation to off-board").set_value(gone)
    at.run()
    by_label(at.button, "Prepare the export").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(file_buttons(at)) == 1  # the zip (not the tables' CSV and .xlsx buttons)
    archive = zipfile.ZipFile(io.BytesIO(at.session_state["_offboard_export"][2]))  # what the button hands out
    assert "## usage_events.csv: 8 rows" in archive.read("README.md").decode()
    by_label(at.text_input, "Type the organisation's name to delete it").input("gone")
    at.text_input(key="offboard_password").input(PASSWORD)
    by_label(at.button, "Delete the organisation and all its data").click()
    at.run()
    assert [e.value for e in at.error] == ["Not deleted: the name typed is not the organisation's."]
    by_label(at.text_input, "Type the organisation's name to delete it").input("Gone")
    at.text_input(key="offboard_password").input(PASSWORD)
    by_label(at.button, "Delete the organisation and all its data").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert handle.cursor().execute("SELECT count(*) FROM organisations WHERE name = 'Gone'").fetchall() == [(0,)]
    assert handle.cursor().execute("SELECT count(*) FROM usage_events WHERE org_id = ?", [gone]).fetchall() == [(0,)]
