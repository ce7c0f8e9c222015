"""Re-authentication before security-sensitive changes, and removing two-step sign-in.

A signed-in tab can be driven by someone else (a hijacked websocket, a shared screen), so the
changes that could lock the owner out or hand out access ask again for the password, and the
authenticator code when two-step sign-in is on: setting up or removing one's own two-step sign-in
(pages/account.py) and every account change on pages/admin.py. A wrong confirmation changes
nothing and counts as a failed sign-in of the person confirming, under the same throttle.
"""

from __future__ import annotations

from datetime import datetime

from analysis.access import Principal
from analysis.auth import hashing, throttle, two_step
from analysis.auth.accounts import require_admin
from analysis.auth.basics import AccountError, ServerBusy, normalise_email, utcnow
from analysis.auth.sessions import end_other_sign_ins
from analysis.auth.totp import totp_secret
from analysis.store import Store

REFUSED = "your password or code is not right, so nothing was changed"


class ConfirmationRefused(AccountError):
    """The confirmation was wrong or throttled (the message is safe to show)."""


def _account_row(store: Store, account_id: int) -> tuple[str, str | None, bool]:
    rows = (
        store.cursor()
        .execute(
            "SELECT email, pw_hash, totp_enabled FROM accounts WHERE account_id = ? AND disabled_at IS NULL",
            [account_id],
        )
        .fetchall()
    )
    if not rows:
        raise ConfirmationRefused("this account is no longer active")
    return rows[0]


def has_password(store: Store, account_id: int) -> bool:
    return _account_row(store, account_id)[1] is not None


def confirm_identity(
    store: Store,
    account_id: int,
    password: str | None,
    code: str | None = None,
    now: datetime | None = None,
    vouched_email: str | None = None,
    address: str | None = None,
) -> None:
    """Raises ConfirmationRefused unless password is the account's, and code an unused code of its
    authenticator when two-step sign-in is on (the code is then used up). An account without a
    password (single sign-on only) confirms with vouched_email: the email its identity provider
    vouched for in a sign-in there minutes ago (ui/confirm.py)."""
    now = now or utcnow()
    email, pw_hash, totp_on = _account_row(store, account_id)
    if pw_hash is None and normalise_email(vouched_email or "") != email:
        raise ConfirmationRefused(
            "you sign in with single sign-on: sign in with it again to confirm (the button "
            "at the top of the page), then make the change within 5 minutes"
        )
    try:  # the sign-in throttle: checked and recorded as a failure before any hash (analysis/auth/throttle.py)
        attempt = throttle.reserve(store, email, address, now)
    except throttle.Throttled as exc:
        raise ConfirmationRefused(str(exc).rstrip(".")) from None
    try:
        ok = pw_hash is None or hashing.verify(pw_hash, password or "")
    except ServerBusy:
        throttle.drop(store, attempt)
        raise
    if ok and totp_on:
        ok = two_step.use_code(store, account_id, totp_secret(store, account_id) or "", code or "", now)
    if not ok:
        raise ConfirmationRefused(REFUSED)  # the reserved attempt stays a failure
    throttle.succeeded(store, attempt)


def remove_own_two_step(
    store: Store,
    account_id: int,
    password: str,
    code: str,
    keep_token: str | None = None,
    now: datetime | None = None,
    vouched_email: str | None = None,
) -> None:
    """Turn off one's own two-step sign-in, after confirming with the password and a current code;
    every other sign-in of the account ends."""
    now = now or utcnow()
    confirm_identity(store, account_id, password, code, now, vouched_email)
    with store.transaction("remove own two-step sign-in") as cur:
        cur.execute("UPDATE accounts SET totp_secret = NULL, totp_enabled = false WHERE account_id = ?", [account_id])
        end_other_sign_ins(cur, account_id, now, keep_token)


def remove_two_step(store: Store, actor: Principal, email: str, now: datetime | None = None) -> None:
    """An admin removes a person's two-step sign-in (a lost authenticator): every sign-in of theirs
    ends, and where two-step sign-in is required for their role they set it up again at their next
    sign-in. One's own is removed on Your account, with one's own code."""
    require_admin(actor)
    now = now or utcnow()
    email = normalise_email(email)
    if email == actor.name:
        raise AccountError("remove your own two-step sign-in on the Your account page")
    with store.transaction("remove an account's two-step sign-in") as cur:
        rows = cur.execute(
            "SELECT account_id, totp_secret IS NOT NULL OR totp_enabled FROM accounts "
            "WHERE email = ? AND disabled_at IS NULL",
            [email],
        ).fetchall()
        if not rows:
            raise AccountError(f"no active account for {email}")
        if not rows[0][1]:
            raise AccountError(f"{email} has no two-step sign-in")
        cur.execute("UPDATE accounts SET totp_secret = NULL, totp_enabled = false WHERE account_id = ?", [rows[0][0]])
        end_other_sign_ins(cur, rows[0][0], now)
