"""The outbox: every notification is queued here (one row per recipient and channel) and delivered
by the app's background task (analysis/schedule.py). A failed delivery is tried again after 1, 2,
4, 8 ... minutes (attempts and next_try_at are stored), and given up after MAX_ATTEMPTS; the
Administration page lists the failures."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from analysis.auth.accounts import Account, account
from analysis.notify import mail, webhooks
from analysis.notify.prefs import Prefs
from analysis.store import Store

log = logging.getLogger("uptake")
MAX_ATTEMPTS = 8  # 1 + 2 + 4 + ... + 64 minutes: a little over two hours of trying
FIRST_WAIT = timedelta(minutes=1)
BATCH = 50


@dataclass
class Note:
    """One notification, before it is addressed: its topic, words and facts (no person's name)."""

    topic: str
    subject: str
    body: str
    facts: dict = field(default_factory=dict)
    org_id: int | None = None
    attachment: tuple[str, bytes] | None = None


def queue(cur, store: Store, who: Account, chosen: Prefs, note: Note, now: datetime, email_only: bool = False) -> int:
    """Queue note for an account: by e-mail if it chose e-mail, and to each of its webhooks (a pack,
    email_only, goes by e-mail). Returns the rows queued."""
    rows: list[tuple[str, int | None]] = [("email", None)] if chosen.by_email or email_only else []
    if not email_only:
        rows += [("webhook", hook.webhook_id) for hook in webhooks.webhooks(store, who.account_id)]
    name, data = note.attachment or (None, None)
    for channel, webhook_id in rows:
        cur.execute(
            "INSERT INTO outbox (org_id, account_id, channel, webhook_id, topic, subject, body, facts, "
            "attachment_name, attachment, created_at, next_try_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                note.org_id,
                who.account_id,
                channel,
                webhook_id,
                note.topic,
                note.subject,
                note.body,
                json.dumps(note.facts),
                name,
                data,
                now,
                now,
            ],
        )
    return len(rows)


def _send(store: Store, row: dict, who: Account, settings: mail.SmtpSettings | None) -> None:
    facts = json.loads(row["facts"])
    if row["channel"] == "email":
        if settings is None:
            raise OSError(mail.NOT_SET_UP)
        attachment = (row["attachment_name"], bytes(row["attachment"])) if row["attachment_name"] else None
        mail.send(settings, mail.message(settings, who.email, row["subject"], row["body"], attachment))
        return
    hook = next((h for h in webhooks.webhooks(store, who.account_id) if h.webhook_id == row["webhook_id"]), None)
    if hook is None:
        raise LookupError("the webhook was removed")
    webhooks.post(hook, row["subject"], row["body"], facts)


def deliver_due(store: Store, now: datetime | None = None, settings: mail.SmtpSettings | None = None) -> dict:
    """Deliver every queued notification whose time has come; {"delivered": n, "failed": n}.
    settings: the SMTP settings (default: read from the app's secrets)."""
    now = now or datetime.now()
    cur = store.cursor().execute(
        "SELECT notification_id, org_id, account_id, channel, webhook_id, subject, body, facts, "
        "attachment_name, attachment, attempts FROM outbox WHERE delivered_at IS NULL AND given_up_at IS NULL "
        "AND next_try_at <= ? ORDER BY next_try_at, notification_id LIMIT ?",
        [now, BATCH],
    )
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, values)) for values in cur.fetchall()]
    done = {"delivered": 0, "failed": 0}
    if not rows:
        return done
    if settings is None:
        try:
            settings = mail.smtp_settings()
        except ValueError as exc:
            log.warning("%s", exc)
    for row in rows:
        who = account(store, row["account_id"])
        org_id = row["org_id"]
        try:
            if who is None or (org_id is not None and not who.principal.may_see(org_id)):
                _give_up(
                    store, row["notification_id"], now, "the account is disabled or no longer sees this organisation"
                )
                done["failed"] += 1
                continue
            _send(store, row, who, settings)
        except LookupError as exc:
            _give_up(store, row["notification_id"], now, str(exc))
            done["failed"] += 1
        except (OSError, ValueError) as exc:
            _retry_later(store, row, now, str(exc) or type(exc).__name__)
            done["failed"] += 1
        else:
            with store.transaction(housekeeping="a notification sent") as cur:
                cur.execute(
                    "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL "
                    "WHERE notification_id = ?",
                    [now, row["notification_id"]],
                )
            done["delivered"] += 1
    return done


def _retry_later(store: Store, row: dict, now: datetime, error: str) -> None:
    attempts = int(row["attempts"]) + 1
    with store.transaction(housekeeping="a notification to retry") as cur:
        cur.execute(
            "UPDATE outbox SET attempts = ?, last_error = ?, next_try_at = ?, given_up_at = ? WHERE notification_id = ?",
            [
                attempts,
                error[:500],
                now + FIRST_WAIT * 2 ** (attempts - 1),
                now if attempts >= MAX_ATTEMPTS else None,
                row["notification_id"],
            ],
        )


def _give_up(store: Store, notification_id, now: datetime, error: str) -> None:
    with store.transaction(housekeeping="a notification given up") as cur:
        cur.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, given_up_at = ? WHERE notification_id = ?",
            [error, now, notification_id],
        )


def failures(store: Store) -> pd.DataFrame:
    """Notifications not delivered after a try, newest first: for the Administration page (admin
    only: the page checks). Columns: id, created, recipient, channel, topic, subject, attempts,
    next_try, given_up, error."""
    return (
        store.cursor()
        .execute(
            "SELECT o.notification_id AS id, o.created_at AS created, a.email AS recipient, "
            "CASE WHEN o.channel = 'webhook' THEN 'webhook (' || coalesce(w.label, 'removed') || ')' "
            "ELSE 'e-mail' END AS channel, o.topic, o.subject, o.attempts, "
            "CASE WHEN o.given_up_at IS NULL THEN o.next_try_at END AS next_try, o.given_up_at AS given_up, "
            "o.last_error AS error FROM outbox o LEFT JOIN accounts a USING (account_id) "
            "LEFT JOIN webhooks w ON w.webhook_id = o.webhook_id "
            "WHERE o.delivered_at IS NULL AND o.attempts > 0 ORDER BY o.created_at DESC, o.notification_id DESC"
        )
        .df()
    )
