"""Breakdowns of adoption (docs/metrics.md): by activity (a product or feature of the usage: the
Microsoft 365 products, Moodle components, the apps of an export) and by any extra column of the
current roster (location, role, manager, company; analysis/migrations/024_roster_attributes.sql).

Adoption here is as everywhere: people active in the window / licensed people, per cohort (cohort
'all': every cohort). By activity, active means used that activity in the window; the licensed
people are the cohort's, so each activity's adoption is a share of the whole cohort.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis import person_facts
from analysis.kpis.goals import targets
from analysis.orgs import Rollout
from analysis.privacy import fold_small_groups
from analysis.scope import Scope

NOT_GIVEN = "(not given)"
MIN_JUDGED = 5  # as the department red flags (min_department_people): a smaller group is not judged


MAX_GROUPS = 50  # more values than this group nobody (ids, names, e-mails)


def roster_columns(scope: Scope, rollout: Rollout) -> list[str]:
    """The extra columns of the rollout's current roster that group people, by name: at most
    MAX_GROUPS values and some value shared by two people or more (a column of e-mail addresses or
    employee numbers is kept, but breaks nothing down)."""
    rows = (
        scope.store.cursor()
        .execute(
            "SELECT name FROM current_roster_attributes(?, ?) GROUP BY name "
            "HAVING count(DISTINCT value) <= ? AND count(*) > count(DISTINCT value) ORDER BY name",
            [scope.org_id, rollout.rollout_id, MAX_GROUPS],
        )
        .fetchall()
    )
    return [r[0] for r in rows]


def activity_kpis(scope: Scope, rollout: Rollout, as_of: date, window_days: int | None = None) -> pd.DataFrame:
    """Per activity and cohort: activity, cohort, counted, legacy, licensed_users, active_users,
    adoption_rate. Example: 4 licensed champions, 3 of whom used teams in the window and 1 word ->
    teams 3/4 = 0.75, word 1/4 = 0.25."""
    return scope.df(
        "activity_kpis", rollout_id=rollout.rollout_id, as_of=as_of, window_days=window_days or rollout.window_days
    )


def roster_column_kpis(
    scope: Scope, rollout: Rollout, column: str, as_of: date, window_days: int | None = None
) -> pd.DataFrame:
    """Per value of the roster column and cohort: value, cohort, licensed_users, active_users,
    adoption_rate, eligible_users, eligible_active (people of cohorts past the adoption target's
    due age, and those of them active)."""
    age = targets(scope, rollout)["adoption_rate"].due_age_days
    return scope.df(
        "roster_column_kpis",
        **person_facts.params(scope, rollout, as_of, window_days or rollout.window_days),
        column=column,
        target_age=age,
    )


def under_target(scope: Scope, rollout: Rollout, table: pd.DataFrame) -> pd.DataFrame:
    """The values of a roster column (rows of roster_column_kpis, cohort 'all', possibly folded)
    whose adoption among people of cohorts past the target's due age is under the adoption target,
    as LOW_ADOPTION judges a department; groups of fewer than 5 such people are not judged.
    Columns value, adoption_rate, active_users, licensed_users, target."""
    target = targets(scope, rollout)["adoption_rate"].value
    rows = []
    for row in table.itertuples():
        if target is None or row.eligible_users < MIN_JUDGED:
            continue
        rate = row.eligible_active / row.eligible_users
        if rate < target:
            rows.append((row.value, rate, int(row.eligible_active), int(row.eligible_users), target))
    return pd.DataFrame(rows, columns=["value", "adoption_rate", "active_users", "licensed_users", "target"])


def as_json(scope: Scope, rollout: Rollout, as_of: date, window_days: int) -> dict:
    """`kpis --json`'s breakdowns: {"activities": [row, ...], "roster_columns": {column: [row, ...]}},
    rows per cohort ('all' included); a roster column's groups under 5 people fold for a client's
    leadership as on the page (analysis/privacy.py)."""
    activities = activity_kpis(scope, rollout, as_of, window_days)
    columns = {}
    for column in roster_columns(scope, rollout):
        table = roster_column_kpis(scope, rollout, column, as_of, window_days)
        table = table[["value", "cohort", "licensed_users", "active_users", "adoption_rate"]]
        if scope.principal.is_client:
            table = fold_small_groups(
                table,
                "value",
                "licensed_users",
                by=("cohort",),
                ratios={"adoption_rate": ("active_users", "licensed_users")},
            )
        columns[column] = _records(table)
    return {"activities": _records(activities), "roster_columns": columns}


def _records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: numpy numbers as Python's, NaN as None."""
    return [
        {k: (None if v is None or v != v else v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]
