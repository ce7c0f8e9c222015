"""Changes to an existing account: an admin's change of its role and organisations (pages/admin.py
asks the admin to confirm with their password first, analysis/auth/reauth.py), and a person's
change of their own password."""

from __future__ import annotations

from datetime import datetime

from analysis.access import Principal
from analysis.auth import hashing
from analysis.auth.accounts import Account, active_account, check_access, require_admin
from analysis.auth.basics import AccountError, normalise_email, utcnow
from analysis.auth.sessions import end_other_sign_ins
from analysis.store import Store


def change_access(store: Store, actor: Principal, email: str, role: str, org_ids: list[int] | None) -> Account:
    """The account with its new role and organisations, under the rules of add_account. The
    change holds from the person's next click: every run reads the account afresh."""
    require_admin(actor)
    email = normalise_email(email)
    if email == actor.name:
        raise AccountError("you cannot change your own role or organisations")
    orgs = check_access(role, org_ids)
    with store.transaction("change an account's access", detail=f"role {role}") as cur:
        rows = cur.execute(
            "SELECT account_id FROM accounts WHERE email = ? AND disabled_at IS NULL", [email]
        ).fetchall()
        if not rows:
            raise AccountError(f"no active account for {email}")
        known = {r[0] for r in cur.execute("SELECT org_id FROM organisations").fetchall()}
        if set(orgs) - known:
            raise AccountError("no such organisation")
        account_id = rows[0][0]
        cur.execute("UPDATE accounts SET role = ? WHERE account_id = ?", [role, account_id])
        cur.execute("DELETE FROM account_orgs WHERE account_id = ?", [account_id])
        for org_id in orgs:
            cur.execute("INSERT INTO account_orgs VALUES (?, ?)", [account_id, org_id])
    return active_account(store, account_id)


def change_password(
    store: Store, account_id: int, current: str, new: str, keep_token: str | None = None, now: datetime | None = None
) -> None:
    """Change one's own password; every other sign-in of the account ends (the one keep_token
    belongs to, the person's own, goes on)."""
    now = now or utcnow()
    row = store.cursor().execute("SELECT email, pw_hash FROM accounts WHERE account_id = ?", [account_id]).fetchall()
    email, pw_hash = row[0]
    if not hashing.verify(pw_hash, current):
        raise AccountError("the current password is wrong")
    if new == current:
        raise AccountError("choose a password different from the current one")
    hashing.check_password(new, email)
    with store.transaction("change a password") as cur:
        cur.execute(
            "UPDATE accounts SET pw_hash = ?, must_change_password = false WHERE account_id = ?",
            [hashing.hash_password(new), account_id],
        )
        end_other_sign_ins(cur, account_id, now, keep_token)
