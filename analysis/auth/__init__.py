"""Local accounts and sign-in: one module per concern, and the names the app, the pages, ui/ and
the tests use, re-exported here so `from analysis import auth; auth.X` keeps working.

- basics.py: the errors whose messages are safe to show, the clock, token digests, emails.
- hashing.py: argon2id password hashes (OWASP's minimum cost or above), one check at a time.
- accounts.py: accounts, roles and organisations; an admin adds, disables, resets.
- account_changes.py: an admin's change of role and organisations; one's own password change.
- throttle.py: sign-in throttling per client address and per account (never a permanent lockout).
- signing_in.py: email and password (and TOTP code), or an email vouched for by single sign-on.
- two_step.py, totp.py: TOTP codes that work once; setting two-step sign-in up; the provider rule.
- reauth.py: confirming who one is before security-sensitive changes; removing two-step sign-in.
- sessions.py: a sign-in is a family of random tokens (only their SHA-256 stored), 30 minutes
  idle or 12 hours in all.
- cookie.py: the signed cookie; its key sealed with analysis/secretbox.py.
- app_settings.py: the app's own settings table.
- first_start.py: no default account; a one-time setup code printed on the console.

Every function takes `now` (naive UTC) so tests inject the clock instead of sleeping.
"""

from __future__ import annotations

from analysis.auth.account_changes import change_password
from analysis.auth.accounts import (
    Account,
    account,
    account_by_email,
    accounts,
    add_account,
    check_access,
    disable_account,
    require_admin,
    reset_password,
)
from analysis.auth.app_settings import set_setting, setting
from analysis.auth.basics import AccountError, ServerBusy, SignInRefused, TotpNeeded, normalise_email, utcnow
from analysis.auth.cookie import cookie_key, cookie_value, token_from_cookie
from analysis.auth.first_start import create_first_admin, has_setup_code, needs_setup, new_setup_code
from analysis.auth.hashing import MIN_PASSWORD, one_time_password
from analysis.auth.sessions import (
    SESSION_LIMIT,
    claim_code,
    end_other_sign_ins,
    end_session,
    redeem_claim,
    session_account,
    start_session,
)
from analysis.auth.signing_in import WRONG, single_sign_on_account, verify_sign_in
from analysis.auth.totp import (
    confirm_totp,
    needs_totp_setup,
    set_totp_required_for_providers,
    start_totp,
    totp_required_for_providers,
    totp_secret,
    totp_uri,
)

# The names used outside the package (pages/, ui/, app.py, server.py, analysis/cli/, tests/).
__all__ = [
    "MIN_PASSWORD",
    "SESSION_LIMIT",
    "WRONG",
    "Account",
    "AccountError",
    "ServerBusy",
    "SignInRefused",
    "TotpNeeded",
    "account",
    "account_by_email",
    "accounts",
    "add_account",
    "change_password",
    "check_access",
    "claim_code",
    "confirm_totp",
    "cookie_key",
    "cookie_value",
    "create_first_admin",
    "disable_account",
    "end_other_sign_ins",
    "end_session",
    "has_setup_code",
    "needs_setup",
    "needs_totp_setup",
    "new_setup_code",
    "normalise_email",
    "one_time_password",
    "redeem_claim",
    "require_admin",
    "reset_password",
    "session_account",
    "set_setting",
    "set_totp_required_for_providers",
    "setting",
    "single_sign_on_account",
    "start_session",
    "start_totp",
    "token_from_cookie",
    "totp_required_for_providers",
    "totp_secret",
    "totp_uri",
    "utcnow",
    "verify_sign_in",
]
