"""Breakdowns by activity and by any roster column (issue 16 part 2; analysis/breakdowns.py): the
roster keeps its other columns (migration 024), the figures are the department table's per group,
hand-counted here, client views fold small groups, and undo and erasure take the columns along."""

from datetime import date

import pytest

from analysis import auth, breakdowns, orgs
from analysis.access import OPERATOR
from analysis.care.erasure import erase_person
from analysis.ingest import load_file
from analysis.privacy import OTHER
from analysis.scope import open_scope
from analysis.uploads import undo
from tests.apptest import acme_store, by_label, open_page, route_through_app, signed_in

PASSWORD = "a long enough password for the tests"
ROSTER = b"""user_id,display_name,department,cohort,licensed,Location,Manager,Email
a@acme.test,Ann,IT,champion,yes,Leeds,Sam,ann@acme.test
b@acme.test,Bo,IT,champion,yes,Leeds,Sam,bo@acme.test
c@acme.test,Cy,Sales,champion,yes,York,Kim,cy@acme.test
d@acme.test,Di,Sales,wider,yes,York,Kim,di@acme.test
e@acme.test,Ed,Sales,wider,yes,,Kim,ed@acme.test
"""
# as of 10 Mar (window 28: 11 Feb - 10 Mar): a and b use the app, b and d an SMS code (the old
# way), c and e nothing
USAGE = b"""user_id,timestamp,activity,count
a@acme.test,2025-03-01,app,1
a@acme.test,2025-03-10,app,1
b@acme.test,2025-03-02,app,2
b@acme.test,2025-03-02,sms,1
d@acme.test,2025-03-03,sms,1
"""
AS_OF = date(2025, 3, 10)


@pytest.fixture(scope="module")
def handle(tmp_path_factory):
    yield from acme_store(tmp_path_factory, "breakdowns")


@pytest.fixture(scope="module")
def acme(handle):
    scope = open_scope(handle, OPERATOR, 1, "upload")
    orgs.add_rollout(scope, "MFA", {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3)}, ["app"], ["sms"])
    roster = load_file(scope, "roster", "roster.csv", ROSTER, rollout="MFA")
    load_file(scope, "usage", "usage.csv", USAGE)
    return scope, orgs.rollout(scope, "MFA"), roster.upload_id


@pytest.fixture(autouse=True)
def through_the_router(handle, monkeypatch):
    route_through_app(monkeypatch)
    monkeypatch.setenv("UPTAKE_DB", handle.path)
    auth.set_totp_required_for_providers(handle, OPERATOR, False)


def rows(frame, key: str) -> dict:
    return {(r[key], r["cohort"]): (r["active_users"], r["licensed_users"]) for r in frame.to_dict("records")}


def test_the_roster_keeps_its_other_columns_and_offers_those_that_group_people(acme):
    scope, rollout, upload_id = acme
    kept = scope.store.cursor().execute(
        "SELECT user_id, name, value FROM roster_attributes WHERE upload_id = ? AND user_id = 'e@acme.test' ORDER BY name",
        [upload_id],
    )
    assert kept.fetchall() == [("e@acme.test", "Email", "ed@acme.test"), ("e@acme.test", "Manager", "Kim")]  # no blank
    # an e-mail per person groups nobody: not offered
    assert breakdowns.choices(scope, rollout) == ["department", "activity", "Location", "Manager"]


def test_adoption_by_a_roster_column_hand_counted(acme):
    scope, rollout, _ = acme
    found = breakdowns.by_roster_column(scope, rollout, "Location", AS_OF, 28)
    assert rows(found, "group") == {
        ("Leeds", "champion"): (2, 2),
        ("Leeds", "all"): (2, 2),
        ("York", "champion"): (0, 1),
        ("York", "wider"): (0, 1),
        ("York", "all"): (0, 2),
        ("(not given)", "wider"): (0, 1),
        ("(not given)", "all"): (0, 1),
    }
    everyone = found[found["cohort"] == "all"].set_index("group")
    # SMS codes in the last 14 days: b (Leeds) and d (York)
    assert everyone["legacy_users"].to_dict() == {"Leeds": 1, "York": 1, "(not given)": 0}
    # 10 Mar is past the target's age for both cohorts (6 Jan, 3 Feb + 30 days): under 80 % is marked
    assert everyone["under_target"].to_dict() == {"Leeds": False, "York": True, "(not given)": True}
    # on 3 Mar the wider cohort is 28 days in: too early to mark anyone
    assert not breakdowns.by_roster_column(scope, rollout, "Location", date(2025, 3, 3), 28)["under_target"].any()
    with pytest.raises(LookupError, match="no column 'Email'"):
        breakdowns.by_roster_column(scope, rollout, "Email", AS_OF, 28)


def test_adoption_by_activity_hand_counted(acme):
    scope, rollout, _ = acme
    found = breakdowns.by_activity(scope, rollout, AS_OF, 28)
    assert rows(found, "activity") == {
        ("app", "champion"): (2, 3),  # a, b of 3 champions
        ("app", "all"): (2, 5),
        ("sms", "champion"): (1, 3),  # b
        ("sms", "wider"): (1, 2),  # d
        ("sms", "all"): (2, 5),
    }
    assert dict(zip(found["activity"], found["kind"])) == {"app": "counts as use", "sms": "old way"}


def test_the_adoption_page_breaks_down_by_a_roster_column_and_folds_small_groups_for_clients(handle, acme):
    manager = auth.add_account(handle, OPERATOR, "am@msp.test", "account_manager", [1], password=PASSWORD)
    at = open_page(signed_in(handle, manager.account_id), "pages/adoption.py")
    by_label(at.selectbox, "Break down by").set_value("Location").run()
    assert not at.exception
    [table] = [t.value for t in at.dataframe if "group" in t.value.columns]
    assert table.set_index("group")["adoption_rate"].to_dict() == {"Leeds": 1.0, "York": 0.0, "(not given)": 0.0}
    viewer = auth.add_account(handle, OPERATOR, "boss@acme.test", "client_viewer", [1], password=PASSWORD)
    at = open_page(signed_in(handle, viewer.account_id), "pages/adoption.py")
    by_label(at.selectbox, "Break down by").set_value("Location").run()
    assert not at.exception
    [table] = [t.value for t in at.dataframe if "group" in t.value.columns]
    # Leeds 2, York 2 and (not given) 1: each under 5, together 5, 2 of them active
    assert table[["group", "licensed_users", "active_users"]].values.tolist() == [[OTHER, 5, 2]]
    by_label(at.selectbox, "Break down by").set_value("activity").run()
    [table] = [t.value for t in at.dataframe if "activity" in t.value.columns]
    assert table["activity"].tolist() == ["app", "sms"]


def test_undo_and_erasure_take_the_columns_along(handle, acme):
    scope, rollout, upload_id = acme
    second = b"user_id,display_name,department,cohort,licensed,Site\na@acme.test,Ann,IT,champion,yes,North\n"
    second += b"b@acme.test,Bo,IT,champion,yes,North\nc@acme.test,Cy,Sales,champion,yes,South\n"
    later = load_file(scope, "roster", "roster2.csv", second, rollout="MFA")
    assert breakdowns.roster_columns(scope, rollout) == ["Site"]
    undo(open_scope(handle, OPERATOR, 1, "upload"), later.upload_id)
    assert breakdowns.roster_columns(scope, rollout) == ["Location", "Manager"]  # the earlier roster's
    erase_person(open_scope(handle, OPERATOR, 1, "manage_organisations"), "b@acme.test")
    left = handle.cursor().execute(
        "SELECT count(*) FROM roster_attributes WHERE value LIKE '%bo@acme%' OR user_id = 'b@acme.test'"
    )
    assert left.fetchall() == [(0,)]
