"""The JSON documents the command line prints with --json and the API answers with, built in one
place so the two are the same (docs/operations.md#the-kpis-json). Every one reads through a
Scope (or lists only the organisations the principal may see)."""

from __future__ import annotations

from datetime import date

from analysis import (
    alerts,
    breakdowns,
    feedback,
    kpis,
    lessons,
    metrics,
    orgs,
    phases,
    readiness,
    roster_history,
    support,
)
from analysis.access import Principal
from analysis.alerts import actions as flag_actions
from analysis.orgs import Rollout
from analysis.scope import Scope
from analysis.store import Store


def organisations_document(store: Store, principal: Principal) -> list[dict]:
    """The organisations the principal may see: [{"id", "name", "time_zone"}], by name."""
    frame = orgs.organisations(store, principal)
    return [{"id": int(r.org_id), "name": r.name, "time_zone": r.time_zone} for r in frame.itertuples()]


def rollout_document(rollout: Rollout) -> dict:
    return {
        "id": rollout.rollout_id,
        "name": rollout.name,
        "cohorts": {name: day.isoformat() for name, day in rollout.cohorts.items()},
        "window_days": rollout.window_days,
        "target_adoption": rollout.target_adoption,
        "target_age_days": rollout.target_age_days,
    }


def rollouts_document(scope: Scope) -> list[dict]:
    """The organisation's rollouts: [{"id", "name", "cohorts": {cohort: go-live}, "window_days",
    "target_adoption", "target_age_days"}]."""
    return [rollout_document(r) for r in orgs.rollouts(scope)]


def kpis_document(
    scope: Scope,
    org_name: str,
    rollout: Rollout,
    as_of: date | None,
    window: int | None,
    record: bool | None = None,
) -> dict:
    """`kpis --json`: the rollout's figures as of as_of (default: the newest usage day) over window
    days (default: the rollout's). record is evaluate_alerts' (None: the command line's default;
    the API passes False: a read never writes)."""
    d = as_of or metrics.default_as_of(scope, rollout) or date.today()
    window = window or rollout.window_days
    if window < 1:
        raise ValueError("the window is a number of days, 1 or more")
    cohorts = metrics.cohort_figures(scope, rollout, d, window)
    tickets = support.support_kpis(scope, rollout, d, window)
    roster_dated = roster_history.dated_on(scope, rollout, d)
    return {
        "org": org_name,
        "rollout": rollout.name,
        "as_of": d.isoformat(),
        "window_days": window,
        "cohorts": {name: {k: figures[k] for k in metrics.COHORT_KEYS} for name, figures in cohorts.items()},
        "support": {k: tickets[k] for k in support.SUPPORT_KEYS},
        # the rules use the rollout's own window, not the window asked; no as_of: STALE_DATA compares with today
        "alerts": [a.as_json(contract=True) for a in alerts.evaluate_alerts(scope, rollout, as_of, record=record)],
        # added: figure -> why it is null or absent (snapshot exports too far apart); {} for event-level data
        "not_computable": metrics.not_computable(scope, rollout),
        # added: the root causes and actions on the rollout's red flags (docs/metrics.md#root-causes-and-actions)
        "actions": flag_actions.as_json(scope, rollout),
        # added: the rollout's post-mortem, five headings, or null (docs/metrics.md#post-mortem-and-lessons)
        "lessons": lessons.as_json(scope, rollout),
        # added: the phases and whether each met its targets (docs/metrics.md#phases)
        "phases": phases.as_json(scope, rollout, d, window),
        # added: training and communications, trained before go-live per cohort (docs/metrics.md#readiness)
        "readiness": readiness.as_json(scope, rollout),
        # added: survey confidence by place and week (docs/metrics.md#feedback)
        "feedback": feedback.as_json(scope, rollout, d),
        # added: the KPI series from other systems against their targets (docs/metrics.md#kpi-series)
        "custom_kpis": custom_kpis(scope, rollout, d, window),
        # added: adoption by activity and by the roster's extra columns (docs/metrics.md#breakdowns)
        "breakdowns": breakdowns.as_json(scope, rollout, d, window),
        # added: the date of the roster the figures count (docs/metrics.md#roster-history), or null
        "roster_dated": roster_dated.isoformat() if roster_dated else None,
    }


def custom_kpis(scope: Scope, rollout: Rollout, as_of: date, window: int) -> list[dict]:
    """kpis.custom.as_json against the rollout's selected baseline window ([] without a series: the
    baseline, figures over a whole window, is not looked up for nothing)."""
    if kpis.custom.points(scope, rollout).empty:
        return []
    chosen = kpis.baseline(scope, rollout, None, as_of, window, curve=False)
    return kpis.custom.as_json(scope, rollout, as_of, (chosen.start, chosen.end) if chosen else None)


def alerts_document(
    scope: Scope, rollouts: list[Rollout], as_of: date | None, record: bool | None = None
) -> list[dict]:
    """`alerts --json`: the red flags of the rollouts that hold or cannot be judged (ALERT with
    id, rollout, kind, acknowledgement and snooze)."""
    return [a.as_json() for r in rollouts for a in alerts.evaluate_alerts(scope, r, as_of, record=record)]


SEVERITIES = ("medium", "high")
HOLDING = ("firing", "acknowledged", "snoozed")  # the rule holds; not_enough_data: it cannot be judged


def flags_at_or_above(found: list[dict], severity: str) -> list[dict]:
    """The flags that hold (firing, acknowledged or snoozed: not_enough_data is no flag) with the
    severity given or a higher one (`alerts --fail-on`)."""
    floor = SEVERITIES.index(severity)
    return [a for a in found if a["state"] in HOLDING and a["severity"] in SEVERITIES[floor:]]
