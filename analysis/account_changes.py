"""An admin changes an account's role and organisations (pages/admin.py asks the admin to confirm
with their password first, analysis/reauth.py)."""
from __future__ import annotations

from analysis import auth
from analysis.access import Principal
from analysis.store import Store


def change_access(store: Store, actor: Principal, email: str, role: str, org_ids: list[int] | None) -> auth.Account:
    """The account with its new role and organisations, under the rules of add_account. The
    change holds from the person's next click: every run reads the account afresh."""
    auth._require_admin(actor)
    email = auth.normalise_email(email)
    if email == actor.name:
        raise auth.AccountError("you cannot change your own role or organisations")
    orgs = auth.check_access(role, org_ids)
    with store.transaction() as cur:
        rows = cur.execute("SELECT account_id FROM accounts WHERE email = ? AND disabled_at IS NULL",
                           [email]).fetchall()
        if not rows:
            raise auth.AccountError(f"no active account for {email}")
        known = {r[0] for r in cur.execute("SELECT org_id FROM organisations").fetchall()}
        if set(orgs) - known:
            raise auth.AccountError("no such organisation")
        account_id = rows[0][0]
        cur.execute("UPDATE accounts SET role = ? WHERE account_id = ?", [role, account_id])
        cur.execute("DELETE FROM account_orgs WHERE account_id = ?", [account_id])
        for org_id in orgs:
            cur.execute("INSERT INTO account_orgs VALUES (?, ?)", [account_id, org_id])
    return auth.account(store, account_id)
