"""The onboarding checklist (analysis/onboarding.py), support before any rollout, empty periods
said in words, and what client roles see (ui/onboarding.py): on hand-built organisations, then
through the app in AppTest."""

from __future__ import annotations

from datetime import date

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from analysis import alerts, auth, onboarding, orgs, reports
from analysis import store as store_module
from analysis.access import OPERATOR, Principal
from analysis.scope import open_scope
from analysis.seed import ensure_demo
from analysis.uploads import undo
from tests.conftest import ROOT
from ui.text import literal

APP = str(ROOT / "app.py")
PASSWORD = "correct horse battery staple"
ROSTER = """user_id,display_name,department,cohort,licensed
a@acme.test,Ann Archer,IT,champion,yes
b@acme.test,Ben Brook,IT,champion,yes
c@acme.test,Cat Cole,Sales,wider,yes
"""
USAGE = """user_id,date,activity,count
a@acme.test,2025-01-07,mfa,1
a@acme.test,2025-01-08,mfa,1
b@acme.test,2025-01-09,mfa,2
"""
# T1 2 h and reopened; T2 open; T3 closed on 03-04 with no resolution time (approximate: no duration)
TICKETS = """ticket_id,created_at,requester,subject,status,category,updated_at,resolved_at,reopened
T1,2025-03-01 09:00,a@acme.test,MFA prompt,solved,MFA,,2025-03-01 11:00,1
T2,2025-03-05 10:00,b@acme.test,New phone,open,MFA,,,0
T3,2025-03-03 08:00,c@acme.test,Mailbox,closed,Email,2025-03-04 08:00,,0
"""


def steps(scope) -> dict:
    return {s.key: (s.done, s.count) for s in onboarding.checklist(scope)}


# -- the checklist, on hand-built organisations ------------------------------------------------------


def test_a_new_organisation_has_five_steps_none_done(store):
    org = orgs.add_organisation(store, OPERATOR, "Newco")
    scope = open_scope(store, OPERATOR, org)
    assert [s.key for s in onboarding.checklist(scope)] == ["rollout", "roster", "usage", "tickets", "accounts"]
    assert steps(scope) == {k: (False, 0) for k in ("rollout", "roster", "usage", "tickets", "accounts")}
    assert not onboarding.complete(onboarding.checklist(scope))


def test_each_step_counts_its_own_organisations_data(store, acme, load):
    other = orgs.add_organisation(store, OPERATOR, "Other")  # its data must not count for Acme
    other_scope = open_scope(store, OPERATOR, other, "upload")
    load(other_scope, "tickets", TICKETS, rollout=None)
    assert steps(acme) == {
        "rollout": (True, 1),
        "roster": (False, 0),
        "usage": (False, 0),
        "tickets": (False, 0),
        "accounts": (False, 0),
    }
    load(acme, "roster", ROSTER)
    load(acme, "usage", USAGE)
    load(acme, "tickets", TICKETS)
    auth.add_account(store, OPERATOR, "viewer@acme.test", "client_viewer", [acme.org_id], password=PASSWORD)
    auth.add_account(store, OPERATOR, "gone@acme.test", "client_uploader", [acme.org_id], password=PASSWORD)
    auth.disable_account(store, OPERATOR, "gone@acme.test")  # disabled: not counted
    auth.add_account(store, OPERATOR, "boss@provider.test", "admin", password=PASSWORD)  # not a client's
    auth.add_account(store, OPERATOR, "viewer@other.test", "client_viewer", [other], password=PASSWORD)
    # 3 on the roster; a and b have usage; 3 tickets; 1 active client account
    assert steps(acme) == {
        "rollout": (True, 1),
        "roster": (True, 3),
        "usage": (True, 2),
        "tickets": (True, 3),
        "accounts": (True, 1),
    }
    assert onboarding.complete(onboarding.checklist(acme))
    assert steps(other_scope) == {
        "rollout": (False, 0),
        "roster": (False, 0),
        "usage": (False, 0),
        "tickets": (True, 3),
        "accounts": (True, 1),
    }


def test_an_undone_roster_is_not_done(store, acme, load):
    outcome = load(acme, "roster", ROSTER)
    assert steps(acme)["roster"] == (True, 3)
    undo(acme, outcome.upload_id)
    assert steps(acme)["roster"] == (False, 0)


def test_rule_messages_read_as_their_reader_needs(store, acme, load):
    stale = alerts.RULES["STALE_DATA"].action
    client = Principal("viewer@acme.test", "client_viewer", frozenset({acme.org_id}))
    manager = Principal("am@provider.test", "account_manager", frozenset({acme.org_id}))
    assert onboarding.for_reader(stale, manager) == "Upload a fresh export."
    assert onboarding.for_reader(stale, client) == "Your provider is asked for newer data."
    # the rule that needs a legacy activity: the app's form for a provider, the provider for a client
    [workarounds] = [
        a
        for a in alerts.evaluate_alerts(
            open_scope(store, OPERATOR, acme.org_id), _no_legacy(acme), as_of=date(2025, 1, 20), record=False
        )
        if a.rule == "WORKAROUNDS"
    ]
    assert "`rollout set" in workarounds.message
    assert onboarding.for_reader(workarounds.message, manager).endswith("set one on the Settings page.")
    assert onboarding.for_reader(workarounds.message, client).endswith("your provider can name one.")


def _no_legacy(scope):
    orgs.add_rollout(scope, "Plain", {"champion": date(2025, 1, 6)})
    return orgs.rollout(scope, "Plain")


# -- support before a rollout, and empty periods ------------------------------------------------------


def test_ticket_summary_of_an_organisation_without_a_rollout(store, load):
    org = orgs.add_organisation(store, OPERATOR, "Ticketsonly", email_domains=["acme.test"])
    scope = open_scope(store, OPERATOR, org, "upload")
    load(scope, "tickets", TICKETS, rollout=None)
    got = onboarding.ticket_summary(scope)
    # created 03-01 .. 03-05; resolved: T1 (2 h), T3 (approximate, no duration) -> median 2.0;
    # open at the end of 03-05: T2 -> backlog 1; reopened 1 of 2 resolved
    assert got["tickets"] == 3 and got["first_day"] == date(2025, 3, 1) and got["last_day"] == date(2025, 3, 5)
    assert got["resolved_tickets"] == 2 and got["median_resolution_hours"] == 2.0
    assert got["backlog"] == 1 and got["reopen_rate"] == 0.5
    weekly = onboarding.weekly_tickets(scope)
    # 2025-03-01 is a Saturday: weeks of 24 Feb (T1) and 3 Mar (T2, T3)
    assert list(zip(weekly["week_start"].dt.date, weekly["tickets"])) == [(date(2025, 2, 24), 1), (date(2025, 3, 3), 2)]
    assert (
        onboarding.no_tickets_in_period(scope)
        == "No tickets in this period (3 loaded, created 1 Mar 2025 to 5 Mar 2025)."
    )


def test_no_ticket_loaded_is_said_as_such(store):
    scope = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Empty"))
    assert onboarding.ticket_summary(scope)["tickets"] == 0
    assert onboarding.no_tickets_in_period(scope).startswith("No tickets are loaded for this organisation yet")


def test_the_pack_says_no_tickets_in_the_period_instead_of_a_flat_chart(store, acme, load):
    load(acme, "roster", ROSTER)
    load(acme, "usage", USAGE)
    load(acme, "tickets", TICKETS)  # March, after the as-of date below
    load(acme, "tickets", "ticket_id,created_at,status\nT0,2024-06-03 09:00,open\n", name="old.csv")
    # the chart's period: 28 days before the first go-live (2024-12-09) to 2025-01-20; T0 is older,
    # still open (a backlog of 1), so the old pack drew a flat chart
    contents = reports.report_contents(acme, orgs.rollout(acme, "MFA"), date(2025, 1, 20))
    [support] = [s for s in contents.sections if s.title.startswith("Support desk")]
    assert support.blocks == ["No tickets in this period (4 loaded, created 3 Jun 2024 to 5 Mar 2025)."]
    assert not [c for c in contents.charts() if c.name == "tickets"]


def test_a_new_account_chooses_its_password_a_reset_one_is_told_so(store):
    new = auth.add_account(
        store,
        OPERATOR,
        "new@acme.test",
        "client_viewer",
        [orgs.add_organisation(store, OPERATOR, "Acme")],
        password=PASSWORD,
        must_change_password=True,
    )
    auth.start_session(store, new.account_id)  # the first sign-in
    assert onboarding.first_password(store, new.account_id)
    auth.reset_password(store, OPERATOR, "new@acme.test")
    auth.start_session(store, new.account_id)
    assert not onboarding.first_password(store, new.account_id)


# -- through the app --------------------------------------------------------------------------------

PAGES = (
    "pages/overview.py",
    "pages/adoption.py",
    "pages/support.py",
    "pages/red_flags.py",
    "pages/settings.py",
    "pages/data.py",
    "pages/admin.py",
    "pages/portfolio.py",
    "pages/account.py",
)
TEXT = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
    "metric",
    "button",
    "expander",
    "toast",
    "text",
)


def _reset():
    st.cache_resource.clear()
    st.cache_data.clear()
    for opened in list(store_module._shared.values()):
        opened.close()
    store_module._shared.clear()


@pytest.fixture(scope="module")
def app_db(tmp_path_factory):
    """The demo, an empty organisation, one with tickets only, one with tickets all after its
    rollout's period; an admin, and a client viewer of each."""
    path = str(tmp_path_factory.mktemp("onboarding") / "onboarding.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UPTAKE_DB", path)
        _reset()
        handle = store_module.shared_store(path)
        ensure_demo(handle, enabled=True)
        from analysis.ingest import load_file

        new = orgs.add_organisation(handle, OPERATOR, "Newco")
        empty = orgs.add_organisation(handle, OPERATOR, "Emptyco")  # no client account either
        only = orgs.add_organisation(handle, OPERATOR, "Ticketsonly", email_domains=["acme.test"])
        load_file(open_scope(handle, OPERATOR, only, "upload"), "tickets", "t.csv", TICKETS.encode())
        later = orgs.add_organisation(handle, OPERATOR, "Later", email_domains=["acme.test"])
        scope = open_scope(handle, OPERATOR, later, "upload")
        orgs.add_rollout(scope, "MFA", {"champion": date(2025, 1, 6), "wider": date(2025, 1, 13)})
        for kind, text in (("roster", ROSTER), ("usage", USAGE)):
            load_file(scope, kind, f"{kind}.csv", text.encode(), rollout="MFA")
        load_file(scope, "tickets", "t.csv", TICKETS.replace("2025-03", "2026-03").encode())
        demo = orgs.organisation_id(handle, OPERATOR, "Demo Co")
        accounts = {"admin": auth.add_account(handle, OPERATOR, "admin@p.test", "admin", password=PASSWORD)}
        for name, org in (("demo", demo), ("new", new), ("only", only), ("later", later)):
            accounts[name] = auth.add_account(
                handle, OPERATOR, f"viewer@{name}.test", "client_viewer", [org], password=PASSWORD
            )
        yield handle, accounts, {"demo": demo, "new": new, "only": only, "later": later, "empty": empty}
        _reset()


@pytest.fixture(autouse=True)
def through_the_router(monkeypatch):
    """Every run goes through app.py, as on the server (see tests/test_pages.py)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class Router(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", Router)


def app_as(app_db, who: str, monkeypatch, org: str | None = None) -> AppTest:
    handle, accounts, org_ids = app_db
    monkeypatch.setenv("UPTAKE_DB", handle.path)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["token"] = auth.start_session(handle, accounts[who].account_id)
    if org:
        at.session_state["org_id"] = org_ids[org]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def seen(at: AppTest) -> str:
    """Every word on the page: text elements, labels, help and captions of widgets and metrics."""
    words = []
    for kind in TEXT:
        for element in at.get(kind):
            proto = element.proto
            for field in ("body", "label", "help", "value", "caption", "placeholder"):
                value = getattr(proto, field, None)
                if isinstance(value, str):
                    words.append(value)
    for widget in (*at.selectbox, *at.text_input, *at.date_input, *at.radio, *at.checkbox, *at.toggle):
        words += [widget.label, widget.help or ""]
    return "\n".join(words)


def pages_of(at: AppTest) -> list[str]:
    registered = [str(info.get("script_path") or "") for info in at._registered_pages.values()]
    return [p for p in PAGES if any(r.endswith(p) for r in registered)]


def visit(at: AppTest, page: str) -> str:
    at.switch_page(page)
    at.run()
    assert not at.exception, (page, [e.value for e in at.exception])
    return seen(at)


def test_a_new_organisation_shows_the_checklist_and_no_command_line_anywhere(app_db, monkeypatch):
    at = app_as(app_db, "admin", monkeypatch, org="empty")
    text = seen(at)
    assert "This organisation has no rollout yet" in text
    assert "Getting started: 0 of 5 steps done" in text
    assert text.count(":material/radio_button_unchecked:") == 5
    assert [b.label for b in at.button if b.key and b.key.startswith("onboarding_")] == [
        "Open Settings",
        "Open Data",
        "Open Data",
        "Open Data",
        "Open Administration",
    ]
    for page in pages_of(at):
        assert "python -m" not in visit(at, page), page
        assert at.session_state["org_id"] == app_db[2]["empty"], page


def test_the_checklist_opens_the_page_with_the_organisation_chosen(app_db, monkeypatch):
    at = app_as(app_db, "admin", monkeypatch, org="empty")
    at.button(key="onboarding_rollout").click().run()
    assert [t.value for t in at.title] == ["Settings"]
    assert at.sidebar.selectbox(key="org_picker").value == app_db[2]["empty"]


def test_an_organisation_with_only_tickets_shows_them_on_support(app_db, monkeypatch):
    at = app_as(app_db, "admin", monkeypatch, org="only")
    assert "This organisation has no rollout yet" in seen(at)  # the Overview says so, with the steps
    assert at.button(key="onboarding_rollout").label == "Open Settings"
    text = visit(at, "pages/support.py")
    assert {m.label: m.value for m in at.metric} == {
        "Tickets": "3",
        "Median resolution": "2.0 h",
        "Backlog": "1",
        "Reopened": "50%",
    }
    assert "3 created from 1 Mar 2025 to 5 Mar 2025" in text
    assert list(at.dataframe[0].value["Category"]) == ["MFA", "Email"]


def test_a_client_sees_the_tickets_of_an_organisation_without_rollout_and_no_housekeeping(app_db, monkeypatch):
    at = app_as(app_db, "only", monkeypatch)
    text = visit(at, "pages/support.py")
    assert {m.label: m.value for m in at.metric}["Tickets"] == "3"
    assert "Getting started" not in text and [b.label for b in at.button] == ["Sign out"]


def test_no_tickets_in_the_period_is_said_not_drawn(app_db, monkeypatch):
    at = app_as(app_db, "admin", monkeypatch, org="later")
    text = visit(at, "pages/support.py")
    assert literal("No tickets in this period (3 loaded, created 1 Mar 2026 to 5 Mar 2026).") in text  # shown as text
    assert not at.get("plotly_chart") and not at.metric


@pytest.mark.parametrize("org", ["demo", "new", "only", "later"])
def test_a_client_viewer_sees_no_housekeeping_on_any_page(app_db, monkeypatch, org):
    at = app_as(app_db, org, monkeypatch)
    for page in pages_of(at):
        text = visit(at, page).lower()
        for word in ("upload", "settings page", "data page", "python -m", "command line", "export on"):
            assert word not in text, (page, word, [line for line in text.splitlines() if word in line])
        assert "getting started" not in text


def test_a_page_a_client_may_not_open_says_so(app_db, monkeypatch):
    at = app_as(app_db, "demo", monkeypatch)
    with pytest.raises(ValueError):  # not a page of theirs: not in the menu
        at.switch_page("pages/settings.py")
    at._page_hash = calc_hash("settings")  # what a bookmark of /settings opens
    at.run()
    assert [t.value for t in at.title] == ["Not available"]
    assert "This page is for your provider's team." in at.info[0].value


def test_a_new_account_is_asked_to_choose_its_password_not_told_of_a_reset(app_db, monkeypatch):
    handle, accounts, org_ids = app_db
    new = auth.add_account(
        handle,
        OPERATOR,
        "first@only.test",
        "client_viewer",
        [org_ids["only"]],
        password=PASSWORD,
        must_change_password=True,
    )
    accounts["first"] = new
    at = app_as(app_db, "first", monkeypatch)
    assert [t.value for t in at.title] == ["Your account"]
    assert at.warning[0].value.startswith("Welcome: choose your password") and "reset" not in seen(at)
    auth.reset_password(handle, OPERATOR, "first@only.test")
    at = app_as(app_db, "first", monkeypatch)
    assert at.warning[0].value.startswith("Your password was reset")


def test_the_portfolio_lists_the_organisations_to_set_up_and_opens_their_checklist(app_db, monkeypatch):
    at = app_as(app_db, "admin", monkeypatch)
    visit(at, "pages/portfolio.py")
    waiting = {b.key: b.label for b in at.button if b.key and b.key.startswith("set_up_")}
    assert set(waiting.values()) == {"Newco", "Emptyco", "Ticketsonly"}  # Demo Co and Later have a rollout
    at.button(key=f"set_up_{app_db[2]['empty']}").click().run()
    assert [t.value for t in at.title] == ["Overview"]
    assert at.sidebar.selectbox(key="org_picker").value == app_db[2]["empty"]
    assert "Getting started: 0 of 5 steps done" in seen(at)


def test_the_checklist_counts_a_new_client_account_at_once(app_db, monkeypatch):
    """The data counts are cached by the data and settings versions (ui/cached.py onboarding_counts);
    an account moves neither, so it is counted afresh on every view: Emptyco 0 of 5, then its first
    client account makes 1 of 5 on the next run, and 0 again once the account is disabled."""
    handle = app_db[0]
    at = app_as(app_db, "admin", monkeypatch, org="empty")
    assert "Getting started: 0 of 5 steps done" in seen(at)
    auth.add_account(handle, OPERATOR, "lead@emptyco.test", "client_viewer", [app_db[2]["empty"]], password=PASSWORD)
    try:
        at.run()
        assert "Getting started: 1 of 5 steps done" in seen(at)
        assert "(done: 1 client account)" in seen(at)
    finally:
        auth.disable_account(handle, OPERATOR, "lead@emptyco.test")
    at.run()
    assert "Getting started: 0 of 5 steps done" in seen(at)


def test_the_data_counts_are_read_once_per_data_version(app_db, monkeypatch):
    """Its people with usage scan every usage row: read once per data and settings version, not on
    every view of the Overview (three runs, one read)."""
    from analysis import onboarding as steps
    from ui import cached

    cached.onboarding_counts.clear()
    calls = []
    real = steps.data_counts
    monkeypatch.setattr(steps, "data_counts", lambda scope: calls.append(scope.org_id) or real(scope))
    at = app_as(app_db, "admin", monkeypatch, org="later")
    at.run()
    at.run()
    assert calls == [app_db[2]["later"]]
