"""What each account chooses to receive (notification_prefs), and who receives a topic for an
organisation: active accounts that chose it and may see the organisation (analysis/access.py)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from analysis.auth.accounts import Account, account
from analysis.store import Store

TOPICS = ("new_high", "escalations", "resolutions", "weekly_digest", "overdue_actions")
TOPIC_WORDS = {
    "new_high": "New high red flags",
    "escalations": "Red flags escalated from medium to high",
    "resolutions": "Red flags resolved",
    "weekly_digest": "A weekly digest of my organisations",
    "overdue_actions": "Actions past their due date",
}


@dataclass(frozen=True)
class Prefs:
    new_high: bool = False
    escalations: bool = False
    resolutions: bool = False
    weekly_digest: bool = False
    overdue_actions: bool = False
    by_email: bool = True


COLUMNS = "new_high, escalations, resolutions, weekly_digest, overdue_actions, by_email"


def _all(store: Store) -> dict[int, Prefs]:
    rows = store.cursor().execute(f"SELECT account_id, {COLUMNS} FROM notification_prefs").fetchall()  # noqa: S608 - constant
    return {row[0]: Prefs(*row[1:]) for row in rows}


def prefs(store: Store, account_id: int) -> Prefs:
    """The account's choices (nothing chosen until it saves some)."""
    return _all(store).get(account_id, Prefs())


def save_prefs(store: Store, account_id: int, chosen: Prefs, now: datetime | None = None) -> Prefs:
    """Store the account's own choices (the page passes the signed-in account's id only)."""
    values = [bool(getattr(chosen, f.name)) for f in fields(Prefs)]
    with store.transaction("save notification choices") as cur:
        cur.execute(
            "INSERT INTO notification_prefs (account_id, new_high, escalations, resolutions, weekly_digest, "
            "overdue_actions, by_email, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) "
            "DO UPDATE SET new_high = excluded.new_high, escalations = excluded.escalations, "
            "resolutions = excluded.resolutions, weekly_digest = excluded.weekly_digest, "
            "overdue_actions = excluded.overdue_actions, by_email = excluded.by_email, updated_at = excluded.updated_at",
            [account_id, *values, now or datetime.now()],
        )
    return prefs(store, account_id)


def subscribers(store: Store, topic: str, org_id: int | None = None) -> list[tuple[Account, Prefs]]:
    """The active accounts that chose topic (and may see org_id, when given), with their choices."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    found = []
    for account_id, chosen in sorted(_all(store).items()):
        who = account(store, account_id) if getattr(chosen, topic) else None  # None: not chosen, or disabled
        if who is not None and (org_id is None or who.principal.may_see(org_id)):
            found.append((who, chosen))
    return found
