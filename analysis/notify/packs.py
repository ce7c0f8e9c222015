"""Scheduled report packs: an account manager subscribes a client's leaders (their accounts) to a
rollout's report pack, monthly or quarterly. At the start of each month (quarter) the background
task builds the PDF as of the newest data day, with the baseline chosen on that day, through the
recipient's own scope (a client role gets its groups folded, as on its pages) and queues it by
e-mail in the outbox (analysis/notify/outbox.py)."""

from __future__ import annotations

import logging
from datetime import date, datetime

import pandas as pd

from analysis import metrics, orgs
from analysis.access import Principal
from analysis.auth.accounts import account
from analysis.notify.outbox import Note, queue
from analysis.notify.prefs import prefs
from analysis.scope import Scope, open_scope
from analysis.store import Store
from analysis.words import day, moment

log = logging.getLogger("uptake")
CADENCES = ("monthly", "quarterly")
SENDER = "Uptake (scheduled pack)"  # who the pack says prepared it: no person's name


def period_start(cadence: str, today: date) -> date:
    """The first day of the month (quarter) today is in. Example: quarterly, 2026-05-20 -> 2026-04-01."""
    month = today.month if cadence == "monthly" else 3 * ((today.month - 1) // 3) + 1
    return date(today.year, month, 1)


def subscribe(scope: Scope, rollout_id: int, account_id: int, cadence: str, now: datetime | None = None) -> int:
    """Subscribe one of the organisation's client accounts to the rollout's pack ('configure': an
    account manager or admin). Returns the subscription's id; subscribing again changes the cadence."""
    scope.require("configure")
    if cadence not in CADENCES:
        raise ValueError(f"choose a cadence: {' or '.join(CADENCES)}")
    who = account(scope.store, account_id)
    if who is None or not who.principal.is_client or scope.org_id not in who.org_ids:
        raise ValueError("subscribe an active client account of this organisation")
    scope.rollout_id(rollout_id)  # LookupError unless it is this organisation's
    with scope.store.transaction("subscribe to a report pack", org_id=scope.org_id) as cur:
        return cur.execute(
            "INSERT INTO pack_subscriptions (org_id, rollout_id, account_id, cadence, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (rollout_id, account_id) DO UPDATE SET cadence = excluded.cadence "
            "RETURNING subscription_id",
            [scope.org_id, rollout_id, account_id, cadence, scope.principal.name, now or datetime.now()],
        ).fetchall()[0][0]


def unsubscribe_account(scope: Scope, rollout_id: int, account_id: int) -> None:
    """Stop sending the rollout's pack to one account ('configure')."""
    scope.require("configure")
    with scope.store.transaction("unsubscribe from a report pack", org_id=scope.org_id) as cur:
        cur.execute(
            "DELETE FROM pack_subscriptions WHERE rollout_id = ? AND account_id = ? AND org_id = ?",
            [rollout_id, account_id, scope.org_id],
        )


def client_accounts(scope: Scope) -> dict[int, str]:
    """The organisation's active client accounts (its leaders): account id -> e-mail."""
    return {int(r.account_id): r.email for r in scope.df("client_accounts").itertuples()}


def subscriptions(scope: Scope) -> pd.DataFrame:
    """The organisation's pack subscriptions: subscription_id, rollout, recipient, cadence, last_sent_on."""
    return scope.df("pack_subscriptions")


def _due(store: Store, today: date) -> list[tuple]:
    rows = (
        store.cursor()
        .execute(
            "SELECT subscription_id, org_id, rollout_id, account_id, cadence, last_sent_on FROM pack_subscriptions"
        )
        .fetchall()
    )
    return [r for r in rows if r[5] is None or r[5] < period_start(r[4], today)]


def queue_due_packs(store: Store, now: datetime) -> int:
    """Build and queue every pack whose month (quarter) has begun since it was last sent."""
    due = _due(store, now.date())
    if not due:
        return 0
    from analysis.reports.pack import build_pack  # here only, when a pack is due: it loads Plotly

    queued = 0
    for subscription_id, org_id, rollout_id, account_id, cadence, _ in due:
        who = account(store, account_id)
        if who is None or org_id not in who.org_ids:  # disabled or moved: nothing is built for it
            continue
        scope = open_scope(store, Principal(SENDER, who.role, who.org_ids), org_id, "export")
        rollout = orgs.rollout(scope, rollout_id)
        fresh = metrics.freshness(scope, rollout)
        as_of = metrics.default_day(fresh)
        if as_of is None:
            continue  # no data yet: tried again at the next pass
        try:
            pack = build_pack(scope, rollout, as_of, rollout.window_days, ("pdf",))
        except Exception:  # one pack that cannot be built must not stop the others or the outbox
            log.exception("the report pack of subscription %s could not be built", subscription_id)
            continue
        name = f"{pack.contents.organisation} - {rollout.name} - {as_of.isoformat()}.pdf".replace("/", "-")
        note = Note(
            "pack",
            f"[Uptake] {cadence.capitalize()} report pack: {pack.contents.organisation} / {rollout.name}, "
            f"as of {day(as_of)}",
            f"The {cadence} report pack of {rollout.name} is attached: figures as of {day(as_of)}, "
            f"built {moment(now)}.\n",
            {"topic": "pack", "rollout": rollout.name, "as_of": as_of.isoformat(), "cadence": cadence},
            org_id,
            (name, pack.files["pdf"]),
        )
        with store.transaction(housekeeping="report packs queued for sending") as cur:
            queued += queue(cur, store, who, prefs(store, account_id), note, now, email_only=True)
            cur.execute(
                "UPDATE pack_subscriptions SET last_sent_on = ? WHERE subscription_id = ?",
                [now.date(), subscription_id],
            )
    return queued
