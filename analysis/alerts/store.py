"""The alerts as stored: their rows and events (alerts, alert_events), the transitions
evaluate_alerts records, acknowledgements and snoozes, and the history."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pandas as pd

from analysis.alerts.inputs import Finding
from analysis.alerts.rules import RULES
from analysis.orgs import Rollout
from analysis.scope import Scope


def _value(v):
    if v is None or (not isinstance(v, (list, dict, str)) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def stored_rows(
    scope: Scope, rollout_id: int | None = None, alert_id: int | None = None, include_resolved: bool = False
) -> list[dict]:
    frame = scope.df("stored_alerts", rollout_id=rollout_id, alert_id=alert_id, include_resolved=include_resolved)
    rows = []
    for record in frame.to_dict("records"):
        row = {k: _value(v) for k, v in record.items()}
        for k in ("since", "as_of", "snoozed_until"):
            if isinstance(row.get(k), datetime):
                row[k] = row[k].date()
        rows.append(row)
    return rows


def row_key(row: dict) -> tuple:
    return (row["rule"], row["cohort"], row["department"], row["kind"])


def _event(
    cur,
    alert_id: int,
    org_id: int,
    at: datetime,
    event: str,
    before: str | None,
    after: str,
    by: str,
    note: str | None = None,
    as_of: date | None = None,
    severity: str | None = None,
    evidence: dict | None = None,
) -> None:
    cur.execute(
        "INSERT INTO alert_events (alert_id, org_id, event_at, event, from_state, to_state, by_name, note, "
        "as_of, severity, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            alert_id,
            org_id,
            at,
            event,
            before,
            after,
            by,
            note,
            as_of,
            severity,
            json.dumps(evidence) if evidence is not None else None,
        ],
    )


def record_verdict(
    cur,
    scope: Scope,
    rollout: Rollout,
    found: Finding,
    row: dict | None,
    state: str,
    escalated: bool,
    now: datetime,
    d: date,
) -> int:
    """Store a verdict: open an alert (with its first event) or move the stored one to state."""
    evidence = json.dumps(found.evidence)
    action = RULES[found.rule].action
    if row is None:
        alert_id = cur.execute(
            "INSERT INTO alerts (org_id, rollout_id, rule, cohort, department, kind, state, severity, since, message, "
            "evidence, action, as_of, opened_at, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING alert_id",
            [
                scope.org_id,
                rollout.rollout_id,
                found.rule,
                found.cohort,
                found.department,
                found.kind,
                state,
                found.severity,
                found.since,
                found.message,
                evidence,
                action,
                d,
                now,
                now,
            ],
        ).fetchall()[0][0]
        _event(
            cur,
            alert_id,
            scope.org_id,
            now,
            "fired" if state == "firing" else state,
            None,
            state,
            "system",
            found.message,
            d,
            found.severity,
            found.evidence,
        )
        return alert_id
    alert_id = row["alert_id"]
    cur.execute(
        "UPDATE alerts SET state = ?, severity = ?, since = ?, message = ?, evidence = ?, as_of = ?, "
        "evaluated_at = ? WHERE alert_id = ? AND org_id = ?",
        [state, found.severity, found.since, found.message, evidence, d, now, alert_id, scope.org_id],
    )
    if escalated:
        cur.execute(
            "UPDATE alerts SET acknowledged_by = NULL, acknowledged_at = NULL, snoozed_until = NULL, "
            "snoozed_by = NULL WHERE alert_id = ? AND org_id = ?",
            [alert_id, scope.org_id],
        )
        _event(
            cur,
            alert_id,
            scope.org_id,
            now,
            "escalated",
            row["state"],
            state,
            "system",
            "severity rose from medium to high",
            d,
            found.severity,
            found.evidence,
        )
    elif state != row["state"]:
        event = {"not_enough_data": "not_enough_data"}.get(state) or (
            "snooze_ended" if row["state"] == "snoozed" and state == "firing" else "fired"
        )
        _event(
            cur,
            alert_id,
            scope.org_id,
            now,
            event,
            row["state"],
            state,
            "system",
            found.message,
            d,
            found.severity,
            found.evidence,
        )
    return alert_id


def resolve_alert(cur, scope: Scope, row: dict, now: datetime, d: date, note: str) -> None:
    cur.execute(
        "UPDATE alerts SET state = 'resolved', resolved_at = ?, evaluated_at = ?, as_of = ? "
        "WHERE alert_id = ? AND org_id = ?",
        [now, now, d, row["alert_id"], scope.org_id],
    )
    _event(cur, row["alert_id"], scope.org_id, now, "resolved", row["state"], "resolved", "system", note, d)


def _open_one(scope: Scope, alert_id: int) -> dict:
    rows = stored_rows(scope, alert_id=int(alert_id), include_resolved=True)
    if not rows:
        raise LookupError(f"no alert {alert_id} in this organisation (see `python -m analysis alerts --org ORG`)")
    row = rows[0]
    if row["state"] not in ("firing", "acknowledged", "snoozed"):
        raise ValueError(
            f"alert {alert_id} is {row['state'].replace('_', ' ')}: only a firing, acknowledged or "
            "snoozed alert can be acknowledged or snoozed"
        )
    return row


def acknowledge_alert(scope: Scope, alert_id: int, note: str, now: datetime | None = None) -> dict:
    """Acknowledge an open alert with a note (who and when are recorded); provider roles only
    ('configure'). It stays acknowledged while it holds, unless it escalates to high. Returns
    the stored alert."""
    scope.require("configure")
    note = " ".join((note or "").split())
    if not note:
        raise ValueError("an acknowledgement needs a note (what is being done about it)")
    if len(note) > 500:
        raise ValueError("keep the note to 500 characters")
    row = _open_one(scope, alert_id)
    now = now or datetime.now()
    with scope.store.transaction("acknowledge a red flag", org_id=scope.org_id) as cur:
        cur.execute(
            "UPDATE alerts SET state = 'acknowledged', acknowledged_by = ?, acknowledged_at = ?, note = ?, "
            "snoozed_until = NULL, snoozed_by = NULL WHERE alert_id = ? AND org_id = ?",
            [scope.principal.name, now, note, row["alert_id"], scope.org_id],
        )
        _event(
            cur,
            row["alert_id"],
            scope.org_id,
            now,
            "acknowledged",
            row["state"],
            "acknowledged",
            scope.principal.name,
            note,
        )
    return stored_rows(scope, alert_id=row["alert_id"], include_resolved=True)[0]


HIGH_SNOOZE_DAYS = 30


def snooze_alert(
    scope: Scope, alert_id: int, until: date, note: str | None = None, now: datetime | None = None
) -> dict:
    """Snooze an open alert until a date (at most a year ahead; a high one at most 30 days, and
    only with a note): from that date it fires again if it still holds. Provider roles only
    ('configure'). Returns the stored alert."""
    scope.require("configure")
    now = now or datetime.now()
    if not isinstance(until, date) or until <= now.date():
        raise ValueError("snooze until a date after today")
    if until > now.date() + timedelta(days=366):
        raise ValueError("snooze for at most a year")
    note = " ".join((note or "").split()) or None
    row = _open_one(scope, alert_id)
    if row["severity"] == "high":  # a high flag is snoozed only with a reason, and not for long
        if not note:
            raise ValueError("snoozing a high red flag needs a note (why it can wait)")
        if until > now.date() + timedelta(days=HIGH_SNOOZE_DAYS):
            raise ValueError(f"a high red flag is snoozed for at most {HIGH_SNOOZE_DAYS} days")
    with scope.store.transaction("snooze a red flag", org_id=scope.org_id) as cur:
        cur.execute(
            "UPDATE alerts SET state = 'snoozed', snoozed_until = ?, snoozed_by = ?, note = coalesce(?, note), "
            "acknowledged_by = NULL, acknowledged_at = NULL WHERE alert_id = ? AND org_id = ?",
            [until, scope.principal.name, note, row["alert_id"], scope.org_id],
        )
        _event(
            cur,
            row["alert_id"],
            scope.org_id,
            now,
            "snoozed",
            row["state"],
            "snoozed",
            scope.principal.name,
            f"until {until}" + (f": {note}" if note else ""),
        )
    return stored_rows(scope, alert_id=row["alert_id"], include_resolved=True)[0]


def alert_history(scope: Scope, rollout: Rollout | None = None) -> pd.DataFrame:
    """Every event of the organisation's alerts (of one rollout), oldest first: event_id,
    alert_id, rollout, rule, cohort, department, kind, event_at, event (fired, not_enough_data,
    acknowledged, snoozed, snooze_ended, escalated, resolved), from_state, to_state, by_name,
    note, as_of, severity, evidence (JSON)."""
    return scope.df("alert_history", rollout_id=rollout.rollout_id if rollout else None)


def stored_alerts(scope: Scope, rollout: Rollout | None = None, include_resolved: bool = True) -> pd.DataFrame:
    """The stored alert episodes (one row per alert id, resolved ones included by default)."""
    return scope.df(
        "stored_alerts",
        rollout_id=rollout.rollout_id if rollout else None,
        alert_id=None,
        include_resolved=include_resolved,
    )


def alerts_version(scope: Scope) -> tuple:
    """Changes whenever an alert's state, an acknowledgement, a snooze, a threshold, a KPI target
    or a baseline of the organisation changes (a cache key, next to the data and settings
    versions)."""
    row = scope.df("alerts_version").iloc[0]
    return (int(row["parts"]), str(row["fingerprint"]))
