"""Secrets at rest (issue 10, finding 11): the cookie-signing key and TOTP secrets are encrypted
with a key kept outside the database (a 0600 file beside it, or UPTAKE_SECRET_KEY, which wins);
plaintext from before is encrypted on open; a database without its key, or with another key,
stops with a clear message and never gets new secrets."""

import hashlib
import hmac
import os
import shutil
import socket
import stat
import subprocess
import sys

import pyotp
import pytest

from analysis import auth, secretbox
from analysis.access import OPERATOR
from analysis.store import Store
from tests.conftest import ROOT

PASSWORD = "tr0ub4dor&3 horse"
OTHER_KEY = "another-key-that-is-long-enough-0123456789"


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch):
    monkeypatch.delenv(secretbox.ENV, raising=False)


def open_store(path):
    return Store(path, staging_dir=path.parent / "staging")


def with_secrets(path):
    """A database with a cookie key, a signed cookie and an account's TOTP secret; closed."""
    store = open_store(path)
    ann = auth.add_account(store, OPERATOR, "ann@acme.test", "admin", password=PASSWORD)
    secret = auth.start_totp(store, ann.account_id)
    token = auth.start_session(store, ann.account_id)
    cookie = auth.cookie_value(store, token)
    key = auth.cookie_key(store)
    store.close()
    return key, secret, token, cookie


def every_text(store) -> list[str]:
    cur = store.cursor()
    columns = cur.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE data_type = 'VARCHAR' AND NOT internal"
    ).fetchall()
    return [v for t, c in columns for (v,) in cur.execute(f'SELECT "{c}" FROM "{t}"').fetchall() if v]


def test_the_database_holds_no_plaintext_secret(tmp_path):
    key, secret, token, cookie = with_secrets(tmp_path / "db.duckdb")
    store = open_store(tmp_path / "db.duckdb")
    texts = every_text(store)
    assert len(texts) > 5 and not [t for t in texts if key in t or secret in t]
    assert auth.cookie_key(store) == key and auth.totp_secret(store, 1) == secret
    store.close()


def test_plaintext_secrets_from_before_are_encrypted_on_open(tmp_path):
    path = tmp_path / "db.duckdb"
    store = open_store(path)
    ann = auth.add_account(store, OPERATOR, "ann@acme.test", "admin", password=PASSWORD)
    with store.transaction() as cur:  # as the app stored them before this change
        cur.execute("INSERT OR REPLACE INTO app_settings VALUES ('cookie_key', 'old-plain-cookie-key')")
        cur.execute("UPDATE accounts SET totp_secret = 'JBSWY3DPEHPK3PXP', totp_enabled = true")
    token = auth.start_session(store, ann.account_id)
    store.close()
    old_cookie = f"{token}.{hmac.new(b'old-plain-cookie-key', token.encode(), hashlib.sha256).hexdigest()}"
    store = open_store(path)
    assert not [t for t in every_text(store) if "old-plain-cookie-key" in t or "JBSWY3DPEHPK3PXP" in t]
    assert auth.token_from_cookie(store, old_cookie) == token  # sign-ins survive the upgrade
    assert auth.totp_secret(store, ann.account_id) == "JBSWY3DPEHPK3PXP"
    store.close()


def test_the_cookie_verifies_after_a_restart_and_another_key_stops_cleanly(tmp_path, monkeypatch):
    path = tmp_path / "db.duckdb"
    key, secret, token, cookie = with_secrets(path)
    store = open_store(path)
    assert auth.token_from_cookie(store, cookie) == token
    code = pyotp.TOTP(secret).now()
    assert auth.confirm_totp(store, 1, code)
    store.close()
    before = path.read_bytes()
    monkeypatch.setenv(secretbox.ENV, OTHER_KEY)  # the variable wins over the key file
    with pytest.raises(
        secretbox.SecretKeyError,
        match=f"the secret key from {secretbox.ENV} does not open this "
        r"database's secrets \(2 of 2: ",
    ):
        open_store(path)
    assert path.read_bytes() == before  # nothing regenerated, nothing written


def test_a_database_copied_without_its_key_can_neither_open_nor_forge(tmp_path):
    key, secret, token, cookie = with_secrets(tmp_path / "db.duckdb")
    (tmp_path / "copy").mkdir()
    shutil.copy(tmp_path / "db.duckdb", tmp_path / "copy" / "db.duckdb")
    with pytest.raises(secretbox.SecretKeyError, match="has encrypted secrets but its key is not here"):
        open_store(tmp_path / "copy" / "db.duckdb")
    assert not (tmp_path / "copy" / "secrets").exists()  # no new key made
    import duckdb

    con = duckdb.connect(str(tmp_path / "copy" / "db.duckdb"), read_only=True)
    stored = con.execute("SELECT value FROM app_settings WHERE key = 'cookie_key'").fetchall()[0][0]
    totp = con.execute("SELECT totp_secret FROM accounts").fetchall()[0][0]
    con.close()
    assert stored.startswith(secretbox.PREFIX) and totp.startswith(secretbox.PREFIX)
    forged = hmac.new(stored.encode(), token.encode(), hashlib.sha256).hexdigest()
    assert cookie != f"{token}.{forged}" and secret not in totp


def test_the_key_file_is_made_beside_the_database_with_mode_0600(tmp_path):
    open_store(tmp_path / "uptake.duckdb").close()
    made = tmp_path / "secrets" / "uptake.key"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(made.parent.stat().st_mode) == 0o700
    assert len(made.read_text().strip()) >= secretbox.MIN_KEY


def test_the_environment_variable_wins_and_no_file_is_made(tmp_path, monkeypatch):
    path = tmp_path / "db.duckdb"
    monkeypatch.setenv(secretbox.ENV, OTHER_KEY)
    key, secret, token, cookie = with_secrets(path)
    assert not (tmp_path / "secrets").exists()
    store = open_store(path)
    assert auth.token_from_cookie(store, cookie) == token
    store.close()
    monkeypatch.delenv(secretbox.ENV)
    with pytest.raises(secretbox.SecretKeyError, match="its key is not here"):
        open_store(path)


def test_a_second_key_rotates_and_a_short_key_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "db.duckdb"
    key, secret, token, cookie = with_secrets(path)
    old = (tmp_path / "secrets" / "db.key").read_text().strip()
    monkeypatch.setenv(secretbox.ENV, f"{OTHER_KEY},{old}")  # new first: values move to it on open
    open_store(path).close()
    monkeypatch.setenv(secretbox.ENV, OTHER_KEY)
    store = open_store(path)
    assert auth.token_from_cookie(store, cookie) == token and auth.totp_secret(store, 1) == secret
    store.close()
    monkeypatch.setenv(secretbox.ENV, "too short")
    with pytest.raises(secretbox.SecretKeyError, match="at least 32 characters"):
        open_store(path)


def test_the_command_line_says_so_without_a_traceback(tmp_path):
    env = {**os.environ, "UPTAKE_DB": str(tmp_path / "cli.duckdb"), "UPTAKE_DEMO": "0"}
    env.pop(secretbox.ENV, None)
    with_secrets(tmp_path / "cli.duckdb")
    env[secretbox.ENV] = OTHER_KEY
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "user", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"uptake: the secret key from {secretbox.ENV} does not open")


def test_the_app_refuses_to_start_with_another_key_and_says_why(tmp_path):
    with_secrets(tmp_path / "app.duckdb")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "UPTAKE_DB": str(tmp_path / "app.duckdb"), "UPTAKE_DEMO": "0", secretbox.ENV: OTHER_KEY}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "server.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3
    assert "Uptake cannot start: the secret key from UPTAKE_SECRET_KEY does not open" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
