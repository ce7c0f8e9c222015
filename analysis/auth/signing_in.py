"""Signing in with an email and password (and a TOTP code when the account has one), or with an
email an identity provider vouched for.

Sign-ins are throttled per client address and per account, checked and recorded in one step,
without locking the owner out from a clean address (analysis/auth/throttle.py has the rules). An
unknown email costs the same hash as a wrong password and gets the same message.
"""

from __future__ import annotations

from datetime import datetime

from analysis.auth import hashing, throttle, two_step
from analysis.auth.accounts import Account, account_by_email, active_account
from analysis.auth.basics import ServerBusy, SignInRefused, TotpNeeded, normalise_email, utcnow
from analysis.auth.totp import totp_secret
from analysis.store import Store

WRONG = "Wrong email or password."


def verify_sign_in(
    store: Store,
    email: str,
    password: str,
    totp_code: str | None = None,
    now: datetime | None = None,
    address: str | None = None,
) -> Account:
    """The account whose email and password (and TOTP code, when it has one) these are; raises
    SignInRefused with the same message for an unknown email and a wrong password. address is the
    client's (st.context.ip_address) for the throttle."""
    now = now or utcnow()
    email = normalise_email(email)[:320]
    try:  # checked and recorded as a failure before any hash; settled below
        attempt = throttle.reserve(store, email, address, now)
    except throttle.Throttled as exc:
        raise SignInRefused(str(exc)) from None
    row = (
        store.cursor()
        .execute(
            "SELECT account_id, pw_hash, totp_enabled FROM accounts WHERE email = ? AND disabled_at IS NULL", [email]
        )
        .fetchall()
    )
    pw_hash = row[0][1] if row else None
    try:
        ok = hashing.verify(pw_hash, password or "")  # an unknown email costs the same hash
    except ServerBusy:
        throttle.drop(store, attempt)
        raise SignInRefused("The server is busy checking other sign-ins: try again in a moment.") from None
    if not ok:
        raise SignInRefused(WRONG)
    account_id, _, totp_on = row[0]
    if totp_on:
        if not totp_code:  # the password was right: ask for the second step, no failure counted
            throttle.drop(store, attempt)
            raise TotpNeeded("Enter the 6-digit code from your authenticator app.")
        if not two_step.use_code(store, account_id, totp_secret(store, account_id) or "", totp_code, now):
            raise SignInRefused("That code is not right: enter the newest code from your authenticator app.")
    throttle.succeeded(store, attempt)
    return active_account(store, account_id)


def single_sign_on_account(store: Store, email: str | None) -> Account:
    """The account for an email the identity provider vouched for: matched by email; an unknown
    or disabled one gets no access."""
    who = account_by_email(store, email or "")
    if who is None:
        raise SignInRefused(
            f"There is no Uptake account for {normalise_email(email) or 'that identity'}: ask your provider to add one."
        )
    return who
