"""Every rule's verdicts for a rollout as of a day, each holding one with the day it began to hold."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from analysis.alerts.adoption_rules import (
    champion_gap,
    declining_usage,
    lapsing,
    low_adoption,
    pilot_not_ready,
    workarounds,
)
from analysis.alerts.inputs import BOUND_DAYS, Finding, RuleData, load
from analysis.alerts.record_rules import kpi_off_track, low_confidence, not_ready
from analysis.alerts.rules import RULES
from analysis.alerts.support_rules import (
    backlog_growing,
    satisfaction_drop,
    slow_resolution,
    stale_data,
    ticket_spike,
)
from analysis.orgs import Rollout
from analysis.scope import Scope

EVALUATORS = {
    "LOW_ADOPTION": low_adoption,
    "CHAMPION_GAP": champion_gap,
    "PILOT_NOT_READY": pilot_not_ready,
    "TICKET_SPIKE": ticket_spike,
    "SLOW_RESOLUTION": slow_resolution,
    "BACKLOG_GROWING": backlog_growing,
    "DECLINING_USAGE": declining_usage,
    "LAPSING": lapsing,
    "WORKAROUNDS": workarounds,
    "NOT_READY": not_ready,
    "LOW_CONFIDENCE": low_confidence,
    "KPI_OFF_TRACK": kpi_off_track,
    "SATISFACTION_DROP": satisfaction_drop,
}


def _with_since(data: RuleData, evaluate) -> list[Finding]:
    """The verdicts as of d, each holding one with `since`: the first day of its current run of
    days on which it held (evaluated back day by day, at most BOUND_DAYS)."""
    now = evaluate(data, data.d)
    held = {f.key: data.d for f in now if f.status == "holds"}
    pending = set(held)
    x = data.d - timedelta(days=1)
    while pending and x >= data.d - timedelta(days=BOUND_DAYS):
        then = {f.key: f for f in evaluate(data, x)}
        for key in list(pending):
            if key in then and then[key].status == "holds":
                held[key] = x
            else:
                pending.discard(key)
        x -= timedelta(days=1)
    for f in now:
        if f.status == "holds":
            f.since = held[f.key]
    return now


def findings(scope: Scope, rollout: Rollout, as_of: date | None = None, now: datetime | None = None) -> list[Finding]:
    """Every rule's verdicts for the rollout as of d (clear ones included), in RULES order; no
    writes. as_of None: d is the newest usage day and STALE_DATA compares with today (now)."""
    return evaluated(scope, rollout, as_of, now)[1]


def evaluated(
    scope: Scope, rollout: Rollout, as_of: date | None = None, now: datetime | None = None
) -> tuple[RuleData, list[Finding]]:
    """findings, with the data the rules read (the verdict cache keeps its day and newest dates)."""
    data = load(scope, rollout, as_of, now or datetime.now())
    found = []
    for name in RULES:
        found.extend(stale_data(data) if name == "STALE_DATA" else _with_since(data, EVALUATORS[name]))
    return data, found
