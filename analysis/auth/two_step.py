"""Two-step sign-in codes (TOTP, RFC 6238) that work once.

A code is checked against the current 30-second step and one step either side (clock drift), and
is accepted only for a step later than the last one the account used; that step is then recorded
in the same transaction, so the same code, or an older one, is refused afterwards.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp

from analysis.store import Store

DRIFT_STEPS = 1  # one period either side of the server's clock


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time-step (within the drift window) whose code this is, or None."""
    code = (code or "").strip()
    if not secret or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now.replace(tzinfo=UTC))
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def use_code(store: Store, account_id: int, secret: str, code: str, now: datetime) -> bool:
    """Whether code is the account's valid, unused code now; when it is, it is used up."""
    step = matching_step(secret, code, now)
    if step is None:
        return False
    with store.transaction(
        housekeeping="a used code, so that it works once"
    ) as cur:  # check and record under one write lock: a code works once
        rows = cur.execute("SELECT last_step FROM totp_used_steps WHERE account_id = ?", [account_id]).fetchall()
        if rows and step <= rows[0][0]:
            return False
        cur.execute(
            "INSERT INTO totp_used_steps VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET "
            "last_step = excluded.last_step",
            [account_id, step],
        )
    return True
