"""What the rows are read against: the organisation's time zone and e-mail domains, the other
organisations' domains, the rollout's cohorts and name."""

from __future__ import annotations

from analysis.canonical import RECORD_KINDS
from analysis.files import FileRefused
from analysis.scope import Scope


def org_settings(scope: Scope) -> dict:
    row = (
        scope.store.cursor()
        .execute(
            "SELECT time_zone, email_domains, events_kept_from FROM organisations WHERE org_id = ?", [scope.org_id]
        )
        .fetchall()[0]
    )
    return {"time_zone": row[0], "email_domains": row[1], "events_kept_from": row[2]}


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


def rollout_for(scope: Scope, kind: str, file_name: str, rollout) -> int | None:
    """The rollout's id; a roster and the change-leadership record's kinds must name one."""
    rollout_id = scope.rollout_id(rollout) if rollout not in (None, "") else None
    if kind == "roster" and rollout_id is None:
        raise FileRefused(file_name, "a roster belongs to a rollout: choose the rollout")
    if kind in RECORD_KINDS and rollout_id is None:
        raise FileRefused(file_name, f"a {kind.replace('_', ' ')} file belongs to a rollout: choose the rollout")
    return rollout_id
