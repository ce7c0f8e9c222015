"""Adoption broken down by activity or by any column a client's roster carries (issue 16 part 2,
docs/metrics.md#breakdowns): location, role, manager, company ... kept at load (migration 024).

A group's adoption is the department table's (analysis/queries/department_kpis.sql) with the group
in place of the department: licensed people active in the window over the licensed people. A group
under the rollout's adoption target, once every cohort in it is past the target's age, is marked
"under the target", the LOW_ADOPTION rule's test for a department (docs/metrics.md). Client views
fold groups under 5 people (analysis/privacy.py), as for departments.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.orgs import Rollout
from analysis.scope import Scope

DEPARTMENT = "department"
ACTIVITY = "activity"
MAX_GROUPS = 50  # more values than this do not group people (ids, names, e-mails)
NOT_GIVEN = "(not given)"


def roster_columns(scope: Scope, rollout: Rollout) -> list[str]:
    """The current roster's other columns that group people: 2 to MAX_GROUPS values, some value
    shared by two people or more (a column of names or e-mails is left out)."""
    found = scope.rows("roster_columns", rollout_id=rollout.rollout_id)
    return [name for name, _people, groups, largest in found if 2 <= groups <= MAX_GROUPS and largest >= 2]


def choices(scope: Scope, rollout: Rollout) -> list[str]:
    """What the Adoption page offers to break the figures down by."""
    return [DEPARTMENT, ACTIVITY, *roster_columns(scope, rollout)]


def by_activity(scope: Scope, rollout: Rollout, as_of: date, window_days: int | None = None) -> pd.DataFrame:
    """Per activity and cohort ('all': every cohort): columns activity, kind (counts as use | old
    way | other), cohort, licensed_users, active_users (licensed people who used that activity in
    the window), adoption_rate (active over licensed).

    Example: 4 licensed people (3 champions, 1 wider); in the window a and b approve in the app,
    b and d use an SMS code (legacy): app, champion 2/3, all 2/4; sms, champion 1/3, wider 1/1,
    all 2/4.
    """
    return scope.df(
        "activity_breakdown", rollout_id=rollout.rollout_id, as_of=as_of, window_days=window_days or rollout.window_days
    )


def by_roster_column(
    scope: Scope, rollout: Rollout, column: str, as_of: date, window_days: int | None = None
) -> pd.DataFrame:
    """Per value of a roster column and cohort ('all': every cohort): columns group, cohort,
    licensed_users, active_users, adoption_rate, activated_users, activation_rate, legacy_users
    (used the old way in the last 14 days), under_target (the 'all' row of a group whose every
    cohort is past the target's age, under rollout.target_adoption; False otherwise)."""
    if column not in roster_columns(scope, rollout):
        raise LookupError(f"the roster of {rollout.name!r} has no column {column!r} to group people by")
    window = window_days or rollout.window_days
    found = scope.df("roster_breakdown", rollout_id=rollout.rollout_id, as_of=as_of, window_days=window, column=column)
    due = all((as_of - go_live).days >= rollout.target_age_days for go_live in rollout.cohorts.values())
    found["under_target"] = due & (found["cohort"] == "all") & (found["adoption_rate"] < rollout.target_adoption)
    return found
