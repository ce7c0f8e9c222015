"""Sign-in throttling as an outsider attacks it (issue 10, finding 3): an address failing once a
second cannot lock the owner out from elsewhere; parallel attempts are each checked against the
ones before them; bursts of unknown e-mails are throttled per address before any hash; one
password hash at a time. And the setup code's race (finding 7). Clock injected, no sleeping."""

import threading
import time
from datetime import datetime, timedelta

import pyotp
import pytest

from analysis import auth
from analysis.access import OPERATOR
from analysis.auth import hashing, throttle

T0 = datetime(2026, 3, 2, 9, 0, 0)
PASSWORD = "tr0ub4dor&3 horse"
ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


@pytest.fixture
def boss(acme):
    return auth.add_account(acme.store, OPERATOR, "boss@provider.test", "admin", password=PASSWORD)


@pytest.fixture
def hashes(monkeypatch):
    """Every password check made (thread-safe), through the real hasher."""
    made = []
    real = hashing.HASHER

    class Counting:
        def verify(self, stored, password):
            made.append(stored)
            return real.verify(stored, password)

    monkeypatch.setattr(hashing, "HASHER", Counting())
    return made


def failures(store, **where) -> int:
    sql = "SELECT count(*) FROM sign_in_attempts WHERE NOT succeeded" + "".join(f" AND {k} = ?" for k in where)
    return store.cursor().execute(sql, list(where.values())).fetchall()[0][0]


def attempt(store, email, password, now, address):
    """The refusal's message, or "signed in"."""
    try:
        auth.verify_sign_in(store, email, password, now=now, address=address)
    except auth.SignInRefused as exc:
        return str(exc)
    return "signed in"


def test_an_address_failing_once_a_second_cannot_lock_the_owner_out(acme, boss, hashes):
    for second in range(600):  # ten minutes of one wrong password a second
        attempt(acme.store, "boss@provider.test", "guess", T0 + timedelta(seconds=second), ATTACKER)
    # checked at 0-4 s (free), then after the account's delays 1, 2, 4, 8, 16, 32 s (5, 7, 11, 19,
    # 35, 67 s) and every 60 s (127 ... 547 s): 19 checks, 581 refusals before any hash
    assert failures(acme.store) == 19 and len(hashes) == 19
    now = T0 + timedelta(seconds=600)
    assert attempt(acme.store, "boss@provider.test", PASSWORD, now, ATTACKER).startswith("Too many failed sign-ins")
    assert attempt(acme.store, "boss@provider.test", PASSWORD, now, OWNER) == "signed in"


def test_failing_addresses_stop_at_80_and_the_last_20_of_100_are_kept_for_clean_ones(acme, boss):
    cur = acme.store.cursor()
    for i in range(80):
        cur.execute(
            "INSERT INTO sign_in_attempts (email, attempted_at, succeeded, address) VALUES (?, ?, false, ?)",
            ["boss@provider.test", T0 + timedelta(seconds=20 * i), ATTACKER],
        )
    now = T0 + timedelta(minutes=30)
    assert attempt(acme.store, "boss@provider.test", PASSWORD, now, ATTACKER) == throttle.CAPPED
    assert attempt(acme.store, "boss@provider.test", PASSWORD, now, OWNER) == "signed in"
    for i in range(1, 21):  # 20 new addresses, one wrong guess each: all checked
        assert attempt(acme.store, "boss@provider.test", "guess", now, f"192.0.2.{i}") == auth.WRONG
    assert failures(acme.store) == 100
    assert attempt(acme.store, "boss@provider.test", PASSWORD, now, "192.0.2.99") == throttle.CAPPED
    assert failures(acme.store) == 100  # never more than 100 failed checks an hour
    later = now + timedelta(hours=1, seconds=1)  # no permanent lockout
    assert attempt(acme.store, "boss@provider.test", PASSWORD, later, "192.0.2.99") == "signed in"


def run_together(n, work):
    """work(i) in n threads released at once; their results in order."""
    start, results = threading.Barrier(n), [None] * n

    def one(i):
        start.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_parallel_attempts_are_each_checked_against_the_ones_before(acme, boss, hashes):
    answers = run_together(40, lambda i: attempt(acme.store, "boss@provider.test", "guess", T0, ATTACKER))
    # the five free failures are checked; the delay after them refuses the other 35, before hashing
    assert sorted(answers).count(auth.WRONG) == 5 and len(hashes) == 5 and failures(acme.store) == 5
    assert answers.count("Too many failed sign-ins: wait 1 second and try again.") == 35


def test_parallel_attempts_from_clean_addresses_are_all_checked_and_recorded(acme, boss, hashes):
    answers = run_together(8, lambda i: attempt(acme.store, "boss@provider.test", "guess", T0, f"192.0.2.{i}"))
    assert answers == [auth.WRONG] * 8 and len(hashes) == 8 and failures(acme.store) == 8


def test_unknown_emails_from_one_address_are_throttled_before_hashing(acme, boss, hashes):
    answers = [attempt(acme.store, f"nobody{i}@nowhere.test", "guess", T0, ATTACKER) for i in range(50)]
    assert answers[:10] == [auth.WRONG] * 10 and len(hashes) == 10
    assert set(answers[10:]) == {"Too many failed sign-ins from your network address: wait 1 second and try again."}
    assert failures(acme.store, address=ATTACKER) == 10
    # another address still gets its checks, and the owner signs in
    assert attempt(acme.store, "nobody@nowhere.test", "guess", T0, OWNER) == auth.WRONG and len(hashes) == 11
    assert attempt(acme.store, "boss@provider.test", PASSWORD, T0, "192.0.2.1") == "signed in"


def test_one_password_hash_at_a_time(acme, boss, monkeypatch):
    running, most = [0], [0]
    lock = threading.Lock()

    class Slow:
        def verify(self, stored, password):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1
            return False

    monkeypatch.setattr(hashing, "HASHER", Slow())
    answers = run_together(6, lambda i: attempt(acme.store, f"u{i}@nowhere.test", "guess", T0, f"192.0.2.{i}"))
    assert answers == [auth.WRONG] * 6 and most[0] == 1


def test_a_busy_server_refuses_without_counting_a_failure(acme, boss, monkeypatch):
    monkeypatch.setattr(hashing, "HASH_WAIT_SECONDS", 0.01)
    assert hashing.HASH_SLOTS.acquire(timeout=1)
    try:
        answer = attempt(acme.store, "boss@provider.test", PASSWORD, T0, OWNER)
    finally:
        hashing.HASH_SLOTS.release()
    assert answer == "The server is busy checking other sign-ins: try again in a moment."
    assert acme.store.cursor().execute("SELECT count(*) FROM sign_in_attempts").fetchall() == [(0,)]


def test_asking_for_the_code_counts_no_failure_and_a_wrong_code_counts_one(acme, boss):
    secret = auth.start_totp(acme.store, boss.account_id)
    assert auth.confirm_totp(acme.store, boss.account_id, pyotp.TOTP(secret).at(T0), now=T0)
    with pytest.raises(auth.TotpNeeded):
        auth.verify_sign_in(acme.store, "boss@provider.test", PASSWORD, now=T0, address=OWNER)
    assert acme.store.cursor().execute("SELECT count(*) FROM sign_in_attempts").fetchall() == [(0,)]
    with pytest.raises(auth.SignInRefused, match="code is not right"):
        auth.verify_sign_in(acme.store, "boss@provider.test", PASSWORD, "000000", now=T0, address=OWNER)
    assert failures(acme.store, address=OWNER) == 1


@pytest.mark.parametrize(
    "address,key",
    [
        (None, "local"),
        ("", "local"),
        ("203.0.113.9", "203.0.113.9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
    ],
)
def test_addresses_are_keyed_by_client(address, key):
    assert throttle.client_key(address) == key


def test_concurrent_setups_make_exactly_one_admin(store):
    code = auth.new_setup_code(store, now=T0)

    def setup(i):
        try:
            return auth.create_first_admin(store, code, f"admin{i}@provider.test", PASSWORD, now=T0).email
        except auth.AccountError as exc:
            return str(exc)

    answers = run_together(4, setup)
    assert store.cursor().execute("SELECT count(*) FROM accounts").fetchall() == [(1,)]
    assert sorted(answers).count("Uptake is already set up: sign in instead") == 3
    assert auth.setting(store, "setup_code") is None
