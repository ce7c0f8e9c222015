"""The KPIs (what each measures, which way is better, its unit) and their targets with a due
age: the rollout's own adoption target, the other targets in kpi_targets."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from analysis.orgs import Rollout
from analysis.scope import Scope


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str
    direction: str  # "higher" or "lower" is better
    level: str  # "cohort": one row per cohort (and all); "rollout": one row
    unit: str  # share | per_100 | hours | tickets


KPIS: dict[str, Kpi] = {
    k.name: k
    for k in (
        Kpi("adoption_rate", "Adoption rate", "higher", "cohort", "share"),
        Kpi("activation_rate", "Activation rate", "higher", "cohort", "share"),
        Kpi("habitual_share", "Habitual share", "higher", "cohort", "share"),
        Kpi("tickets_per_100_users_7d", "Tickets per 100 people (7 days)", "lower", "rollout", "per_100"),
        Kpi("median_resolution_hours", "Median resolution (hours)", "lower", "rollout", "hours"),
        Kpi("backlog", "Backlog (open tickets)", "lower", "rollout", "tickets"),
        Kpi("reopen_rate", "Reopen rate", "lower", "rollout", "share"),
        Kpi("satisfaction", "Satisfaction (share rated good)", "higher", "rollout", "share"),
    )
}


@dataclass(frozen=True)
class Target:
    kpi: str
    value: float | None  # None: no target
    due_age_days: int
    source: str  # rollout (its own columns) | set (kpi_targets) | none


def targets(scope: Scope, rollout: Rollout) -> dict[str, Target]:
    """kpi -> Target. Defaults (docs/metrics.md#the-kpi-table): adoption from the rollout's target_adoption
    by target_age_days (80 % by 30 days unless set); tickets per 100 people per 7 days and median
    resolution hours from the rollout's target columns (none unless set); the others none. A
    target set with set_target overrides the default; every due age defaults to the rollout's
    target age. Example: a new rollout -> adoption_rate 0.8 due at 30, backlog None."""
    frame = scope.df("rollout_targets", rollout_id=rollout.rollout_id)
    if frame.empty:
        raise LookupError("no such rollout in this organisation")
    first = frame.iloc[0]
    age = int(rollout.target_age_days)
    found = {name: Target(name, None, age, "none") for name in KPIS}
    found["adoption_rate"] = Target("adoption_rate", float(rollout.target_adoption), age, "rollout")
    for name, column in (
        ("tickets_per_100_users_7d", "target_tickets_per_100"),
        ("median_resolution_hours", "target_median_resolution_hours"),
    ):
        if not pd.isna(first[column]):
            found[name] = Target(name, float(first[column]), age, "rollout")
    for row in frame.itertuples():
        if isinstance(row.kpi, str) and row.kpi in KPIS and row.kpi != "adoption_rate":
            found[row.kpi] = Target(
                row.kpi,
                None if pd.isna(row.target) else float(row.target),
                age if pd.isna(row.due_age_days) else int(row.due_age_days),
                "set",
            )
    return found


def set_target(
    scope: Scope,
    rollout: Rollout,
    kpi: str,
    value: float | None,
    due_age_days: int | None = None,
    now: datetime | None = None,
) -> Target:
    """Set (or, with value None, remove) a KPI's target and due age; 'configure' only. Shares
    (adoption, activation, habitual, reopen, satisfaction) are between 0 and 1. The adoption
    target is the rollout's own (target_adoption, target_age_days: what every page draws)."""
    scope.require("configure")
    if kpi not in KPIS:
        raise ValueError(f"unknown KPI {kpi!r}: one of {', '.join(KPIS)}")
    if value is not None:
        value = float(value)
        if not math.isfinite(value) or value < 0:
            raise ValueError("a target is a number, 0 or more")
        if KPIS[kpi].unit == "share" and value > 1:
            raise ValueError(f"the {kpi} target is a share between 0 and 1 (e.g. 0.8)")
    if due_age_days is not None and not (isinstance(due_age_days, int) and 1 <= due_age_days <= 730):
        raise ValueError("the due age is a number of days after go-live, 1 to 730")
    with scope.store.transaction("set a target", org_id=scope.org_id) as cur:
        if kpi == "adoption_rate":
            if value is None or value == 0:
                raise ValueError("the adoption target is a share above 0 (e.g. 0.8)")
            cur.execute(
                "UPDATE rollouts SET target_adoption = ?, target_age_days = coalesce(?, target_age_days) "
                "WHERE org_id = ? AND rollout_id = ?",
                [value, due_age_days, scope.org_id, rollout.rollout_id],
            )
        else:
            cur.execute(
                "INSERT INTO kpi_targets (rollout_id, org_id, kpi, target, due_age_days, set_by, set_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rollout_id, kpi) DO UPDATE SET target = excluded.target, "
                "due_age_days = excluded.due_age_days, set_by = excluded.set_by, set_at = excluded.set_at",
                [
                    rollout.rollout_id,
                    scope.org_id,
                    kpi,
                    value,
                    due_age_days,
                    scope.principal.name,
                    now or datetime.now(),
                ],
            )
    if kpi == "adoption_rate" and value is not None:  # None was refused above
        rollout.target_adoption = value
        rollout.target_age_days = due_age_days or rollout.target_age_days
    return targets(scope, rollout)[kpi]
