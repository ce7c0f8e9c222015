"""Two-step sign-in with an authenticator app (TOTP): setting it up, the sealed secret (encrypted
with the key kept outside the database, analysis/secretbox.py), and whether providers must use it.
A code works once (analysis/auth/two_step.py)."""

from __future__ import annotations

from datetime import datetime

import pyotp

from analysis import secretbox
from analysis.access import Principal
from analysis.auth import two_step
from analysis.auth.accounts import Account, require_admin
from analysis.auth.app_settings import set_setting, setting
from analysis.auth.basics import AccountError, utcnow
from analysis.auth.sessions import end_other_sign_ins
from analysis.store import Store


def start_totp(store: Store, account_id: int) -> str:
    """A new TOTP secret for the account, not yet in force (confirm_totp turns it on). Refused
    while two-step sign-in is on: it is removed first, which asks for the password and a code."""
    secret = pyotp.random_base32()
    with store.transaction(housekeeping="a two-step secret not in use until confirmed") as cur:
        if cur.execute("SELECT totp_enabled FROM accounts WHERE account_id = ?", [account_id]).fetchall()[0][0]:
            raise AccountError("two-step sign-in is already on: remove it first")
        cur.execute(
            "UPDATE accounts SET totp_secret = ?, totp_enabled = false WHERE account_id = ?",
            [secretbox.encrypt(store, secret), account_id],
        )
    return secret


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Uptake")


def confirm_totp(
    store: Store, account_id: int, code: str, now: datetime | None = None, keep_token: str | None = None
) -> bool:
    """Turn two-step sign-in on with a first code from the app (used up like any code); every
    other sign-in of the account ends (the one keep_token belongs to goes on)."""
    now = now or utcnow()
    secret = totp_secret(store, account_id)
    if not secret or not two_step.use_code(store, account_id, secret, code, now):
        return False
    with store.transaction("turn on two-step sign-in") as cur:
        cur.execute("UPDATE accounts SET totp_enabled = true WHERE account_id = ?", [account_id])
        end_other_sign_ins(cur, account_id, now, keep_token)
    return True


def totp_secret(store: Store, account_id: int) -> str | None:
    """The account's TOTP secret, decrypted (None when it has none)."""
    rows = store.cursor().execute("SELECT totp_secret FROM accounts WHERE account_id = ?", [account_id]).fetchall()
    return secretbox.decrypt(store, rows[0][0]) if rows and rows[0][0] else None


def totp_required_for_providers(store: Store) -> bool:
    return setting(store, "require_totp_for_providers") == "true"


def set_totp_required_for_providers(store: Store, actor: Principal, required: bool) -> None:
    require_admin(actor)
    set_setting(store, "require_totp_for_providers", "true" if required else "false")


def needs_totp_setup(store: Store, who: Account) -> bool:
    return who.principal.is_provider and not who.totp_enabled and totp_required_for_providers(store)
