"""What the rows are read against: the organisation's time zone and e-mail domains, the other
organisations' domains, the rollout's cohorts and name."""

from __future__ import annotations

from analysis.scope import Scope


def org_settings(scope: Scope) -> dict:
    row = (
        scope.store.cursor()
        .execute("SELECT time_zone, email_domains FROM organisations WHERE org_id = ?", [scope.org_id])
        .fetchall()[0]
    )
    return {"time_zone": row[0], "email_domains": row[1]}


def foreign_domains(scope: Scope) -> set[str]:
    rows = (
        scope.store.cursor()
        .execute(
            "SELECT DISTINCT lower(unnest(email_domains)) FROM organisations WHERE org_id <> ?",
            [scope.org_id],
        )
        .fetchall()
    )
    own = {d.lower() for d in org_settings(scope)["email_domains"]}
    return {r[0] for r in rows} - own


def rollout_cohorts(scope: Scope, rollout_id: int) -> dict[str, str]:
    rows = (
        scope.store.cursor()
        .execute(
            "SELECT c.cohort FROM cohorts c JOIN rollouts r USING (rollout_id) WHERE r.org_id = ? AND c.rollout_id = ?",
            [scope.org_id, rollout_id],
        )
        .fetchall()
    )
    return {r[0].lower(): r[0] for r in rows}


def rollout_name(scope: Scope, rollout_id: int) -> str:
    return (
        scope.store.cursor()
        .execute("SELECT name FROM rollouts WHERE org_id = ? AND rollout_id = ?", [scope.org_id, rollout_id])
        .fetchall()[0][0]
    )


def roster_departments(scope: Scope, rollout_id: int) -> dict[str, str]:
    """{department in lower case: as the rollout's current roster writes it}."""
    rows = (
        scope.store.cursor()
        .execute("SELECT DISTINCT department FROM current_roster(?, ?)", [scope.org_id, rollout_id])
        .fetchall()
    )
    return {r[0].lower(): r[0] for r in rows}
