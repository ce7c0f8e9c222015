"""The sign-in cookie: the token with an HMAC whose key the app generates on first start and
keeps in the database, encrypted like the TOTP secrets with a key kept outside it
(analysis/secretbox.py). A forged cookie never reaches the session table."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from analysis import secretbox
from analysis.auth.app_settings import setting
from analysis.store import Store


def cookie_value(store: Store, token: str) -> str:
    return f"{token}.{_mac(store, token)}"


def token_from_cookie(store: Store, value: str | None) -> str | None:
    """The token inside a cookie value whose signature holds (else None)."""
    if not value or value.count(".") != 1:
        return None
    token, mac = value.split(".")
    return token if hmac.compare_digest(mac, _mac(store, token)) else None


def _mac(store: Store, token: str) -> str:
    return hmac.new(cookie_key(store).encode(), token.encode(), hashlib.sha256).hexdigest()


def cookie_key(store: Store) -> str:
    """The app's cookie-signing key: generated on first use, kept sealed in the database."""
    sealed = setting(store, "cookie_key")
    if sealed is None:
        with store.transaction(housekeeping="the cookie-signing key, made once") as cur:
            cur.execute(
                "INSERT INTO app_settings VALUES ('cookie_key', ?) ON CONFLICT DO NOTHING",
                [secretbox.encrypt(store, secrets.token_urlsafe(48))],
            )
        sealed = setting(store, "cookie_key")
    return secretbox.decrypt(store, sealed or "")
