"""Sign-in sessions. A sign-in is a family of random tokens (the tab's, then the cookie's); only
their SHA-256 is stored. It ends after 30 minutes idle or 12 hours in all, on sign-out, when the
account is disabled, its password reset or two-step sign-in removed by an admin; a change of one's
own password and turning two-step sign-in on or off end every other sign-in of the account."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from analysis.auth.accounts import Account
from analysis.auth.basics import digest, utcnow
from analysis.store import Store

IDLE_LIMIT = timedelta(minutes=30)
SESSION_LIMIT = timedelta(hours=12)
CLAIM_LIMIT = timedelta(seconds=60)


def start_session(store: Store, account_id: int, now: datetime | None = None) -> str:
    """A new sign-in for the account; returns its first token (kept by the tab)."""
    now = now or utcnow()
    token, family = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
    with store.transaction(housekeeping="a sign-in session") as cur:
        cur.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, NULL)",
            [digest(token), family, account_id, now, now + SESSION_LIMIT],
        )
        cur.execute("INSERT INTO session_activity VALUES (?, ?)", [family, now])
    return token


def claim_code(store: Store, token: str, now: datetime | None = None) -> str:
    """A one-time code (60 s) with which the cookie route adds a cookie token to this sign-in."""
    now = now or utcnow()
    code = secrets.token_urlsafe(24)
    with store.transaction(housekeeping="a sign-in session") as cur:
        family = cur.execute("SELECT family FROM sessions WHERE token_hash = ?", [digest(token)]).fetchall()[0][0]
        cur.execute("INSERT INTO claim_codes VALUES (?, ?, ?)", [digest(code), family, now + CLAIM_LIMIT])
    return code


def redeem_claim(store: Store, code: str, now: datetime | None = None) -> str | None:
    """The cookie token for a claim code, once: None when the code is unknown, used, expired, or
    its sign-in has ended."""
    now = now or utcnow()
    with store.transaction(housekeeping="a sign-in session") as cur:
        rows = cur.execute(
            "DELETE FROM claim_codes WHERE code_hash = ? RETURNING family, expires_at", [digest(code or "")]
        ).fetchall()
        if not rows or rows[0][1] < now:
            return None
        family = rows[0][0]
        live = cur.execute(
            "SELECT account_id, expires_at FROM sessions WHERE family = ? AND revoked_at IS NULL "
            "AND expires_at > ? LIMIT 1",
            [family, now],
        ).fetchall()
        if not live:
            return None
        token = secrets.token_urlsafe(32)
        cur.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, NULL)", [digest(token), family, live[0][0], now, live[0][1]]
        )
    return token


def session_account(store: Store, token: str | None, now: datetime | None = None) -> Account | None:
    """The account signed in with token, or None when the token is unknown, revoked, past 12 hours,
    idle for over 30 minutes, or its account is disabled. Records the activity.

    Every run of every page asks, so a sign-in is kept until the next write to the database
    (Store.until_written): a revocation, a disabled account, a changed role or access are all
    writes, so they take effect at the next run. A refusal is never judged on a kept read: it is
    read again first (another tab of the same sign-in may have been active meanwhile)."""
    if not token:
        return None
    now = now or utcnow()
    key = digest(token)
    found = store.until_written(("sign-in", key), lambda: _read_sign_in(store, key))
    if found is None or not _holds(found, now):
        found = store.until_written(("sign-in", key), lambda: _read_sign_in(store, key), fresh=True)
        if found is None or not _holds(found, now):
            return None
    if now - _last_seen(found) > timedelta(seconds=30):  # one small write a minute at most per sign-in
        # not counted as a write: it changes nothing a kept read holds but this sign-in's last activity,
        # which this process notes beside the kept read
        with store.transaction(housekeeping="a sign-in session", counted=False) as cur:
            cur.execute("UPDATE session_activity SET last_seen_at = ? WHERE family = ?", [now, found.family])
        _noted(found.family, now)
    return found.who


@dataclass(frozen=True)
class _SignIn:
    family: str
    expires_at: datetime
    last_seen: datetime
    who: Account


def _holds(sign_in: _SignIn, now: datetime) -> bool:
    return now < sign_in.expires_at and now - _last_seen(sign_in) <= IDLE_LIMIT


def _last_seen(sign_in: _SignIn) -> datetime:
    """The sign-in's last activity: as read, or as this process wrote it since."""
    written = _written.get(sign_in.family)
    return max(sign_in.last_seen, written) if written else sign_in.last_seen


def _noted(family: str, now: datetime) -> None:
    if len(_written) >= 10_000:  # those idle past the limit can go
        for old in [f for f, at in _written.items() if now - at > IDLE_LIMIT]:
            _written.pop(old, None)
    _written[family] = now


_written: dict[str, datetime] = {}  # sign-in (family) -> the last activity this process wrote for it


def _read_sign_in(store: Store, key: str) -> _SignIn | None:
    """The sign-in of the token digest and its active account (not disabled), as stored now."""
    rows = (
        store.cursor()
        .execute(
            "SELECT s.family, s.expires_at, a.last_seen_at, u.account_id, u.email, u.role, u.must_change_password, "
            "u.totp_enabled, list(o.org_id) FILTER (WHERE o.org_id IS NOT NULL) FROM sessions s "
            "JOIN session_activity a USING (family) "
            "JOIN accounts u ON u.account_id = s.account_id AND u.disabled_at IS NULL "
            "LEFT JOIN account_orgs o ON o.account_id = u.account_id "
            "WHERE s.token_hash = ? AND s.revoked_at IS NULL GROUP BY ALL",
            [key],
        )
        .fetchall()
    )
    if not rows:
        return None
    family, expires_at, last_seen, account_id, email, role, must_change, totp_on, orgs = rows[0]
    return _SignIn(
        family, expires_at, last_seen, Account(account_id, email, role, frozenset(orgs or []), must_change, totp_on)
    )


def end_other_sign_ins(cur, account_id: int, now: datetime, keep_token: str | None = None) -> None:
    """Inside a transaction: revoke every sign-in of the account but the one keep_token belongs
    to (all of them when keep_token is None or unknown)."""
    cur.execute(
        "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND family IS "
        "DISTINCT FROM (SELECT family FROM sessions WHERE token_hash = ? AND account_id = ?)",
        [now, account_id, digest(keep_token or ""), account_id],
    )


def end_session(store: Store, token: str | None, now: datetime | None = None) -> None:
    """Sign out: every token of this sign-in (tab and cookie) stops working."""
    if not token:
        return
    now = now or utcnow()
    with store.transaction(housekeeping="a sign-in session") as cur:
        cur.execute(
            "UPDATE sessions SET revoked_at = ? WHERE revoked_at IS NULL AND family = "
            "(SELECT family FROM sessions WHERE token_hash = ?)",
            [now, digest(token)],
        )
