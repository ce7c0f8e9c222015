"""Sign-ins that end when the account's security changes, TOTP codes that work once, removing a
lost authenticator, and re-authentication before security-sensitive changes (issue 10, finding
10 and the re-authentication cure of finding 1). The clock is injected: T0 starts a 30-second
TOTP step."""

from datetime import datetime, timedelta

import pyotp
import pytest

from analysis import auth
from analysis.access import OPERATOR, AccessDenied, Principal
from analysis.auth import account_changes, reauth, throttle

T0 = datetime(2026, 3, 2, 9, 0, 0)
PASSWORD = "tr0ub4dor&3 horse"
STEP = timedelta(seconds=30)


@pytest.fixture
def ann(acme):
    return auth.add_account(acme.store, OPERATOR, "ann@acme.test", "account_manager", [acme.org_id], password=PASSWORD)


def code(secret, at):
    return pyotp.TOTP(secret).at(at)


def two_sign_ins(store, account_id, now=T0):
    """(this tab's token, this browser's cookie token, another browser's token)."""
    mine = auth.start_session(store, account_id, now)
    cookie = auth.redeem_claim(store, auth.claim_code(store, mine, now), now)
    return mine, cookie, auth.start_session(store, account_id, now)


def live(store, *tokens, now=T0 + timedelta(minutes=1)):
    return [auth.session_account(store, t, now) is not None for t in tokens]


def with_two_step(store, who, at=T0):
    secret = auth.start_totp(store, who.account_id)
    assert auth.confirm_totp(store, who.account_id, code(secret, at), now=at)
    return secret


def failures(store, email):
    return (
        store.cursor()
        .execute("SELECT count(*) FROM sign_in_attempts WHERE email = ? AND NOT succeeded", [email])
        .fetchall()[0][0]
    )


# -- which sign-ins end ------------------------------------------------------------------------------


def test_changing_one_s_password_ends_every_other_sign_in_but_keeps_this_one(acme, ann):
    mine, cookie, other = two_sign_ins(acme.store, ann.account_id)
    auth.change_password(acme.store, ann.account_id, PASSWORD, "a brand new passphrase", keep_token=mine, now=T0)
    assert live(acme.store, mine, cookie, other) == [True, True, False]


def test_turning_two_step_on_ends_every_other_sign_in_but_keeps_this_one(acme, ann):
    mine, cookie, other = two_sign_ins(acme.store, ann.account_id)
    secret = auth.start_totp(acme.store, ann.account_id)
    assert auth.confirm_totp(acme.store, ann.account_id, code(secret, T0), now=T0, keep_token=mine)
    assert live(acme.store, mine, cookie, other) == [True, True, False]


def test_removing_one_s_own_two_step_ends_every_other_sign_in(acme, ann):
    secret = with_two_step(acme.store, ann)
    mine, cookie, other = two_sign_ins(acme.store, ann.account_id, T0 + STEP)
    reauth.remove_own_two_step(
        acme.store, ann.account_id, PASSWORD, code(secret, T0 + STEP), keep_token=mine, now=T0 + STEP
    )
    assert live(acme.store, mine, cookie, other) == [True, True, False]
    assert not auth.account(acme.store, ann.account_id).totp_enabled


@pytest.mark.parametrize("change", ["reset", "remove_two_step", "disable"])
def test_an_admin_s_change_ends_every_sign_in_of_the_account(acme, ann, change):
    with_two_step(acme.store, ann)
    tokens = two_sign_ins(acme.store, ann.account_id)
    {
        "reset": lambda: auth.reset_password(acme.store, OPERATOR, "ann@acme.test", now=T0),
        "remove_two_step": lambda: reauth.remove_two_step(acme.store, OPERATOR, "ann@acme.test", now=T0),
        "disable": lambda: auth.disable_account(acme.store, OPERATOR, "ann@acme.test", now=T0),
    }[change]()
    assert live(acme.store, *tokens) == [False, False, False]


def test_a_reset_keeps_two_step_sign_in(acme, ann):
    """The choice: a reset gives a new password only; a lost authenticator is removed explicitly."""
    secret = with_two_step(acme.store, ann)
    one_time = auth.reset_password(acme.store, OPERATOR, "ann@acme.test", now=T0)
    with pytest.raises(auth.TotpNeeded):
        auth.verify_sign_in(acme.store, "ann@acme.test", one_time, now=T0 + STEP)
    assert auth.verify_sign_in(acme.store, "ann@acme.test", one_time, code(secret, T0 + STEP), now=T0 + STEP)


# -- TOTP codes work once ----------------------------------------------------------------------------


def test_a_code_works_once(acme, ann):
    secret = with_two_step(acme.store, ann)  # used the code of T0's step
    later = T0 + 2 * STEP
    assert auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, code(secret, later), now=later)
    with pytest.raises(auth.SignInRefused, match="code is not right"):
        auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, code(secret, later), now=later + STEP / 6)


def test_the_code_that_turned_two_step_on_does_not_sign_in(acme, ann):
    secret = with_two_step(acme.store, ann)
    with pytest.raises(auth.SignInRefused, match="code is not right"):
        auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, code(secret, T0), now=T0 + timedelta(seconds=10))


def test_an_older_code_is_refused_after_a_newer_one_was_used(acme, ann):
    secret = with_two_step(acme.store, ann)
    now = T0 + 10 * STEP
    # the phone runs a step ahead: its code is accepted (drift), then the server's current one is older
    assert auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, code(secret, now + STEP), now=now)
    for older in (now, now - STEP):
        with pytest.raises(auth.SignInRefused, match="code is not right"):
            auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, code(secret, older), now=now)


@pytest.mark.parametrize("drift,accepted", [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_one_step_of_clock_drift_either_side(acme, ann, drift, accepted):
    secret = with_two_step(acme.store, ann)
    now = T0 + 10 * STEP
    attempt = lambda: auth.verify_sign_in(
        acme.store, "ann@acme.test", PASSWORD, code(secret, now + drift * STEP), now=now
    )
    if accepted:
        assert attempt().email == "ann@acme.test"
    else:
        with pytest.raises(auth.SignInRefused, match="code is not right"):
            attempt()


def test_two_step_cannot_be_set_up_again_over_a_working_one(acme, ann):
    with_two_step(acme.store, ann)
    with pytest.raises(auth.AccountError, match="remove it first"):
        auth.start_totp(acme.store, ann.account_id)
    assert auth.account(acme.store, ann.account_id).totp_enabled


# -- removing a lost authenticator ---------------------------------------------------------------------


def test_an_admin_removes_a_lost_authenticator_and_a_required_one_is_set_up_again(acme, ann):
    with_two_step(acme.store, ann)
    auth.set_totp_required_for_providers(acme.store, OPERATOR, True)
    reauth.remove_two_step(acme.store, OPERATOR, "ann@acme.test", now=T0)
    who = auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, now=T0 + STEP)  # no code asked
    assert not who.totp_enabled and auth.needs_totp_setup(acme.store, who)
    with pytest.raises(auth.AccountError, match="has no two-step sign-in"):
        reauth.remove_two_step(acme.store, OPERATOR, "ann@acme.test", now=T0)


def test_an_admin_removes_their_own_on_their_account_page_only(acme):
    boss = auth.add_account(acme.store, OPERATOR, "boss@provider.test", "admin", password=PASSWORD)
    with_two_step(acme.store, boss)
    with pytest.raises(auth.AccountError, match="Your account page"):
        reauth.remove_two_step(acme.store, boss.principal, "boss@provider.test", now=T0)
    assert auth.account(acme.store, boss.account_id).totp_enabled


@pytest.mark.parametrize("password,use_code", [("not my password", True), (PASSWORD, False), (PASSWORD, "wrong")])
def test_removing_one_s_own_needs_the_password_and_a_code(acme, ann, password, use_code):
    secret = with_two_step(acme.store, ann)
    given = code(secret, T0 + STEP) if use_code is True else ("123456" if use_code else "")
    mine, cookie, other = two_sign_ins(acme.store, ann.account_id)
    with pytest.raises(reauth.ConfirmationRefused, match="nothing was changed"):
        reauth.remove_own_two_step(acme.store, ann.account_id, password, given, keep_token=mine, now=T0 + STEP)
    assert auth.account(acme.store, ann.account_id).totp_enabled
    assert live(acme.store, mine, cookie, other) == [True, True, True]
    assert failures(acme.store, "ann@acme.test") == 1


# -- re-authentication ---------------------------------------------------------------------------------


def test_a_wrong_confirmation_counts_as_a_failed_sign_in_and_is_throttled(acme, ann):
    for n in range(throttle.ACCOUNT_FREE_FAILURES):
        with pytest.raises(reauth.ConfirmationRefused, match="nothing was changed"):
            reauth.confirm_identity(acme.store, ann.account_id, "guess", now=T0 + timedelta(seconds=n))
    assert failures(acme.store, "ann@acme.test") == throttle.ACCOUNT_FREE_FAILURES
    soon = T0 + timedelta(seconds=throttle.ACCOUNT_FREE_FAILURES - 0.5)  # within the 1-second delay after the fifth
    with pytest.raises(reauth.ConfirmationRefused, match="Too many failed sign-ins"):  # even the right one
        reauth.confirm_identity(acme.store, ann.account_id, PASSWORD, now=soon)
    with pytest.raises(auth.SignInRefused, match="Too many failed sign-ins"):  # and the sign-in page
        auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, now=soon)
    reauth.confirm_identity(acme.store, ann.account_id, PASSWORD, now=T0 + timedelta(minutes=5))


def test_a_confirmation_with_two_step_needs_an_unused_code(acme, ann):
    secret = with_two_step(acme.store, ann)
    now = T0 + 4 * STEP
    for given in (None, "", "000000", code(secret, T0)):  # none, empty, wrong, already used
        with pytest.raises(reauth.ConfirmationRefused):
            reauth.confirm_identity(acme.store, ann.account_id, PASSWORD, given, now=now)
    reauth.confirm_identity(acme.store, ann.account_id, PASSWORD, code(secret, now), now=now)
    with pytest.raises(reauth.ConfirmationRefused):  # used up by the confirmation
        reauth.confirm_identity(acme.store, ann.account_id, PASSWORD, code(secret, now), now=now)


# -- changing role and organisations ---------------------------------------------------------------------


def test_an_admin_changes_role_and_organisations_under_the_rules(acme, ann):
    token = auth.start_session(acme.store, ann.account_id, T0)
    changed = account_changes.change_access(acme.store, OPERATOR, "ann@acme.test", "client_viewer", [acme.org_id])
    assert (changed.role, changed.org_ids) == ("client_viewer", frozenset({acme.org_id}))
    assert auth.session_account(acme.store, token, T0 + STEP).role == "client_viewer"  # from the next click
    with pytest.raises(auth.AccountError, match="exactly one organisation"):
        account_changes.change_access(acme.store, OPERATOR, "ann@acme.test", "client_viewer", [])
    changed = account_changes.change_access(acme.store, OPERATOR, "ann@acme.test", "admin", [])
    assert (changed.role, changed.org_ids) == ("admin", frozenset())
    with pytest.raises(auth.AccountError, match="your own role"):
        account_changes.change_access(acme.store, changed.principal, "ann@acme.test", "client_viewer", [acme.org_id])
    with pytest.raises(AccessDenied):
        account_changes.change_access(
            acme.store, Principal("v", "client_viewer", frozenset({acme.org_id})), "ann@acme.test", "admin", []
        )


def test_an_account_without_a_password_confirms_with_a_fresh_single_sign_on_of_its_own(acme):
    sso = auth.add_account(acme.store, OPERATOR, "sso@provider.test", "admin")
    for vouched in (None, "", "other@provider.test"):
        with pytest.raises(reauth.ConfirmationRefused, match="sign in with it again"):
            reauth.confirm_identity(acme.store, sso.account_id, "", vouched_email=vouched, now=T0)
    reauth.confirm_identity(acme.store, sso.account_id, "", vouched_email=" SSO@provider.test", now=T0)
    with pytest.raises(reauth.ConfirmationRefused):  # a password account cannot confirm by single sign-on
        ann = auth.add_account(acme.store, OPERATOR, "ann@acme.test", "admin", password=PASSWORD)
        reauth.confirm_identity(acme.store, ann.account_id, "", vouched_email="ann@acme.test", now=T0)


def test_the_operator_removes_the_only_admin_s_lost_authenticator_from_the_command_line(cli):
    """With one admin, nobody else can remove it on the Administration page."""
    from analysis.store import Store

    handle = Store(cli.path)
    boss = auth.add_account(handle, OPERATOR, "boss@provider.test", "admin", password=PASSWORD)
    with_two_step(handle, boss)
    token = auth.start_session(handle, boss.account_id)
    handle.close()
    done = cli("user", "remove-two-step", "Boss@provider.test")
    assert done.stdout.strip() == "removed boss@provider.test's two-step sign-in; their sign-ins have ended"
    again = cli("user", "remove-two-step", "boss@provider.test", ok=False)
    assert again.returncode != 0 and "has no two-step sign-in" in again.stderr
    handle = Store(cli.path)
    assert not auth.account(handle, boss.account_id).totp_enabled and auth.session_account(handle, token) is None
    handle.close()


def test_a_sign_in_is_read_once_until_a_write_and_a_revocation_ends_it_at_once(acme, ann, monkeypatch):
    """The sign-in check runs on every page run, so a sign-in that holds is kept until the next write
    (analysis/auth/sessions.py); its own activity write does not count as one."""
    from analysis.auth import sessions

    reads = []
    real = sessions._read_sign_in
    monkeypatch.setattr(sessions, "_read_sign_in", lambda store, key: reads.append(key) or real(store, key))
    mine, cookie, other = two_sign_ins(acme.store, ann.account_id)
    writes = acme.store.writes
    for minutes in (1, 2, 3):  # the activity is written at minutes 1 and 2: no write counted
        assert auth.session_account(acme.store, mine, T0 + timedelta(minutes=minutes)) is not None
    assert len(reads) == 1 and acme.store.writes == writes
    auth.end_session(acme.store, mine)  # sign out, from another tab of the same sign-in
    assert live(acme.store, mine, cookie, other, now=T0 + timedelta(minutes=4)) == [False, False, True]
    auth.disable_account(acme.store, OPERATOR, "ann@acme.test")
    assert live(acme.store, other, now=T0 + timedelta(minutes=5)) == [False]


def test_a_kept_sign_in_whose_tab_was_idle_is_read_again_before_it_is_refused(acme, ann):
    """Two tokens of one sign-in (the tab's and the cookie's) share its last activity: the cookie's
    use keeps the tab's token alive though the tab's kept read is older than the idle limit."""
    mine, cookie, _ = two_sign_ins(acme.store, ann.account_id)
    assert auth.session_account(acme.store, mine, T0 + timedelta(minutes=1)) is not None
    assert auth.session_account(acme.store, cookie, T0 + timedelta(minutes=25)) is not None
    assert auth.session_account(acme.store, mine, T0 + timedelta(minutes=45)) is not None  # 20 idle minutes
    assert auth.session_account(acme.store, mine, T0 + timedelta(minutes=80)) is None  # 35: signed out
