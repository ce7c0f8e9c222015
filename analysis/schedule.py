"""Scheduled checks: the one writer of the red flags' history, and the notifications it sends.

- After each load that stored something (analysis/ingest's store.after_load hook, which the app
  and the command line set), every rollout of the organisation is evaluated with record=True
  (analysis/alerts/state.py): state changes (fired, escalated, resolved ...) go to alert_events
  with the evaluation time. Reads (the pages, `kpis`, `alerts` without --record) record nothing.
- tick() is the app's background pass (server.py runs it beside the inbox pass): once a day, and
  at once after an upgrade (new code keeps its verdicts under a new key), it evaluates every
  rollout; it turns new alert events into notifications (analysis/notify), sends the weekly digest
  and the overdue actions, queues the scheduled report packs, and delivers the outbox (with
  back-off: analysis/notify/outbox.py).

Which events were already turned into notifications is kept as a mark (the last event id) in
scheduled_runs, so an event is news once whoever recorded it.
"""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from analysis import audit, audit_log, orgs, retention
from analysis.access import OPERATOR
from analysis.alerts import evaluate_alerts
from analysis.alerts.actions import overdue_actions
from analysis.scope import Scope, open_scope
from analysis.store import Store

if TYPE_CHECKING:
    from analysis.notify.mail import SmtpSettings

# analysis.notify (the outbox, accounts, argon2) is imported where news is queued, not here: every
# command-line process imports this module (analysis/cli/__init__.py), and a read never queues news.

log = logging.getLogger("uptake")
_news_lock = threading.Lock()  # one thread turns events into notifications at a time


def evaluate_organisation(scope: Scope, now: datetime | None = None) -> int:
    """Evaluate and record every rollout of the organisation as of its newest data; returns the
    alerts that hold or cannot be judged."""
    now = now or datetime.now()
    return sum(len(evaluate_alerts(scope, rollout, now=now, record=True)) for rollout in orgs.rollouts(scope))


def record_rollout(scope: Scope, rollout) -> list:
    """Evaluate and record one rollout now and queue the news: the Red flags page does this before an
    acknowledgement or a snooze, so it acts on the stored alert of the newest data."""
    found = evaluate_alerts(scope, rollout, record=True)
    queue_news(scope.store)
    return found


def after_load(scope: Scope, _result=None) -> None:
    """The store.after_load hook: evaluate the organisation the load was for and queue the news.
    A failure is logged, never the load's: the load is stored already."""
    try:
        with audit.acting(*audit.SCHEDULE):  # the evaluation's records are the schedule's, not the loader's
            evaluate_organisation(open_scope(scope.store, OPERATOR, scope.org_id))
            queue_news(scope.store)
    except Exception:
        log.exception("the evaluation after a load failed; the daily one will try again")


def watch_loads(store: Store) -> Store:
    """Evaluate after each load into this store (the app's and the command line's); returns it."""
    if after_load not in store.after_load:
        store.after_load.append(after_load)
    return store


def _org_names(store: Store) -> dict[int, str]:
    return {int(r.org_id): r.name for r in orgs.organisations(store, OPERATOR).itertuples()}


def _last_run(store: Store, job: str) -> tuple[datetime | None, int | None]:
    rows = store.cursor().execute("SELECT ran_at, mark FROM scheduled_runs WHERE job = ?", [job]).fetchall()
    return rows[0] if rows else (None, None)


def _ran(cur, job: str, now: datetime, mark: int | None = None) -> None:
    cur.execute(
        "INSERT INTO scheduled_runs (job, ran_at, mark) VALUES (?, ?, ?) ON CONFLICT (job) DO UPDATE SET "
        "ran_at = excluded.ran_at, mark = coalesce(excluded.mark, scheduled_runs.mark)",
        [job, now, mark],
    )


def queue_news(store: Store, now: datetime | None = None) -> int:
    """Turn the alert events recorded since the last call into notifications for the accounts that
    chose them and may see the organisation (client roles: their own only, folded as their pages
    are). Returns the notifications queued."""
    from analysis.notify import compose, outbox
    from analysis.notify.prefs import subscribers

    now = now or datetime.now()
    with _news_lock:
        _, after = _last_run(store, "events_queued")
        upto = store.cursor().execute("SELECT coalesce(max(event_id), 0) FROM alert_events").fetchall()[0][0]
        if upto <= (after or 0):
            return 0
        queued = 0
        with store.transaction(housekeeping="notifications queued for sending") as cur:
            for org_id, name in _org_names(store).items():
                scope = open_scope(store, OPERATOR, org_id)
                events = scope.df("notify_events", after=after or 0)
                for event in events[events["event_id"] <= upto].to_dict("records"):
                    topic = compose.topic_of(event)
                    if topic is None:
                        continue
                    for who, chosen in subscribers(store, topic, org_id):
                        note = compose.alert_note(event, org_id, name, who.principal.is_client)
                        queued += outbox.queue(cur, store, who, chosen, note, now)
            _ran(cur, "events_queued", now, upto)
    return queued


def _due_daily(store: Store, job: str, now: datetime) -> bool:
    ran, _ = _last_run(store, job)
    return ran is None or ran.date() < now.date()


def _code_mark() -> int:
    """This code's version as a number (scheduled_runs.mark is an integer): the kept verdicts and
    baselines are keyed by it (analysis/alerts/verdict_cache.py), so new code reads none of the old."""
    from analysis.alerts.verdict_cache import code_version

    return int(code_version()[:15], 16)


def _new_code(store: Store) -> bool:
    """The code changed since the last evaluation (an upgrade): evaluate now, not tomorrow, so the
    pages and `kpis` read kept verdicts again at once."""
    _, mark = _last_run(store, "evaluated_code")
    return mark != _code_mark()


def _due_weekly(store: Store, job: str, now: datetime) -> bool:
    ran, _ = _last_run(store, job)
    return ran is None or now - ran >= timedelta(days=7)


def queue_digests(store: Store, now: datetime) -> int:
    """The weekly digest for each account that chose it: its organisations' open flags and overdue
    actions, read through its own scope."""
    from analysis.notify import compose, outbox
    from analysis.notify.prefs import subscribers

    queued = 0
    with store.transaction(housekeeping="notifications queued for sending") as cur:
        for who, chosen in subscribers(store, "weekly_digest"):
            rows = []
            for org in orgs.organisations(store, who.principal).itertuples():
                scope = open_scope(store, who.principal, int(org.org_id))
                flags = scope.df("stored_alerts", rollout_id=None, alert_id=None, include_resolved=False)
                flags = flags[flags["state"] != "not_enough_data"]
                late = overdue_actions(scope, today=now.date())
                for rollout in orgs.rollouts(scope):
                    mine = flags[flags["rollout_id"] == rollout.rollout_id]
                    rows.append(
                        {
                            "org": org.name,
                            "rollout": rollout.name,
                            "high": int((mine["severity"] == "high").sum()),
                            "medium": int((mine["severity"] == "medium").sum()),
                            "overdue": int((late["rollout_id"] == rollout.rollout_id).sum()),
                        }
                    )
            queued += outbox.queue(cur, store, who, chosen, compose.digest_note(rows, now.date()), now)
        _ran(cur, "weekly_digest", now)
    return queued


def queue_overdue(store: Store, now: datetime) -> int:
    """Once a day, for each account that chose it: the overdue actions of each of its organisations."""
    from analysis.notify import compose, outbox
    from analysis.notify.prefs import subscribers

    queued = 0
    with store.transaction(housekeeping="notifications queued for sending") as cur:
        for who, chosen in subscribers(store, "overdue_actions"):
            for org in orgs.organisations(store, who.principal).itertuples():
                late = overdue_actions(open_scope(store, who.principal, int(org.org_id)), today=now.date())
                rows = [
                    {"rollout": r.rollout, "rule": r.rule, "due": _day(r.due).isoformat()} for r in late.itertuples()
                ]
                if rows:
                    note = compose.overdue_note(int(org.org_id), org.name, rows, now.date())
                    queued += outbox.queue(cur, store, who, chosen, note, now)
        _ran(cur, "overdue_actions", now)
    return queued


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def tick(store: Store, now: datetime | None = None, settings: SmtpSettings | None = None) -> dict:
    """One background pass: the daily evaluation when due, the news, the digest and overdue
    actions when due, the report packs when due, then the outbox. Returns what it did. Its writes
    are recorded as the schedule's (analysis/audit.py)."""
    with audit.acting(*audit.SCHEDULE):
        return _tick(store, now or datetime.now(), settings)


def _tick(store: Store, now: datetime, settings: SmtpSettings | None) -> dict:
    from analysis.notify import outbox, packs

    done = {"evaluated": 0, "queued": 0}
    if _due_daily(store, "daily_evaluation", now) or _new_code(store):
        for org_id in _org_names(store):
            scope = open_scope(store, OPERATOR, org_id)
            retention.remove_old_events(scope, now.date())  # the figures stay: no re-evaluation needed for it
            done["evaluated"] += evaluate_organisation(scope, now)
        audit_log.remove_old_entries(store, now)
        with store.transaction(housekeeping="the mark of a scheduled pass") as cur:
            _ran(cur, "daily_evaluation", now)
            _ran(cur, "evaluated_code", now, _code_mark())
    done["queued"] += queue_news(store, now)
    if _due_weekly(store, "weekly_digest", now):
        done["queued"] += queue_digests(store, now)
    if _due_daily(store, "overdue_actions", now):
        done["queued"] += queue_overdue(store, now)
    done["queued"] += packs.queue_due_packs(store, now)
    return done | outbox.deliver_due(store, now, settings)


async def run_forever(store: Store, seconds: float | None = None) -> None:
    """The app's background task (server.py's lifespan): tick() every UPTAKE_SCHEDULE_SECONDS
    (default 60), in a worker thread; a failed pass is logged and the next one runs."""
    import asyncio
    import os

    seconds = seconds or float(os.environ.get("UPTAKE_SCHEDULE_SECONDS", "60"))
    while True:
        try:
            done = await asyncio.to_thread(tick, store)
            if done.get("delivered") or done.get("failed"):
                log.warning("notifications: %(delivered)s delivered, %(failed)s failed (retried later)", done)
        except Exception:
            log.exception("the scheduled checks failed; the next pass tries again")
        await asyncio.sleep(seconds)
