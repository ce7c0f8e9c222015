"""First start: no default account exists. The first admin is created with a one-time setup code
printed on the app's console (valid 24 hours), or with `python -m analysis user add`."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from analysis.access import Principal
from analysis.auth.accounts import Account, add_account
from analysis.auth.app_settings import set_setting, setting
from analysis.auth.basics import AccountError, digest, utcnow
from analysis.store import Store

SETUP_CODE_LIMIT = timedelta(hours=24)


def needs_setup(store: Store) -> bool:
    return store.cursor().execute("SELECT count(*) FROM accounts").fetchall()[0][0] == 0


def new_setup_code(store: Store, now: datetime | None = None) -> str:
    """A fresh one-time code for creating the first admin. The app prints it on its console, so
    only someone who can see the server can claim the empty app."""
    now = now or utcnow()
    code = "-".join(secrets.token_hex(3) for _ in range(3))
    set_setting(
        store,
        "setup_code",
        f"{digest(code)}|{(now + SETUP_CODE_LIMIT).isoformat()}",
        housekeeping="the one-time setup code, printed at start",
    )
    return code


def has_setup_code(store: Store, now: datetime | None = None) -> bool:
    stored = setting(store, "setup_code")
    if not stored:
        return False
    return (now or utcnow()) <= datetime.fromisoformat(stored.split("|")[1])


def create_first_admin(store: Store, code: str, email: str, password: str, now: datetime | None = None) -> Account:
    """The first admin, once: the check that no account exists, the account and the spent code
    happen under the store's write lock, so concurrent setups make exactly one admin."""
    now = now or utcnow()
    with store.write_lock:  # every write takes it (Store.transaction), so no account can appear meanwhile
        stored = setting(store, "setup_code")
        if not needs_setup(store):
            raise AccountError("Uptake is already set up: sign in instead")
        if not stored:
            raise AccountError("no setup code is active: restart the app to print a new one")
        expected, expiry = stored.split("|")
        if not hmac.compare_digest(expected, digest((code or "").strip())) or now > datetime.fromisoformat(expiry):
            raise AccountError("that setup code is wrong or has expired: use the newest code on the app's console")
        made = add_account(store, Principal("setup", "admin"), email, "admin", password=password)
        with store.transaction("create the first admin account") as cur:
            cur.execute("DELETE FROM app_settings WHERE key = 'setup_code'")
    return made
