"""Adoption metrics of METRICS.md section 2, per cohort of a rollout.

Notation: cohort c with go-live g(c), as-of date d, window w days = [d - w + 1, d].
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from analysis.orgs import Rollout
from analysis.scope import Scope

COHORT_KEYS = ("go_live", "licensed_users", "active_users", "adoption_rate", "activated_users",
               "activation_rate", "median_days_to_first_use")


def _ratio(part: int, whole: int) -> float | None:
    return None if not whole else part / whole


def default_as_of(scope: Scope, rollout: Rollout) -> date | None:
    """The latest date with a counting or legacy event in the rollout (None: no usage yet)."""
    value = freshness(scope, rollout)["newest_usage_day"]
    return value


def freshness(scope: Scope, rollout: Rollout | None = None) -> dict:
    """Newest usage day, oldest usage day, newest ticket day and last load time (None if none)."""
    row = scope.df("data_freshness", rollout_id=rollout.rollout_id if rollout else None).iloc[0]
    return {k: (None if pd.isna(v) else (v.date() if k.endswith("_day") else v.to_pydatetime()))
            for k, v in row.items()}


def cohort_kpis(scope: Scope, rollout: Rollout, as_of: date, window_days: int | None = None) -> dict[str, dict]:
    """cohort -> {go_live, licensed_users, active_users, adoption_rate, activated_users,
    activation_rate, median_days_to_first_use}, with the cohort 'all' last.

    - licensed_users: licensed people of the cohort on the current roster.
    - active_users: of those, people with >= 1 counting event in [d - w + 1, d] (use before
      go-live counts here).
    - adoption_rate = active_users / licensed_users (None when no one is licensed).
    - activated_users: people with >= 1 counting event in [g(c), d];
      activation_rate = activated_users / licensed_users.
    - median_days_to_first_use: median over activated people of (first counting day >= g(c)) - g(c).
    'all' measures each person from their own cohort's go-live.

    Worked example: champion (go-live 2025-01-06) = {a, b, c, d}; a used it on 01-03 only, b on
    01-07, c on 01-20; d never. As of 2025-01-31 with w = 28 (window 01-04..01-31): active = {b, c}
    -> adoption 0.5; activated = {b, c} (a's use came before go-live) -> 0.5; days to first use
    1 and 14, median 7.5.
    """
    window = window_days or rollout.window_days
    frame = scope.df("cohort_kpis", rollout_id=rollout.rollout_id, as_of=as_of, window_days=window)
    result = {}
    for _, row in frame.iterrows():
        licensed = int(row["licensed_users"])
        active = int(row["active_users"])
        activated = int(row["activated_users"])
        median = row["median_days_to_first_use"]
        result[row["cohort"]] = {
            "go_live": None if pd.isna(row["go_live"]) else row["go_live"].date().isoformat(),
            "licensed_users": licensed,
            "active_users": active,
            "adoption_rate": _ratio(active, licensed),
            "activated_users": activated,
            "activation_rate": _ratio(activated, licensed),
            "median_days_to_first_use": None if pd.isna(median) else float(median),
        }
    return result


def rolling_adoption(scope: Scope, rollout: Rollout, as_of: date) -> pd.DataFrame:
    """Per cohort and calendar day: the share of the cohort's licensed people with a counting
    event in the 7 days ending that day (columns cohort, day, go_live, age_days, active_7d,
    licensed_users, adoption). Starts 28 days before the first go-live."""
    first = rollout.first_go_live or as_of
    start = min(first - timedelta(days=28), as_of)
    return scope.df("rolling_adoption", rollout_id=rollout.rollout_id, as_of=as_of, start=start)


def adoption_by_age(scope: Scope, rollout: Rollout, as_of: date) -> pd.DataFrame:
    """adoption_by_age: for each cohort that is live by as_of and age k = 0 .. d - g(c), the
    share of L(c) with a counting event in [g(c)+k-6, g(c)+k], so cohorts compare at one age.

    Example: a cohort of 4 going live on 2025-01-06; one person uses it on 01-06 and again on
    01-14: ages 0..6 -> 0.25, age 7 (window 01-07..01-13) -> 0.0, age 8 (01-08..01-14) -> 0.25.
    """
    frame = rolling_adoption(scope, rollout, as_of)
    return frame[frame["age_days"] >= 0].reset_index(drop=True)
