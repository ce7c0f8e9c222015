"""The small pieces every part of sign-in shares: the errors whose messages are safe to show, the
clock, the digest under which tokens and codes are stored, and how an email is compared."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime


class SignInRefused(Exception):
    """A sign-in that did not succeed; the message is safe to show."""


class TotpNeeded(SignInRefused):
    """Email and password are right; the account's authenticator code is needed too."""


class AccountError(ValueError):
    """A bad request about an account (the message is safe to show)."""


class ServerBusy(AccountError):
    """No password check could start within analysis/auth/hashing.py's HASH_WAIT_SECONDS."""


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def digest(token: str) -> str:
    """What is stored of a token or one-time code: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()
