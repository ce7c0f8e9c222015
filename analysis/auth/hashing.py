"""Passwords: the argon2id hash at OWASP's minimum cost or above (19 MiB, 2 iterations,
parallelism 1), the rules a new password meets, and one check at a time.

An unknown email costs the same hash as a wrong password (verify checks a dummy hash). Tests
replace HASHER and HASH_WAIT_SECONDS here, so callers read them through this module.
"""

from __future__ import annotations

import secrets
import threading

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from analysis.auth.basics import AccountError, ServerBusy, normalise_email

HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)
# A hash of a random password thrown away, made once by HASHER with these parameters: verifying it
# costs what a real check costs. A constant, so importing this module hashes nothing (each
# command-line process imports it: 30 ms of argon2 before any work).
_DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$sz9XaKbl0ZiS0G4dkueJJQ$pntvjYh2fVmQbxbmadh5QVl336HSKJrmZmz5E1F1lXA"
# One password check at a time (argon2id takes about 30 ms of one core): a burst of sign-ins uses
# one of the machine's cores and leaves the rest to the pages. A check waits for its turn this long.
HASH_SLOTS = threading.BoundedSemaphore(1)
HASH_WAIT_SECONDS: float = 10
MIN_PASSWORD = 12


def check_password(password: str, email: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise AccountError("a password is at most 1,024 characters")
    if email and password.strip().lower() == normalise_email(email):
        raise AccountError("the password cannot be the email address")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(pw_hash: str | None, password: str) -> bool:
    """Whether password is the one pw_hash was made from (False for no hash, after the same work)."""
    if not HASH_SLOTS.acquire(timeout=HASH_WAIT_SECONDS):
        raise ServerBusy("the server is busy checking other sign-ins: try again in a moment")
    try:
        return HASHER.verify(pw_hash or _DUMMY_HASH, password) and pw_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    finally:
        HASH_SLOTS.release()


def one_time_password() -> str:
    """A random password for a new or reset account, to be changed at the first sign-in."""
    return secrets.token_urlsafe(12)
