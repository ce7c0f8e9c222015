"""The list of a rollout's baselines as the KPI settings page and `baseline list` show them: the
computed one and every locked one, with their headline figures."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.kpis.baselines import computed_baseline, locked_baselines
from analysis.orgs import Rollout
from analysis.scope import Scope


def baseline_list(scope: Scope, rollout: Rollout, as_of: date | None = None) -> pd.DataFrame:
    """The computed baseline and every locked one: name, locked, selected, window_start,
    window_end, days, adoption_rate (everyone's, over the window), tickets,
    tickets_per_100_users_7d (over the people licensed on as_of: "now"), median_resolution_hours, backlog,
    satisfaction, locked_by, locked_at, upload_ids."""
    rows = []
    found = [b for b in [computed_baseline(scope, rollout, as_of)] if b is not None] + locked_baselines(scope, rollout)
    if found and not found[0].locked:
        found[0].selected = not any(b.selected for b in found[1:])
    licensed = _licensed_now(scope, rollout, as_of)
    for b in found:
        rows.append(
            {
                "name": b.name,
                "locked": b.locked,
                "selected": b.selected,
                "window_start": b.start,
                "window_end": b.end,
                "days": b.days,
                "adoption_rate": b.cohort_figure("all", "adoption_rate"),
                "tickets": b.support_figure("tickets"),
                "tickets_per_100_users_7d": b.tickets_per_100_users_7d(licensed),
                "median_resolution_hours": b.support_figure("median_resolution_hours"),
                "backlog": b.support_figure("backlog"),
                "satisfaction": b.support_figure("satisfaction"),
                "locked_by": b.locked_by,
                "locked_at": b.locked_at,
                "upload_ids": b.upload_ids,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "name",
            "locked",
            "selected",
            "window_start",
            "window_end",
            "days",
            "adoption_rate",
            "tickets",
            "tickets_per_100_users_7d",
            "median_resolution_hours",
            "backlog",
            "satisfaction",
            "locked_by",
            "locked_at",
            "upload_ids",
        ],
    )


def _licensed_now(scope: Scope, rollout: Rollout, as_of: date | None) -> int:
    """The people licensed on as_of (None: on the current roster), the "licensed people now" of a
    baseline's ticket rate (docs/metrics.md#the-kpi-table)."""
    return int(scope.df("licensed_headcount", rollout_id=rollout.rollout_id, as_of=as_of)["licensed_users"].iloc[0])
