"""Local accounts: argon2id hashes, no default account, the same answer for unknown and wrong,
the attempt limit with growing delays, session limits with the clock injected, sign-out,
claim codes and signed cookies, password reset, TOTP, and the command line."""

import hashlib
from datetime import datetime, timedelta

import pyotp
import pytest

from analysis import auth
from analysis.access import OPERATOR, AccessDenied, Principal
from analysis.auth import hashing, throttle
from tests.cli_run import run_in_process

T0 = datetime(2026, 3, 2, 9, 0, 0)
PASSWORD = "tr0ub4dor&3 horse"


@pytest.fixture
def ann(acme):
    return auth.add_account(acme.store, OPERATOR, " Ann@Acme.test ", "client_viewer", [acme.org_id], password=PASSWORD)


def test_hashes_are_argon2id_at_owasp_cost(acme, ann):
    stored = acme.store.cursor().execute("SELECT pw_hash FROM accounts").fetchall()[0][0]
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored


def test_a_new_database_has_no_account_and_needs_the_setup_code(store):
    assert auth.needs_setup(store)
    code = auth.new_setup_code(store, now=T0)
    with pytest.raises(auth.AccountError, match="wrong or has expired"):
        auth.create_first_admin(store, "000-000-000", "boss@x.test", PASSWORD, now=T0)
    with pytest.raises(auth.AccountError, match="wrong or has expired"):
        auth.create_first_admin(store, code, "boss@x.test", PASSWORD, now=T0 + timedelta(hours=25))
    admin = auth.create_first_admin(store, code, "boss@x.test", PASSWORD, now=T0)
    assert admin.role == "admin" and not auth.needs_setup(store)
    with pytest.raises(auth.AccountError, match="already set up"):
        auth.create_first_admin(store, code, "evil@x.test", PASSWORD, now=T0)


def test_sign_in_and_the_same_answer_for_unknown_and_wrong(acme, ann, monkeypatch):
    who = auth.verify_sign_in(acme.store, "ANN@acme.test", PASSWORD, now=T0)
    assert (who.email, who.role, who.org_ids) == ("ann@acme.test", "client_viewer", frozenset({acme.org_id}))
    hashes = []

    class Counting:
        def verify(self, stored, password):
            hashes.append(stored)
            return real.verify(stored, password)

    real = hashing.HASHER
    monkeypatch.setattr(hashing, "HASHER", Counting())
    messages = []
    for email, password in (("nobody@acme.test", PASSWORD), ("ann@acme.test", "wrong password!!")):
        with pytest.raises(auth.SignInRefused) as refused:
            auth.verify_sign_in(acme.store, email, password, now=T0)
        messages.append(str(refused.value))
    assert messages == [auth.WRONG, auth.WRONG]
    assert len(hashes) == 2  # the unknown email paid for a hash check too


def test_growing_delays_then_a_limit_of_100_failures_an_hour_and_no_permanent_lockout(acme, ann):
    now = T0
    for _ in range(5):  # five free failures
        with pytest.raises(auth.SignInRefused, match="Wrong"):
            auth.verify_sign_in(acme.store, "ann@acme.test", "bad", now=now)
    with pytest.raises(auth.SignInRefused, match="wait 1 second and"):  # not evaluated, even if right
        auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, now=now)
    now += timedelta(seconds=1)
    with pytest.raises(auth.SignInRefused, match="Wrong"):  # evaluated again: failure 6
        auth.verify_sign_in(acme.store, "ann@acme.test", "bad", now=now)
    with pytest.raises(auth.SignInRefused, match="wait 2 seconds"):
        auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, now=now)
    assert [throttle.delay_seconds(n) for n in (4, 5, 6, 7, 10, 11, 99)] == [0, 1, 2, 4, 32, 60, 60]
    # keep failing, always after the delay, until 100 failures in the hour
    failures = 6
    while failures < 100:
        now += timedelta(seconds=throttle.delay_seconds(failures))
        with pytest.raises(auth.SignInRefused):
            auth.verify_sign_in(acme.store, "ann@acme.test", "bad", now=now)
        failures += 1
        if now - T0 > timedelta(minutes=55):
            break
    count = acme.store.cursor().execute("SELECT count(*) FROM sign_in_attempts WHERE NOT succeeded").fetchall()[0][0]
    assert count <= 100
    # even the right password is not evaluated while the account is throttled ...
    with pytest.raises(auth.SignInRefused, match="Too many"):
        auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, now=now)
    # ... and an hour after the last failure it works again
    assert auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, now=now + timedelta(hours=1, seconds=1))


def test_the_hundredth_failure_in_an_hour_closes_the_door(acme, ann):
    cur = acme.store.cursor()
    for i in range(100):
        cur.execute(
            "INSERT INTO sign_in_attempts (email, attempted_at, succeeded) VALUES ('ann@acme.test', ?, false)",
            [T0 + timedelta(seconds=i)],
        )
    with pytest.raises(auth.SignInRefused, match="Too many failed sign-ins for this account in the last hour"):
        auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, now=T0 + timedelta(minutes=59))
    assert auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, now=T0 + timedelta(minutes=61, seconds=40))


@pytest.mark.parametrize("minutes_idle,signed_in", [(29, True), (30, True), (31, False)])
def test_idle_limit_of_30_minutes(acme, ann, minutes_idle, signed_in):
    token = auth.start_session(acme.store, ann.account_id, now=T0)
    assert (auth.session_account(acme.store, token, now=T0 + timedelta(minutes=minutes_idle)) is not None) == signed_in


def test_twelve_hours_in_all_even_when_active(acme, ann):
    token = auth.start_session(acme.store, ann.account_id, now=T0)
    now = T0
    while now + timedelta(minutes=20) < T0 + timedelta(hours=12):  # every 20 min up to 11:40
        now += timedelta(minutes=20)
        assert auth.session_account(acme.store, token, now=now) is not None
    assert auth.session_account(acme.store, token, now=T0 + timedelta(hours=12)) is None


def test_sign_out_ends_tab_and_cookie_tokens_and_claims_are_single_use(acme, ann):
    tab = auth.start_session(acme.store, ann.account_id, now=T0)
    code = auth.claim_code(acme.store, tab, now=T0)
    cookie = auth.redeem_claim(acme.store, code, now=T0 + timedelta(seconds=5))
    assert cookie and auth.redeem_claim(acme.store, code, now=T0 + timedelta(seconds=6)) is None
    assert auth.session_account(acme.store, cookie, now=T0 + timedelta(minutes=1)).email == "ann@acme.test"
    auth.end_session(acme.store, cookie, now=T0 + timedelta(minutes=2))
    assert auth.session_account(acme.store, tab, now=T0 + timedelta(minutes=3)) is None
    assert auth.session_account(acme.store, cookie, now=T0 + timedelta(minutes=3)) is None
    late = auth.claim_code(acme.store, auth.start_session(acme.store, ann.account_id, now=T0), now=T0)
    assert auth.redeem_claim(acme.store, late, now=T0 + timedelta(seconds=61)) is None


def test_only_hashes_of_tokens_are_stored(acme, ann):
    token = auth.start_session(acme.store, ann.account_id, now=T0)
    stored = [r[0] for r in acme.store.cursor().execute("SELECT token_hash FROM sessions").fetchall()]
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


def test_cookie_signature(acme, ann):
    token = auth.start_session(acme.store, ann.account_id)
    value = auth.cookie_value(acme.store, token)
    assert auth.token_from_cookie(acme.store, value) == token
    for forged in (token, f"{token}.{'0' * 64}", f"x{token}.{value.split('.')[1]}", "", None, "a.b.c"):
        assert auth.token_from_cookie(acme.store, forged) is None


def test_disabling_ends_sign_ins_and_sign_in(acme, ann):
    token = auth.start_session(acme.store, ann.account_id)
    auth.disable_account(acme.store, OPERATOR, "ann@acme.test")
    assert auth.session_account(acme.store, token) is None
    with pytest.raises(auth.SignInRefused, match="Wrong email or password"):
        auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD)


def test_reset_gives_a_one_time_password_that_must_be_changed(acme, ann):
    token = auth.start_session(acme.store, ann.account_id)
    one_time = auth.reset_password(acme.store, OPERATOR, "ann@acme.test")
    assert auth.session_account(acme.store, token) is None
    who = auth.verify_sign_in(acme.store, "ann@acme.test", one_time)
    assert who.must_change_password
    with pytest.raises(auth.AccountError, match="at least 12"):
        auth.change_password(acme.store, who.account_id, one_time, "short")
    auth.change_password(acme.store, who.account_id, one_time, "a brand new passphrase")
    assert not auth.verify_sign_in(acme.store, "ann@acme.test", "a brand new passphrase").must_change_password


def test_totp_second_step(acme, ann):
    secret = auth.start_totp(acme.store, ann.account_id)
    assert not auth.confirm_totp(acme.store, ann.account_id, "000000", now=T0)
    assert auth.confirm_totp(acme.store, ann.account_id, pyotp.TOTP(secret).at(T0), now=T0)
    with pytest.raises(auth.TotpNeeded):
        auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, now=T0)
    with pytest.raises(auth.SignInRefused, match="code is not right"):
        auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, "123456", now=T0)
    later = T0 + timedelta(minutes=5)
    assert auth.verify_sign_in(acme.store, "ann@acme.test", PASSWORD, pyotp.TOTP(secret).at(later), now=later)


def test_totp_can_be_required_for_provider_roles(acme):
    manager = auth.add_account(
        acme.store, OPERATOR, "am@provider.test", "account_manager", [acme.org_id], password=PASSWORD
    )
    viewer = auth.add_account(acme.store, OPERATOR, "v@acme.test", "client_viewer", [acme.org_id], password=PASSWORD)
    assert not auth.needs_totp_setup(acme.store, manager)
    auth.set_totp_required_for_providers(acme.store, OPERATOR, True)
    assert auth.needs_totp_setup(acme.store, manager) and not auth.needs_totp_setup(acme.store, viewer)
    with pytest.raises(AccessDenied):
        auth.set_totp_required_for_providers(acme.store, viewer.principal, False)


@pytest.mark.parametrize(
    "role,orgs,message",
    [
        ("client_viewer", [], "exactly one organisation"),
        ("client_uploader", [1, 2], "exactly one organisation"),
        ("admin", [1], "give no organisation"),
        ("owner", [], "unknown role"),
    ],
)
def test_account_rules(acme, role, orgs, message):
    with pytest.raises(auth.AccountError, match=message):
        auth.add_account(acme.store, OPERATOR, "x@acme.test", role, orgs, password=PASSWORD)


def test_only_an_admin_manages_accounts(acme, ann):
    manager = Principal("am@provider.test", "account_manager", frozenset({acme.org_id}))
    for call in (
        lambda: auth.add_account(acme.store, manager, "y@acme.test", "client_viewer", [acme.org_id]),
        lambda: auth.reset_password(acme.store, manager, "ann@acme.test"),
        lambda: auth.disable_account(acme.store, manager, "ann@acme.test"),
        lambda: auth.accounts(acme.store, manager),
    ):
        with pytest.raises(AccessDenied):
            call()


def test_command_line_accounts(tmp_path):
    def run(*args, stdin=""):  # in this process (tests/cli_run.py)
        return run_in_process(tmp_path / "u.duckdb", *args, stdin=stdin)

    assert run("org", "add", "Acme").returncode == 0
    made = run(
        "user",
        "add",
        "Lead@Acme.test",
        "--role",
        "client_viewer",
        "--org",
        "Acme",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0 and made.stdout.strip() == "added lead@acme.test (client_viewer)"
    short = run("user", "add", "x@acme.test", "--role", "admin", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    assert "lead@acme.test" in run("user", "list").stdout
    one_time = run("user", "reset", "lead@acme.test").stdout.strip()
    assert len(one_time) >= 12
    assert run("user", "disable", "lead@acme.test").returncode == 0
    assert "Traceback" not in run("user", "disable", "lead@acme.test").stderr


def test_single_sign_on_matches_accounts_by_email(acme):
    made = auth.add_account(acme.store, OPERATOR, "lead@acme.test", "client_viewer", [acme.org_id])
    assert auth.single_sign_on_account(acme.store, " LEAD@acme.test").account_id == made.account_id
    with pytest.raises(auth.SignInRefused, match="no Uptake account for carol@x.test"):
        auth.single_sign_on_account(acme.store, "carol@x.test")
    with pytest.raises(auth.SignInRefused, match="Wrong email or password"):  # no password to guess
        auth.verify_sign_in(acme.store, "lead@acme.test", "")
