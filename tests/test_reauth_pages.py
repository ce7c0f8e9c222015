"""The account and administration pages ask the person acting to confirm who they are before a
security-sensitive change (issue 10, finding 1): without the right confirmation nothing changes
and the page says so; with it the change is made. Runs app.py in AppTest, signed in."""

from datetime import timedelta

import pyotp
import pytest

from analysis import auth
from analysis.access import OPERATOR
from tests.apptest import acme_store, by_label, open_page, route_through_app, signed_in

PASSWORD = "tr0ub4dor&3 horse"
REFUSED = "your password or code is not right, so nothing was changed."


@pytest.fixture(scope="module")
def handle(tmp_path_factory):
    yield from acme_store(tmp_path_factory, "reauth")


@pytest.fixture(autouse=True)
def through_the_router(handle, monkeypatch):
    """Every run goes through app.py, as on the server (tests/apptest.py)."""
    route_through_app(monkeypatch)
    monkeypatch.setenv("UPTAKE_DB", handle.path)
    auth.set_totp_required_for_providers(handle, OPERATOR, False)  # a test may have required it


_made = iter(range(1, 10_000))


def person(handle, role="admin", two_step=False):
    """A fresh account (and its TOTP secret, turned on with a code two steps ago so the current
    and the next codes are unused)."""
    n = next(_made)
    who = auth.add_account(
        handle, OPERATOR, f"{role}{n}@acme.test", role, [] if role == "admin" else [1], password=PASSWORD
    )
    if not two_step:
        return who, None
    secret = auth.start_totp(handle, who.account_id)
    before = auth.utcnow() - timedelta(seconds=60)
    assert auth.confirm_totp(handle, who.account_id, pyotp.TOTP(secret).at(before), now=before)
    return auth.account(handle, who.account_id), secret


def page(handle, who, path):
    at = open_page(signed_in(handle, who.account_id), path)
    assert not at.exception, [e.value for e in at.exception]
    return at


def state(handle, email):
    """What an account change could touch: the account, its organisations, the setting."""
    cur = handle.cursor()
    return (
        cur.execute(
            "SELECT a.role, a.pw_hash, a.totp_enabled, a.totp_secret, a.disabled_at, "
            "list(o.org_id ORDER BY o.org_id) FROM accounts a LEFT JOIN account_orgs o USING (account_id) "
            "WHERE email = ? GROUP BY ALL",
            [email],
        ).fetchall(),
        cur.execute("SELECT count(*) FROM accounts").fetchall(),
        auth.totp_required_for_providers(handle),
    )


def live_sign_ins(handle, account_id):
    return (
        handle.cursor()
        .execute("SELECT count(*) FROM sessions WHERE account_id = ? AND revoked_at IS NULL", [account_id])
        .fetchall()[0][0]
    )


def admin_action(at, handle, action, target):
    """Fill the form of one administration action (not its confirmation); return its form key."""
    if action == "add":
        by_label(at.text_input, "Email").input(f"new.{target.account_id}@acme.test")
        by_label(at.selectbox, "Role").set_value("admin")
        return "add_account"
    if action == "require":
        by_label(at.checkbox, "Require two-step sign-in for provider accounts (admin, account manager)").check()
        return "require_totp"
    by_label(at.selectbox, "Account to change").set_value(target.email)
    by_label(at.radio, "Change").set_value(action)
    if action == "access":
        by_label(at.selectbox, "New role").set_value("client_viewer")
        by_label(at.multiselect, "Its organisations").set_value([1])
    return "change_account"


BUTTONS = {
    "add_account": "Add account",
    "change_account": "Apply the change",
    "require_totp": "Save",
    "remove_totp": "Remove two-step sign-in",
}
ACTIONS = ["add", "reset", "two_step", "access", "disable", "require"]


def submit(at, form, password, code=None):
    at.text_input(key=f"{form}_password").input(password)
    if code is not None:
        at.text_input(key=f"{form}_code").input(code)
    by_label(at.button, BUTTONS[form]).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def changed(handle, target, action, before):
    """Whether the action took effect."""
    if action == "add":
        return state(handle, f"new.{target.account_id}@acme.test")[0] != []
    return state(handle, target.email) != before


@pytest.mark.parametrize("action", ACTIONS)
def test_an_admin_action_with_a_wrong_password_changes_nothing(handle, action):
    admin, _ = person(handle)
    target, _ = person(handle, "account_manager", two_step=True)
    at = page(handle, admin, "pages/admin.py")
    form = admin_action(at, handle, action, target)
    before, sign_ins = state(handle, target.email), live_sign_ins(handle, target.account_id)
    submit(at, form, "not the password")
    verb = {"add_account": "added", "require_totp": "saved", "change_account": "changed"}[form]
    assert [e.value for e in at.error] == [f"Not {verb}: {REFUSED}"]
    assert not changed(handle, target, action, before) and state(handle, target.email) == before
    assert live_sign_ins(handle, target.account_id) == sign_ins
    assert (
        handle.cursor()
        .execute("SELECT count(*) FROM sign_in_attempts WHERE email = ? AND NOT succeeded", [admin.email])
        .fetchall()[0][0]
        == 1
    )


@pytest.mark.parametrize("action", ACTIONS)
def test_an_admin_action_with_the_password_is_made(handle, action):
    admin, _ = person(handle)
    target, _ = person(handle, "account_manager", two_step=True)
    auth.start_session(handle, target.account_id)
    at = page(handle, admin, "pages/admin.py")
    form = admin_action(at, handle, action, target)
    before = state(handle, target.email)
    submit(at, form, PASSWORD)
    assert not at.error, [e.value for e in at.error]
    assert changed(handle, target, action, before) or (action == "require" and auth.totp_required_for_providers(handle))
    if action in ("reset", "two_step", "disable"):
        assert live_sign_ins(handle, target.account_id) == 0


def test_an_admin_with_two_step_confirms_with_a_code_too(handle):
    admin, secret = person(handle, two_step=True)
    target, _ = person(handle, "account_manager")
    at = page(handle, admin, "pages/admin.py")
    admin_action(at, handle, "disable", target)
    submit(at, "change_account", PASSWORD, "")  # the password alone
    assert [e.value for e in at.error] == [f"Not changed: {REFUSED}"]
    assert auth.account(handle, target.account_id) is not None
    admin_action(at, handle, "disable", target)  # the form was cleared
    submit(at, "change_account", PASSWORD, pyotp.TOTP(secret).now())
    assert not at.error and auth.account(handle, target.account_id) is None


def test_setting_up_two_step_asks_for_the_password(handle):
    who, _ = person(handle, "account_manager")
    at = page(handle, who, "pages/account.py")
    submit_button = "Set up two-step sign-in"
    at.text_input(key="start_totp_password").input("not the password")
    by_label(at.button, submit_button).click()
    at.run()
    assert [e.value for e in at.error] == [f"Not started: {REFUSED}"]
    assert "totp_secret" not in at.session_state and not at.code
    at.text_input(key="start_totp_password").input(PASSWORD)
    by_label(at.button, submit_button).click()
    at.run()
    secret = at.session_state["totp_secret"]
    assert [c.value for c in at.code] == [secret]
    by_label(at.text_input, "The 6-digit code your app shows now").input(pyotp.TOTP(secret).now())
    other = auth.start_session(handle, who.account_id)
    by_label(at.button, "Turn on two-step sign-in").click()
    at.run()
    assert auth.account(handle, who.account_id).totp_enabled
    assert auth.session_account(handle, other) is None  # another browser's sign-in ended
    assert auth.session_account(handle, at.session_state["token"]) is not None  # this one goes on


def test_removing_one_s_own_two_step_asks_for_the_password_and_a_code(handle):
    who, secret = person(handle, "account_manager", two_step=True)
    at = page(handle, who, "pages/account.py")
    submit(at, "remove_totp", PASSWORD, "123456")
    assert [e.value for e in at.error] == [f"Not removed: {REFUSED}"]
    assert auth.account(handle, who.account_id).totp_enabled
    submit(at, "remove_totp", PASSWORD, pyotp.TOTP(secret).now())
    assert not at.error and not auth.account(handle, who.account_id).totp_enabled
    assert auth.session_account(handle, at.session_state["token"]) is not None


def test_changing_the_password_keeps_this_tab_and_ends_the_others(handle):
    who, _ = person(handle, "account_manager")
    at = page(handle, who, "pages/account.py")
    other = auth.start_session(handle, who.account_id)
    by_label(at.text_input, "Current password").input(PASSWORD)
    by_label(at.text_input, "New password").input("a brand new passphrase")
    by_label(at.text_input, "New password again").input("a brand new passphrase")
    by_label(at.button, "Change password").click()
    at.run()
    assert not at.exception and not at.error
    assert auth.session_account(handle, other) is None
    assert auth.session_account(handle, at.session_state["token"]) is not None
    assert [t.value for t in at.title] == ["Your account"]


def test_a_change_without_an_account_or_a_change_chosen_asks_for_them_and_counts_no_failure(handle):
    admin, _ = person(handle)
    at = page(handle, admin, "pages/admin.py")
    before = state(handle, admin.email)
    submit(at, "change_account", "not the password")
    assert [e.value for e in at.error] == ["Not changed: choose an account and a change."]
    assert state(handle, admin.email) == before
    assert (
        handle.cursor().execute("SELECT count(*) FROM sign_in_attempts WHERE email = ?", [admin.email]).fetchall()[0][0]
        == 0
    )


def test_an_api_token_is_made_with_the_password_shown_once_and_revoked(handle):
    from analysis.api import tokens

    handle.cursor().execute("DELETE FROM sign_in_attempts")  # the tests before failed from this address
    who, _ = person(handle, "client_viewer")
    at = page(handle, who, "pages/account.py")
    by_label(at.text_input, "Name").input("nightly report")
    at.text_input(key="api_token_password").input("not the password")
    by_label(at.button, "Make a token").click()
    at.run()
    assert [e.value for e in at.error] == [f"Not made: {REFUSED}"]
    assert tokens.account_tokens(handle, who.account_id).empty
    by_label(at.text_input, "Name").input("nightly report")
    at.text_input(key="api_token_password").input(PASSWORD)
    by_label(at.button, "Make a token").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [shown] = [c.value for c in at.code]
    held = tokens.token_holder(handle, shown)
    assert held is not None and held.account.account_id == who.account_id
    assert list(tokens.account_tokens(handle, who.account_id)["name"]) == ["nightly report"]
    at.run()  # the next run no longer shows it
    assert not at.code
    by_label(at.button, "Revoke").click()
    at.run()
    assert tokens.token_holder(handle, shown) is None
    assert tokens.account_tokens(handle, who.account_id).empty
