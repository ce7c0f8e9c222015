"""The notification screens (ui/notifications.py) in AppTest: one's own choices and webhooks on
Your account, the failed deliveries on Administration."""

from __future__ import annotations

from datetime import datetime

import pytest

from analysis import auth, orgs
from analysis.access import OPERATOR
from analysis.notify import outbox, webhooks
from analysis.notify.outbox import Note
from analysis.notify.prefs import Prefs, prefs
from tests.apptest import acme_store, by_label, open_page, route_through_app, signed_in
from tests.conftest import shown

PASSWORD = "tr0ub4dor&3 horse"


@pytest.fixture(scope="module")
def handle(tmp_path_factory):
    yield from acme_store(tmp_path_factory, "notify_pages")


@pytest.fixture(autouse=True)
def through_the_router(handle, monkeypatch):
    route_through_app(monkeypatch)
    monkeypatch.setenv("UPTAKE_DB", handle.path)
    auth.set_totp_required_for_providers(handle, OPERATOR, False)


def page(handle, who, path, settings_tab=None):
    at = signed_in(handle, who.account_id)
    if settings_tab:  # only the chosen tab runs (pages/settings.py)
        at.session_state["settings_tab"] = settings_tab
    at = open_page(at, path)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_your_account_saves_ones_choices_and_adds_a_signed_webhook(handle):
    who = auth.add_account(handle, OPERATOR, "viewer@acme.test", "client_viewer", [1], password=PASSWORD)
    at = page(handle, who, "pages/account.py")
    assert prefs(handle, who.account_id) == Prefs()  # nothing chosen yet
    at.checkbox(key="pref_new_high").check()
    at.checkbox(key="pref_weekly_digest").check()
    at.checkbox(key="pref_by_email").uncheck()
    by_label(at.button, "Save notification choices").click()
    at.run()
    assert prefs(handle, who.account_id) == Prefs(new_high=True, weekly_digest=True, by_email=False)
    by_label(at.selectbox, "Add a webhook").set_value("signed")
    by_label(at.text_input, "Its address (https://...)").input("https://hooks.example.test/uptake")
    by_label(at.button, "Add webhook").click()
    at.run()
    assert not at.exception and not at.error
    (hook,) = webhooks.webhooks(handle, who.account_id)
    assert (hook.kind, hook.url, hook.label) == ("signed", "https://hooks.example.test/uptake", "hooks.example.test")
    assert [c.value for c in at.code] == [hook.secret]  # shown once
    at.run()
    assert not at.code
    by_label(at.text_input, "Its address (https://...)").input("http://plain.example.test/")
    by_label(at.button, "Add webhook").click()
    at.run()
    assert [shown(e.value) for e in at.error] == [
        "Not added: a webhook address is an https:// URL (the one Teams or Slack gives you)"
    ]


def test_administration_lists_the_failed_deliveries(handle, monkeypatch, tmp_path):
    monkeypatch.setenv("UPTAKE_SECRETS_FILE", str(tmp_path / "none.toml"))
    admin = auth.add_account(handle, OPERATOR, "admin@msp.test", "admin", [], password=PASSWORD)
    with handle.transaction() as cur:
        outbox.queue(cur, handle, admin, Prefs(), Note("digest", "[Uptake] Weekly digest", "B", {}), datetime.now())
    outbox.deliver_due(handle)
    at = page(handle, admin, "pages/admin.py")
    frames = [t.value for t in at.dataframe]
    failed = next(f for f in frames if "error" in f.columns)
    assert list(failed["subject"]) == ["[Uptake] Weekly digest"] and list(failed["attempts"]) == [1]
    assert failed["error"].iloc[0].startswith("e-mail is not set up")


def test_an_account_manager_subscribes_a_clients_leader_on_settings(handle):
    from datetime import date

    from analysis.notify import packs
    from analysis.scope import open_scope

    scope = open_scope(handle, OPERATOR, 1, "configure")
    orgs.add_rollout(scope, "MFA", {"champion": date(2025, 1, 6)})
    leader = auth.add_account(handle, OPERATOR, "lead@acme.test", "client_viewer", [1], password=PASSWORD)
    am = auth.add_account(handle, OPERATOR, "am@acme.test", "account_manager", [1], password=PASSWORD)
    at = page(handle, am, "pages/settings.py", settings_tab="Report pack by e-mail")
    assert by_label(at.selectbox, "Leader").options == ["lead@acme.test", "viewer@acme.test"]
    by_label(at.selectbox, "Leader").set_value(leader.account_id)
    by_label(at.radio, "How often").set_value("quarterly")
    by_label(at.button, "Subscribe").click()
    at.run()
    assert not at.exception
    listed = packs.subscriptions(scope)
    assert list(zip(listed["recipient"], listed["cadence"], listed["created_by"])) == [
        ("lead@acme.test", "quarterly", "am@acme.test")
    ]
    by_label(at.button, "Stop sending").click()
    at.run()
    assert packs.subscriptions(scope).empty
