"""Local accounts and sign-in sessions.

- Passwords are hashed with argon2id at OWASP's minimum cost or above (19 MiB, 2 iterations,
  parallelism 1). An unknown email costs the same hash as a wrong password and gets the same
  message.
- Sign-ins are throttled per client address and per account, checked and recorded in one step,
  without locking the owner out from a clean address (analysis/throttle.py has the rules): at most
  100 failed sign-ins per account per hour, growing delays, never a permanent lockout. At most one
  password hash runs at a time, so a burst of sign-ins cannot starve the pages.
- A sign-in is a family of random tokens (the tab's, then the cookie's); only their SHA-256 is
  stored. It ends after 30 minutes idle or 12 hours in all, on sign-out, when the account is
  disabled, its password reset or two-step sign-in removed by an admin; a change of one's own
  password and turning two-step sign-in on or off end every other sign-in of the account. The
  cookie carries the token with an HMAC whose key the app generates on first start and keeps in
  the database, encrypted like the TOTP secrets with a key kept outside it (analysis/secretbox.py).
- A TOTP code works once (analysis/two_step.py); security-sensitive changes ask the person
  making them to confirm who they are (analysis/reauth.py).
- No default account exists: the first admin is created with a one-time setup code printed on
  the app's console, or with `python -m analysis user add`.

Every function takes `now` (naive UTC) so tests inject the clock instead of sleeping.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
import pyotp
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from analysis import secretbox, throttle, two_step
from analysis.access import PERMISSIONS, ROLES, AccessDenied, Principal
from analysis.store import Store

HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
IDLE_LIMIT = timedelta(minutes=30)
SESSION_LIMIT = timedelta(hours=12)
CLAIM_LIMIT = timedelta(seconds=60)
SETUP_CODE_LIMIT = timedelta(hours=24)
# One password check at a time (argon2id takes about 30 ms of one core): a burst of sign-ins uses
# one of the machine's cores and leaves the rest to the pages. A check waits for its turn this long.
HASH_SLOTS = threading.BoundedSemaphore(1)
HASH_WAIT_SECONDS = 10
MIN_PASSWORD = 12
WRONG = "Wrong email or password."


class SignInRefused(Exception):
    """A sign-in that did not succeed; the message is safe to show."""


class TotpNeeded(SignInRefused):
    """Email and password are right; the account's authenticator code is needed too."""


class AccountError(ValueError):
    """A bad request about an account (the message is safe to show)."""


class ServerBusy(AccountError):
    """No password check could start within HASH_WAIT_SECONDS."""


@dataclass(frozen=True)
class Account:
    account_id: int
    email: str
    role: str
    org_ids: frozenset[int]
    must_change_password: bool
    totp_enabled: bool

    @property
    def principal(self) -> Principal:
        return Principal(name=self.email, role=self.role, org_ids=self.org_ids)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# -- accounts -------------------------------------------------------------------------------------

def check_password(password: str, email: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise AccountError("a password is at most 1,024 characters")
    if email and password.strip().lower() == normalise_email(email):
        raise AccountError("the password cannot be the email address")


def _require_admin(actor: Principal) -> None:
    if actor.role not in PERMISSIONS["manage_users"]:
        raise AccessDenied(f"{actor.name} may not manage accounts")


def check_access(role: str, org_ids: list[int] | None) -> list[int]:
    """The organisations, sorted, of a valid role and organisation choice (else AccountError)."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    orgs = sorted(set(org_ids or []))
    if role in ("client_viewer", "client_uploader") and len(orgs) != 1:
        raise AccountError(f"a {role} belongs to exactly one organisation")
    if role == "admin" and orgs:
        raise AccountError("an admin sees every organisation: give no organisation")
    return orgs


def add_account(store: Store, actor: Principal, email: str, role: str, org_ids: list[int] | None = None,
                password: str | None = None, must_change_password: bool = False) -> Account:
    """A new account. Client roles belong to exactly one organisation; an account manager to the
    organisations given; an admin to all."""
    _require_admin(actor)
    email = normalise_email(email)
    if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
        raise AccountError(f"{email!r} is not an email address")
    orgs = check_access(role, org_ids)
    if password is not None:
        check_password(password, email)
    pw_hash = HASHER.hash(password) if password is not None else None
    with store.transaction() as cur:
        if cur.execute("SELECT count(*) FROM accounts WHERE email = ?", [email]).fetchall()[0][0]:
            raise AccountError(f"an account for {email} already exists")
        known = {r[0] for r in cur.execute("SELECT org_id FROM organisations").fetchall()}
        if set(orgs) - known:
            raise AccountError("no such organisation")
        account_id = cur.execute(
            "INSERT INTO accounts (email, role, pw_hash, must_change_password, created_by) VALUES (?, ?, ?, ?, ?) "
            "RETURNING account_id", [email, role, pw_hash, must_change_password, actor.name]).fetchall()[0][0]
        for org_id in orgs:
            cur.execute("INSERT INTO account_orgs VALUES (?, ?)", [account_id, org_id])
    return account(store, account_id)


def account(store: Store, account_id: int) -> Account | None:
    rows = store.cursor().execute(
        "SELECT a.account_id, a.email, a.role, a.must_change_password, a.totp_enabled, "
        "list(o.org_id) FILTER (WHERE o.org_id IS NOT NULL) FROM accounts a "
        "LEFT JOIN account_orgs o USING (account_id) WHERE a.account_id = ? AND a.disabled_at IS NULL "
        "GROUP BY ALL", [account_id]).fetchall()
    if not rows:
        return None
    aid, email, role, must_change, totp_on, orgs = rows[0]
    return Account(aid, email, role, frozenset(orgs or []), must_change, totp_on)


def account_by_email(store: Store, email: str) -> Account | None:
    rows = store.cursor().execute("SELECT account_id FROM accounts WHERE email = ? AND disabled_at IS NULL",
                                  [normalise_email(email)]).fetchall()
    return account(store, rows[0][0]) if rows else None


def accounts(store: Store, actor: Principal) -> pd.DataFrame:
    _require_admin(actor)
    return store.cursor().execute(
        "SELECT a.email, a.role, string_agg(g.name, ', ' ORDER BY g.name) AS organisations, a.totp_enabled, "
        "a.must_change_password, a.disabled_at, a.created_at, a.created_by FROM accounts a "
        "LEFT JOIN account_orgs o USING (account_id) LEFT JOIN organisations g ON g.org_id = o.org_id "
        "GROUP BY ALL ORDER BY a.email").df()


def disable_account(store: Store, actor: Principal, email: str, now: datetime | None = None) -> None:
    """Disable an account and end every sign-in it has."""
    _require_admin(actor)
    now = now or utcnow()
    email = normalise_email(email)
    if email == actor.name:
        raise AccountError("you cannot disable your own account")
    with store.transaction() as cur:
        rows = cur.execute("SELECT account_id FROM accounts WHERE email = ? AND disabled_at IS NULL",
                           [email]).fetchall()
        if not rows:
            raise AccountError(f"no active account for {email}")
        cur.execute("UPDATE accounts SET disabled_at = ? WHERE account_id = ?", [now, rows[0][0]])
        cur.execute("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
                    [now, rows[0][0]])


def one_time_password() -> str:
    """A random password for a new or reset account, to be changed at the first sign-in."""
    return secrets.token_urlsafe(12)


def reset_password(store: Store, actor: Principal, email: str, now: datetime | None = None) -> str:
    """A one-time password for the account, which must be changed at the next sign-in. Ends the
    account's sign-ins."""
    _require_admin(actor)
    now = now or utcnow()
    one_time = one_time_password()
    with store.transaction() as cur:
        rows = cur.execute("SELECT account_id FROM accounts WHERE email = ? AND disabled_at IS NULL",
                           [normalise_email(email)]).fetchall()
        if not rows:
            raise AccountError(f"no active account for {normalise_email(email)}")
        cur.execute("UPDATE accounts SET pw_hash = ?, must_change_password = true WHERE account_id = ?",
                    [HASHER.hash(one_time), rows[0][0]])
        cur.execute("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
                    [now, rows[0][0]])
    return one_time


def change_password(store: Store, account_id: int, current: str, new: str, keep_token: str | None = None,
                    now: datetime | None = None) -> None:
    """Change one's own password; every other sign-in of the account ends (the one keep_token
    belongs to, the person's own, goes on)."""
    now = now or utcnow()
    row = store.cursor().execute("SELECT email, pw_hash FROM accounts WHERE account_id = ?", [account_id]).fetchall()
    email, pw_hash = row[0]
    if not _verify(pw_hash, current):
        raise AccountError("the current password is wrong")
    if new == current:
        raise AccountError("choose a password different from the current one")
    check_password(new, email)
    with store.transaction() as cur:
        cur.execute("UPDATE accounts SET pw_hash = ?, must_change_password = false WHERE account_id = ?",
                    [HASHER.hash(new), account_id])
        end_other_sign_ins(cur, account_id, now, keep_token)


def _verify(pw_hash: str | None, password: str) -> bool:
    if not HASH_SLOTS.acquire(timeout=HASH_WAIT_SECONDS):
        raise ServerBusy("the server is busy checking other sign-ins: try again in a moment")
    try:
        return HASHER.verify(pw_hash or _DUMMY_HASH, password) and pw_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    finally:
        HASH_SLOTS.release()


# -- two-step sign-in (TOTP) -----------------------------------------------------------------------

def start_totp(store: Store, account_id: int) -> str:
    """A new TOTP secret for the account, not yet in force (confirm_totp turns it on). Refused
    while two-step sign-in is on: it is removed first, which asks for the password and a code."""
    secret = pyotp.random_base32()
    with store.transaction() as cur:
        if cur.execute("SELECT totp_enabled FROM accounts WHERE account_id = ?", [account_id]).fetchall()[0][0]:
            raise AccountError("two-step sign-in is already on: remove it first")
        cur.execute("UPDATE accounts SET totp_secret = ?, totp_enabled = false WHERE account_id = ?",
                    [secretbox.encrypt(store, secret), account_id])
    return secret


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Uptake")


def confirm_totp(store: Store, account_id: int, code: str, now: datetime | None = None,
                 keep_token: str | None = None) -> bool:
    """Turn two-step sign-in on with a first code from the app (used up like any code); every
    other sign-in of the account ends (the one keep_token belongs to goes on)."""
    now = now or utcnow()
    secret = totp_secret(store, account_id)
    if not secret or not _totp_ok(store, account_id, secret, code, now):
        return False
    with store.transaction() as cur:
        cur.execute("UPDATE accounts SET totp_enabled = true WHERE account_id = ?", [account_id])
        end_other_sign_ins(cur, account_id, now, keep_token)
    return True


def totp_secret(store: Store, account_id: int) -> str | None:
    """The account's TOTP secret, decrypted (None when it has none)."""
    rows = store.cursor().execute("SELECT totp_secret FROM accounts WHERE account_id = ?", [account_id]).fetchall()
    return secretbox.decrypt(store, rows[0][0]) if rows and rows[0][0] else None


def _totp_ok(store: Store, account_id: int, secret: str, code: str, now: datetime) -> bool:
    """Whether code is the account's unused code now (one step of drift either side); uses it up."""
    return two_step.use_code(store, account_id, secret, code, now)


def totp_required_for_providers(store: Store) -> bool:
    return setting(store, "require_totp_for_providers") == "true"


def set_totp_required_for_providers(store: Store, actor: Principal, required: bool) -> None:
    _require_admin(actor)
    set_setting(store, "require_totp_for_providers", "true" if required else "false")


def needs_totp_setup(store: Store, who: Account) -> bool:
    return who.role in ("admin", "account_manager") and not who.totp_enabled and totp_required_for_providers(store)


# -- signing in -------------------------------------------------------------------------------------

def verify_sign_in(store: Store, email: str, password: str, totp_code: str | None = None,
                   now: datetime | None = None, address: str | None = None) -> Account:
    """The account whose email and password (and TOTP code, when it has one) these are; raises
    SignInRefused with the same message for an unknown email and a wrong password. address is the
    client's (st.context.ip_address) for the throttle."""
    now = now or utcnow()
    email = normalise_email(email)[:320]
    try:   # checked and recorded as a failure before any hash; settled below
        attempt = throttle.reserve(store, email, address, now)
    except throttle.Throttled as exc:
        raise SignInRefused(str(exc)) from None
    row = store.cursor().execute(
        "SELECT account_id, pw_hash, totp_enabled FROM accounts WHERE email = ? AND disabled_at IS NULL",
        [email]).fetchall()
    pw_hash = row[0][1] if row else None
    try:
        ok = _verify(pw_hash, password or "")          # an unknown email costs the same hash
    except ServerBusy:
        throttle.drop(store, attempt)
        raise SignInRefused("The server is busy checking other sign-ins: try again in a moment.") from None
    if ok and row[0][2]:
        if not totp_code:   # the password was right: ask for the second step, no failure counted
            throttle.drop(store, attempt)
            raise TotpNeeded("Enter the 6-digit code from your authenticator app.")
        if not _totp_ok(store, row[0][0], totp_secret(store, row[0][0]) or "", totp_code, now):
            raise SignInRefused("That code is not right: enter the newest code from your authenticator app.")
    if not ok:
        raise SignInRefused(WRONG)
    throttle.succeeded(store, attempt)
    return account(store, row[0][0])


def single_sign_on_account(store: Store, email: str | None) -> Account:
    """The account for an email the identity provider vouched for: matched by email; an unknown
    or disabled one gets no access."""
    who = account_by_email(store, email or "")
    if who is None:
        raise SignInRefused(f"There is no Uptake account for {normalise_email(email or '') or 'that identity'}: "
                            "ask your provider to add one.")
    return who


# -- sessions ---------------------------------------------------------------------------------------

def start_session(store: Store, account_id: int, now: datetime | None = None) -> str:
    """A new sign-in for the account; returns its first token (kept by the tab)."""
    now = now or utcnow()
    token, family = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
    with store.transaction() as cur:
        cur.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, NULL)",
                    [_digest(token), family, account_id, now, now + SESSION_LIMIT])
        cur.execute("INSERT INTO session_activity VALUES (?, ?)", [family, now])
    return token


def claim_code(store: Store, token: str, now: datetime | None = None) -> str:
    """A one-time code (60 s) with which the cookie route adds a cookie token to this sign-in."""
    now = now or utcnow()
    code = secrets.token_urlsafe(24)
    with store.transaction() as cur:
        family = cur.execute("SELECT family FROM sessions WHERE token_hash = ?", [_digest(token)]).fetchall()[0][0]
        cur.execute("INSERT INTO claim_codes VALUES (?, ?, ?)", [_digest(code), family, now + CLAIM_LIMIT])
    return code


def redeem_claim(store: Store, code: str, now: datetime | None = None) -> str | None:
    """The cookie token for a claim code, once: None when the code is unknown, used, expired, or
    its sign-in has ended."""
    now = now or utcnow()
    with store.transaction() as cur:
        rows = cur.execute("DELETE FROM claim_codes WHERE code_hash = ? RETURNING family, expires_at",
                           [_digest(code or "")]).fetchall()
        if not rows or rows[0][1] < now:
            return None
        family = rows[0][0]
        live = cur.execute("SELECT account_id, expires_at FROM sessions WHERE family = ? AND revoked_at IS NULL "
                           "AND expires_at > ? LIMIT 1", [family, now]).fetchall()
        if not live:
            return None
        token = secrets.token_urlsafe(32)
        cur.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, NULL)",
                    [_digest(token), family, live[0][0], now, live[0][1]])
    return token


def session_account(store: Store, token: str | None, now: datetime | None = None) -> Account | None:
    """The account signed in with token, or None when the token is unknown, revoked, past 12 hours,
    idle for over 30 minutes, or its account is disabled. Records the activity."""
    if not token:
        return None
    now = now or utcnow()
    rows = store.cursor().execute(
        "SELECT s.account_id, s.family, s.expires_at, a.last_seen_at FROM sessions s "
        "JOIN session_activity a USING (family) WHERE s.token_hash = ? AND s.revoked_at IS NULL",
        [_digest(token)]).fetchall()
    if not rows:
        return None
    account_id, family, expires_at, last_seen = rows[0]
    if now >= expires_at or now - last_seen > IDLE_LIMIT:
        return None
    who = account(store, account_id)
    if who is None:
        return None
    if now - last_seen > timedelta(seconds=30):   # one small write a minute at most per sign-in
        with store.transaction() as cur:
            cur.execute("UPDATE session_activity SET last_seen_at = ? WHERE family = ?", [now, family])
    return who


def end_other_sign_ins(cur, account_id: int, now: datetime, keep_token: str | None = None) -> None:
    """Inside a transaction: revoke every sign-in of the account but the one keep_token belongs
    to (all of them when keep_token is None or unknown)."""
    cur.execute("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND family IS "
                "DISTINCT FROM (SELECT family FROM sessions WHERE token_hash = ? AND account_id = ?)",
                [now, account_id, _digest(keep_token or ""), account_id])


def end_session(store: Store, token: str | None, now: datetime | None = None) -> None:
    """Sign out: every token of this sign-in (tab and cookie) stops working."""
    if not token:
        return
    now = now or utcnow()
    with store.transaction() as cur:
        cur.execute("UPDATE sessions SET revoked_at = ? WHERE revoked_at IS NULL AND family = "
                    "(SELECT family FROM sessions WHERE token_hash = ?)", [now, _digest(token)])


# -- the cookie ---------------------------------------------------------------------------------------

def cookie_value(store: Store, token: str) -> str:
    return f"{token}.{_mac(store, token)}"


def token_from_cookie(store: Store, value: str | None) -> str | None:
    """The token inside a cookie value whose signature holds (else None: a forged cookie never
    reaches the session table)."""
    if not value or value.count(".") != 1:
        return None
    token, mac = value.split(".")
    return token if hmac.compare_digest(mac, _mac(store, token)) else None


def _mac(store: Store, token: str) -> str:
    return hmac.new(cookie_key(store).encode(), token.encode(), hashlib.sha256).hexdigest()


def cookie_key(store: Store) -> str:
    """The app's cookie-signing key: generated on first use, kept in the database encrypted with
    the key kept outside it (analysis/secretbox.py)."""
    sealed = setting(store, "cookie_key")
    if sealed is None:
        with store.transaction() as cur:
            cur.execute("INSERT INTO app_settings VALUES ('cookie_key', ?) ON CONFLICT DO NOTHING",
                        [secretbox.encrypt(store, secrets.token_urlsafe(48))])
        sealed = setting(store, "cookie_key")
    return secretbox.decrypt(store, sealed)


def setting(store: Store, key: str) -> str | None:
    rows = store.cursor().execute("SELECT value FROM app_settings WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def set_setting(store: Store, key: str, value: str) -> None:
    with store.transaction() as cur:
        cur.execute("INSERT OR REPLACE INTO app_settings VALUES (?, ?)", [key, value])


# -- first start ------------------------------------------------------------------------------------

def needs_setup(store: Store) -> bool:
    return store.cursor().execute("SELECT count(*) FROM accounts").fetchall()[0][0] == 0


def new_setup_code(store: Store, now: datetime | None = None) -> str:
    """A fresh one-time code for creating the first admin (valid 24 hours). The app prints it on
    its console, so only someone who can see the server can claim the empty app."""
    now = now or utcnow()
    code = "-".join(secrets.token_hex(3) for _ in range(3))
    set_setting(store, "setup_code", f"{_digest(code)}|{(now + SETUP_CODE_LIMIT).isoformat()}")
    return code


def has_setup_code(store: Store, now: datetime | None = None) -> bool:
    stored = setting(store, "setup_code")
    return bool(stored) and (now or utcnow()) <= datetime.fromisoformat(stored.split("|")[1])


def create_first_admin(store: Store, code: str, email: str, password: str, now: datetime | None = None) -> Account:
    """The first admin, once: the check that no account exists, the account and the spent code
    happen under the store's write lock, so concurrent setups make exactly one admin."""
    now = now or utcnow()
    with store.write_lock:      # every write takes it (Store.transaction), so no account can appear meanwhile
        stored = setting(store, "setup_code")
        if not needs_setup(store):
            raise AccountError("Uptake is already set up: sign in instead")
        if not stored:
            raise AccountError("no setup code is active: restart the app to print a new one")
        digest, expiry = stored.split("|")
        if not hmac.compare_digest(digest, _digest((code or "").strip())) or now > datetime.fromisoformat(expiry):
            raise AccountError("that setup code is wrong or has expired: use the newest code on the app's console")
        made = add_account(store, Principal("setup", "admin"), email, "admin", password=password)
        with store.transaction() as cur:
            cur.execute("DELETE FROM app_settings WHERE key = 'setup_code'")
    return made
