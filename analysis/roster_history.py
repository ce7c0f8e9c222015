"""The roster's history (docs/metrics.md#roster-history): each dated roster snapshot with its
licensed people, and who joined, left or moved cohort or department with each."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.orgs import Rollout
from analysis.scope import Scope


def snapshots(scope: Scope, rollout: Rollout) -> pd.DataFrame:
    """One row per roster snapshot, oldest date first: dated_on, upload_id, file_name, loaded_by,
    loaded_at, licensed (everyone), one column per cohort (its licensed people), joined, left,
    moved (against the snapshot before it; 0 for the first)."""
    sizes = scope.df("roster_snapshots", rollout_id=rollout.rollout_id)
    if sizes.empty:
        return pd.DataFrame(columns=["dated_on", "upload_id", "file_name", "licensed", "joined", "left", "moved"])
    wide = sizes.pivot_table(
        index=["dated_on", "upload_id", "file_name", "loaded_by", "loaded_at"],
        columns="cohort",
        values="licensed_users",
        fill_value=0,
    ).reset_index()
    wide.columns.name = None
    wide = wide.rename(columns={"all": "licensed"})
    cohorts = [c for c in rollout.cohorts if c in wide.columns]
    counted = (
        changes_by_person(scope, rollout)
        .groupby(["upload_id", "change"])
        .size()
        .unstack()
        .reindex(index=wide["upload_id"], columns=["joined", "left", "moved"])
        .fillna(0)
        .astype(int)
    )
    for change in counted.columns:
        wide[change] = counted[change].to_numpy()
    columns = ["dated_on", "upload_id", "file_name", "loaded_by", "loaded_at", "licensed", *cohorts]
    return wide[columns + ["joined", "left", "moved"]].sort_values("dated_on", ignore_index=True)


def date_on(dates: list[date], day: date) -> date | None:
    """Of the rollout's roster dates, the one in effect on day: the newest on or before it, else the
    first (days before every roster take the first); None without a roster. As roster_snapshots
    (analysis/queries/macros/1_roster.sql) decides it, for dates already read."""
    return max([d for d in dates if d <= day] or [min(dates)]) if dates else None


def roster_dates(scope: Scope, rollout: Rollout) -> list[date]:
    """The dates of the rollout's rosters, oldest first."""
    return [row[0] for row in scope.rows("roster_in_effect_dates", rollout_id=rollout.rollout_id)]


def dated_on(scope: Scope, rollout: Rollout, day: date) -> date | None:
    """The date of the roster in effect on day (None: the rollout has no roster)."""
    return date_on(roster_dates(scope, rollout), day)


def changes_by_person(scope: Scope, rollout: Rollout) -> pd.DataFrame:
    """Who joined, left or moved with each snapshot: dated_on, upload_id, user_id, display_name,
    change, cohort_before, cohort_after, department_before, department_after."""
    return scope.df("roster_changes", rollout_id=rollout.rollout_id)
