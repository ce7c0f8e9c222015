"""Alerts and their states: evaluate_alerts turns the verdicts into alerts, records the
transitions (analysis.alerts.store), and the pages count them."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from analysis import audit, default_view, kept_figures, kpis, metrics, person_facts
from analysis.alerts import verdict_cache
from analysis.alerts.evaluate import evaluated
from analysis.alerts.inputs import Finding
from analysis.alerts.rules import RULES
from analysis.alerts.store import record_verdict, resolve_alert, row_key, stored_rows
from analysis.kpis import baseline_cache
from analysis.orgs import Rollout
from analysis.scope import Scope

OPEN_STATES = ("firing", "acknowledged", "snoozed", "not_enough_data")
STATE_ORDER = {s: i for i, s in enumerate(OPEN_STATES)}
CONTRACT_KEYS = ("rule", "severity", "cohort", "department", "state", "since", "message", "evidence", "action")


@dataclass
class Alert:
    """One alert as the pages and `kpis --json` show it (resolved ones live in the history)."""

    rule: str
    severity: str
    cohort: str | None
    department: str | None
    state: str
    since: date | None
    message: str
    evidence: dict
    action: str
    kind: str | None = None
    alert_id: int | None = None
    rollout: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    note: str | None = None
    snoozed_until: date | None = None

    def as_json(self, contract: bool = False) -> dict:
        """The alert as the alerts command prints it (docs/operations.md#figures-kpis-baselines-and-red-flags;
        contract=True: exactly its nine keys), or with the id, rollout, kind, acknowledgement and snooze added."""
        full = {
            "rule": self.rule,
            "severity": self.severity,
            "cohort": self.cohort,
            "department": self.department,
            "state": self.state,
            "since": self.since.isoformat() if self.since else None,
            "message": self.message,
            "evidence": self.evidence,
            "action": self.action,
        }
        if contract:
            return full
        return {
            "id": self.alert_id,
            "rollout": self.rollout,
            **full,
            "kind": self.kind,
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": self.acknowledged_at.isoformat(timespec="seconds") if self.acknowledged_at else None,
            "note": self.note,
            "snoozed_until": self.snoozed_until.isoformat() if self.snoozed_until else None,
        }


def _state(found: Finding, row: dict | None, today: date) -> tuple[str, bool]:
    """The state a verdict takes given the stored alert: (state, escalated)."""
    if found.status == "not_enough_data":
        return "not_enough_data", False
    if row is None:
        return "firing", False
    held_before = row["state"] in ("acknowledged", "snoozed")
    if held_before and row["severity"] == "medium" and found.severity == "high":
        return "firing", True
    if row["snoozed_until"] and today < row["snoozed_until"]:
        return "snoozed", False
    if row["acknowledged_at"]:
        return "acknowledged", False
    return "firing", False


def evaluate_alerts(
    scope: Scope, rollout: Rollout, as_of: date | None = None, now: datetime | None = None, record: bool | None = None
) -> list[Alert]:
    """Recompute every rule for the rollout, record the transitions, and return the alerts that
    hold or cannot be judged (firing first, then acknowledged, snoozed, not_enough_data; high
    before medium; in RULES order).

    Recording (record None: only when as_of is None or on or after the newest usage day, so a look
    back at an older date never rewrites the history): a new verdict opens an alert (event
    `fired` or `not_enough_data`); a stored alert takes the verdict's state (acknowledged and
    snoozed stay so while it holds; a snooze ends on its date: `snooze_ended`; medium -> high
    fires again: `escalated`); an alert that no longer holds is `resolved`. now (default: the
    clock) dates the events and ends snoozes. With record False nothing is written, and states
    come from the stored alerts. A recording evaluation keeps its verdicts per data version; a
    read at the same key reuses them rather than recompute (analysis/alerts/verdict_cache.py).
    """
    now = now or datetime.now()
    if record is None:
        newest = metrics.default_as_of(scope, rollout)
        record = as_of is None or newest is None or as_of >= newest
    # the key before the verdicts: a load committed meanwhile leaves them under the older key
    at = verdict_cache.key(scope)
    kept = None if record else verdict_cache.read(scope, rollout, at, as_of, now)
    if kept is None:
        data, found = evaluated(scope, rollout, as_of, now)
        d = data.d  # as_of, else the newest usage day, else today
    else:
        d, found = kept
    # the computed baseline the rules used, with the champion curve the KPI table reads: kept with
    # the verdicts (analysis/kpis/baseline_cache.py)
    baseline_kept = kpis.keep_computed(scope, rollout, data.baseline, data.d, data.window) if record else None
    # the time series and freshness the pages read first, kept alike (analysis/kept_figures.py)
    view_kept = default_view.gathered(scope, rollout, data.d) if record else {}
    result = []
    with scope.store.transaction("record red-flag changes", org_id=scope.org_id) if record else nullcontext() as cur:
        if record:
            verdict_cache.write(cur, scope, rollout, at, data, found)
            if baseline_kept is not None:
                baseline_cache.write(cur, scope, rollout, at, *baseline_kept)
            # the people the adoption figures count, at the day and window evaluated (analysis/person_facts.py)
            person_facts.keep(cur, scope, rollout, at.data_version, at.inputs_version, data.d, data.window)
            kept_figures.write(cur, scope, rollout, at.data_version, at.inputs_version, view_kept)
        stored = {row_key(row): row for row in stored_rows(scope, rollout.rollout_id)}
        events_before = _events(cur, scope) if record else 0
        for f in found:
            row = stored.pop(f.key, None)
            if f.status == "clear":
                if row is not None and record:
                    resolve_alert(cur, scope, row, now, d, "the rule no longer holds")
                continue
            state, escalated = _state(f, row, now.date())
            alert_id = (
                record_verdict(cur, scope, rollout, f, row, state, escalated, now, d)
                if record
                else (row["alert_id"] if row else None)
            )
            keep = row if row is not None and not escalated else {}
            result.append(
                Alert(
                    f.rule,
                    f.severity,
                    f.cohort,
                    f.department,
                    state,
                    f.since,
                    f.message,
                    f.evidence,
                    RULES[f.rule].action,
                    f.kind,
                    alert_id,
                    rollout.name,
                    keep.get("acknowledged_by"),
                    keep.get("acknowledged_at"),
                    keep.get("note"),
                    keep.get("snoozed_until") if state == "snoozed" else None,
                )
            )
        if record:
            for row in stored.values():
                resolve_alert(cur, scope, row, now, d, "no longer evaluated (its cohort or department is gone)")
            changes = _events(cur, scope) - events_before
            if changes:
                audit.note(detail=f"rollout {rollout.name!r}: {changes} changes")
            else:
                audit.nothing_written()  # only the evaluation time was stamped: not news
    order = list(RULES)
    result.sort(
        key=lambda a: (
            STATE_ORDER[a.state],
            a.severity != "high",
            order.index(a.rule),
            a.cohort or "",
            a.department or "",
            a.kind or "",
        )
    )
    return result


def alerts_frame(alerts: list[Alert]) -> pd.DataFrame:
    """The alerts as a table for the pages (one row each; columns as Alert.as_json)."""
    columns = ["id", "rollout", *CONTRACT_KEYS, "kind", "acknowledged_by", "acknowledged_at", "note", "snoozed_until"]
    return pd.DataFrame([a.as_json() for a in alerts], columns=columns)


def red_flag_counts(alerts: list[Alert]) -> dict[str, int]:
    """Counts for the Overview and the Portfolio: open red flags (firing, acknowledged or
    snoozed) by severity, and the rules that cannot be judged. Example: one high firing, one
    medium acknowledged, one not_enough_data -> {"high": 1, "medium": 1, "firing": 1,
    "not_enough_data": 1}."""
    held = [a for a in alerts if a.state != "not_enough_data"]
    return {
        "high": sum(a.severity == "high" for a in held),
        "medium": sum(a.severity == "medium" for a in held),
        "firing": sum(a.state == "firing" for a in held),
        "not_enough_data": sum(a.state == "not_enough_data" for a in alerts),
    }


def _events(cur, scope: Scope) -> int:
    """The organisation's alert events so far (an evaluation that records none changed nothing)."""
    return cur.execute("SELECT count(*) FROM alert_events WHERE org_id = ?", [scope.org_id]).fetchall()[0][0]
