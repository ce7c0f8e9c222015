"""Accounts: who exists, with which role and organisations, and an admin's adding, disabling and
resetting of them. Client roles belong to exactly one organisation; an account manager to the
organisations given; an admin to all (the roles and what they may do: analysis/access.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from analysis.access import CLIENT_ROLES, PERMISSIONS, ROLES, AccessDenied, Principal
from analysis.auth import hashing
from analysis.auth.basics import AccountError, normalise_email, utcnow
from analysis.store import Store


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


def require_admin(actor: Principal) -> None:
    if actor.role not in PERMISSIONS["manage_users"]:
        raise AccessDenied(f"{actor.name} may not manage accounts")


def check_access(role: str, org_ids: list[int] | None) -> list[int]:
    """The organisations, sorted, of a valid role and organisation choice (else AccountError)."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    orgs = sorted(set(org_ids or []))
    if role in CLIENT_ROLES and len(orgs) != 1:
        raise AccountError(f"a {role} belongs to exactly one organisation")
    if role == "admin" and orgs:
        raise AccountError("an admin sees every organisation: give no organisation")
    return orgs


def add_account(
    store: Store,
    actor: Principal,
    email: str,
    role: str,
    org_ids: list[int] | None = None,
    password: str | None = None,
    must_change_password: bool = False,
) -> Account:
    """A new account (the rules of check_access)."""
    require_admin(actor)
    email = normalise_email(email)
    if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
        raise AccountError(f"{email!r} is not an email address")
    orgs = check_access(role, org_ids)
    if password is not None:
        hashing.check_password(password, email)
    pw_hash = hashing.hash_password(password) if password is not None else None
    with store.transaction("add an account", detail=f"role {role}") as cur:
        if cur.execute("SELECT count(*) FROM accounts WHERE email = ?", [email]).fetchall()[0][0]:
            raise AccountError(f"an account for {email} already exists")
        known = {r[0] for r in cur.execute("SELECT org_id FROM organisations").fetchall()}
        if set(orgs) - known:
            raise AccountError("no such organisation")
        account_id = cur.execute(
            "INSERT INTO accounts (email, role, pw_hash, must_change_password, created_by) VALUES (?, ?, ?, ?, ?) "
            "RETURNING account_id",
            [email, role, pw_hash, must_change_password, actor.name],
        ).fetchall()[0][0]
        for org_id in orgs:
            cur.execute("INSERT INTO account_orgs VALUES (?, ?)", [account_id, org_id])
    return active_account(store, account_id)


def account(store: Store, account_id: int) -> Account | None:
    """The active account account_id (None when there is none or it is disabled)."""
    rows = (
        store.cursor()
        .execute(
            "SELECT a.account_id, a.email, a.role, a.must_change_password, a.totp_enabled, "
            "list(o.org_id) FILTER (WHERE o.org_id IS NOT NULL) FROM accounts a "
            "LEFT JOIN account_orgs o USING (account_id) WHERE a.account_id = ? AND a.disabled_at IS NULL "
            "GROUP BY ALL",
            [account_id],
        )
        .fetchall()
    )
    if not rows:
        return None
    aid, email, role, must_change, totp_on, orgs = rows[0]
    return Account(aid, email, role, frozenset(orgs or []), must_change, totp_on)


def active_account(store: Store, account_id: int) -> Account:
    """The account just written or checked by the caller (AccountError if it was disabled meanwhile)."""
    found = account(store, account_id)
    if found is None:
        raise AccountError("this account is no longer active")
    return found


def account_by_email(store: Store, email: str) -> Account | None:
    rows = (
        store.cursor()
        .execute("SELECT account_id FROM accounts WHERE email = ? AND disabled_at IS NULL", [normalise_email(email)])
        .fetchall()
    )
    return account(store, rows[0][0]) if rows else None


def accounts(store: Store, actor: Principal) -> pd.DataFrame:
    require_admin(actor)
    return (
        store.cursor()
        .execute(
            "SELECT a.email, a.role, string_agg(g.name, ', ' ORDER BY g.name) AS organisations, a.totp_enabled, "
            "a.must_change_password, a.disabled_at, a.created_at, a.created_by FROM accounts a "
            "LEFT JOIN account_orgs o USING (account_id) LEFT JOIN organisations g ON g.org_id = o.org_id "
            "GROUP BY ALL ORDER BY a.email"
        )
        .df()
    )


def disable_account(store: Store, actor: Principal, email: str, now: datetime | None = None) -> None:
    """Disable an account and end every sign-in it has."""
    require_admin(actor)
    now = now or utcnow()
    email = normalise_email(email)
    if email == actor.name:
        raise AccountError("you cannot disable your own account")
    with store.transaction("disable an account") as cur:
        rows = cur.execute(
            "SELECT account_id FROM accounts WHERE email = ? AND disabled_at IS NULL", [email]
        ).fetchall()
        if not rows:
            raise AccountError(f"no active account for {email}")
        cur.execute("UPDATE accounts SET disabled_at = ? WHERE account_id = ?", [now, rows[0][0]])
        cur.execute("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", [now, rows[0][0]])


def reset_password(store: Store, actor: Principal, email: str, now: datetime | None = None) -> str:
    """A one-time password for the account, which must be changed at the next sign-in. Ends the
    account's sign-ins and revokes its API tokens."""
    require_admin(actor)
    now = now or utcnow()
    one_time = hashing.one_time_password()
    with store.transaction("reset an account's password") as cur:
        rows = cur.execute(
            "SELECT account_id FROM accounts WHERE email = ? AND disabled_at IS NULL", [normalise_email(email)]
        ).fetchall()
        if not rows:
            raise AccountError(f"no active account for {normalise_email(email)}")
        cur.execute(
            "UPDATE accounts SET pw_hash = ?, must_change_password = true WHERE account_id = ?",
            [hashing.hash_password(one_time), rows[0][0]],
        )
        cur.execute("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", [now, rows[0][0]])
        # a reset says the password may be known to someone else: the tokens made with it end too
        cur.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", [now, rows[0][0]]
        )
    return one_time
