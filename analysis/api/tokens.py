"""API tokens: one account may hold several, each with a name (what script uses it). A token is
`uptake_` + 32 random bytes (URL-safe base64), shown once when made; only its SHA-256 is kept
(a random 256-bit secret needs no slow hash: analysis/auth/basics.py digest). A token acts as
its account: the account's role and organisations are read at every request, so changing them,
disabling the account or revoking the token takes effect on the next request."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from analysis.auth.accounts import Account, account
from analysis.auth.basics import AccountError, digest, utcnow
from analysis.auth.totp import needs_totp_setup
from analysis.store import Store

PREFIX = "uptake_"
MAX_NAME = 80
MAX_LIVE = 20  # live tokens per account
LAST_USED_STEP = timedelta(seconds=60)  # last_used_at is written at most once a minute per token


@dataclass(frozen=True)
class TokenHolder:
    """Who a presented token acts for: its id (the rate limit's key) and its live account."""

    token_id: int
    account: Account


def new_token(store: Store, account_id: int, name: str, now: datetime | None = None) -> str:
    """Make a token for the account and return it (the only time it is ever seen)."""
    now = now or utcnow()
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise AccountError(f"give the token a name of 1 to {MAX_NAME} characters (what uses it)")
    token = PREFIX + secrets.token_urlsafe(32)
    with store.transaction("make an API token") as cur:
        live = cur.execute(
            "SELECT count(*) FROM api_tokens WHERE account_id = ? AND revoked_at IS NULL", [account_id]
        ).fetchall()[0][0]
        if live >= MAX_LIVE:
            raise AccountError(f"you have {MAX_LIVE} API tokens: revoke one first")
        cur.execute(
            "INSERT INTO api_tokens (token_hash, account_id, name, created_at) VALUES (?, ?, ?, ?)",
            [digest(token), account_id, name, now],
        )
    return token


def account_tokens(store: Store, account_id: int) -> pd.DataFrame:
    """The account's live tokens (token_id, name, created_at, last_used_at), newest first."""
    return (
        store.cursor()
        .execute(
            "SELECT token_id, name, created_at, last_used_at FROM api_tokens "
            "WHERE account_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, token_id DESC",
            [account_id],
        )
        .df()
    )


def revoke_token(store: Store, account_id: int, token_id: int, now: datetime | None = None) -> bool:
    """Revoke one of the account's own tokens; False when it has no such live token."""
    with store.transaction("revoke an API token") as cur:
        done = cur.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND account_id = ? AND revoked_at IS NULL "
            "RETURNING token_id",
            [now or utcnow(), token_id, account_id],
        ).fetchall()
    return bool(done)


def token_holder(store: Store, token: str | None, now: datetime | None = None) -> TokenHolder | None:
    """Who the token acts for, or None when it is malformed, unknown, revoked or its account is
    disabled. Records when it was last used (at most once a minute)."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    now = now or utcnow()
    rows = (
        store.cursor()
        .execute(
            "SELECT token_id, account_id, last_used_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
            [digest(token)],
        )
        .fetchall()
    )
    if not rows:
        return None
    token_id, account_id, last_used = rows[0]
    who = account(store, account_id)
    if who is None:
        return None
    if last_used is None or now - last_used >= LAST_USED_STEP:
        with store.transaction(housekeeping="when the token was last used") as cur:
            cur.execute("UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?", [now, token_id])
    return TokenHolder(token_id, who)


def held_back(store: Store, who: Account) -> str | None:
    """Why the account may use no data for now, as app.py holds it on *Your account* (a password to
    change, two-step sign-in the provider requires): the API answers 403 with this; else None."""
    if who.must_change_password:
        return "this account must change its password first: sign in to the app"
    if needs_totp_setup(store, who):
        return "this account must set up two-step sign-in first (the provider requires it): sign in to the app"
    return None
