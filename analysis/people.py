"""People found in usage but on no roster ("unknown people"): list them, add them to the
rollout's roster, or mark them as not in scope."""

from __future__ import annotations

import csv
import io

import pandas as pd

from analysis.ingest import LoadResult, load_file
from analysis.scope import Scope


def unknown_people(scope: Scope, rollout_id: int) -> pd.DataFrame:
    """user_id, activities, events, active_days, first_day, last_day of each person with usage
    in the organisation who is on no roster of the rollout and not marked out of scope."""
    return scope.df("unknown_people", rollout_id=rollout_id)


def add_to_roster(scope: Scope, rollout: str, people: list[dict]) -> LoadResult:
    """Add people ({user_id, display_name, department, cohort}) to the rollout's roster. It is an
    ordinary roster load (the current roster plus them, dated as the current roster is), so it
    shows in the load history and undo takes it back."""
    scope.require("configure")
    rollout_id = scope.rollout_id(rollout)
    current = scope.df("roster_people", rollout_id=rollout_id)
    extra = _extra_columns(scope, rollout_id)  # kept, so the added people do not drop everyone's
    names = sorted({name for values in extra.values() for name in values})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["user_id", "display_name", "department", "cohort", "licensed", *names])
    for row in current.itertuples():
        kept = extra.get(row.user_id, {})
        writer.writerow(
            [row.user_id, row.display_name or "", row.department, row.cohort, "yes" if row.licensed else "no"]
            + [kept.get(n, "") for n in names]
        )
    for person in people:
        writer.writerow(
            [
                person["user_id"],
                person.get("display_name") or "",
                person.get("department") or "",
                person["cohort"],
                "yes",
            ]
            + [""] * len(names)
        )
    name = f"added on the Data page ({len(people)} {'person' if len(people) == 1 else 'people'})"
    # a correction of the current roster: dated as it is, so it holds over the same days
    dated = (
        scope.store.cursor()
        .execute("SELECT max(dated_on) FROM roster_snapshots(?, ?)", [scope.org_id, rollout_id])
        .fetchall()[0][0]
    )
    return load_file(
        scope, "roster", name, out.getvalue().encode(), rollout=rollout_id, format="canonical", as_of=dated
    )


def _extra_columns(scope: Scope, rollout_id: int) -> dict[str, dict[str, str]]:
    """{user_id: {column: value}} of the current roster's extra columns (analysis/breakdowns.py),
    but for a column named as a roster field (it would be read as that field)."""
    fields = {"user_id", "display_name", "department", "cohort", "licensed"}
    rows = (
        scope.store.cursor()
        .execute("SELECT user_id, name, value FROM current_roster_attributes(?, ?)", [scope.org_id, rollout_id])
        .fetchall()
    )
    found: dict[str, dict[str, str]] = {}
    for user, name, value in rows:
        if name.strip().lower() not in fields:
            found.setdefault(user, {})[name] = value
    return found


def mark_out_of_scope(scope: Scope, rollout: str, user_ids: list[str]) -> int:
    """Mark people as not in scope of the rollout; returns how many were newly marked."""
    scope.require("configure")
    rollout_id = scope.rollout_id(rollout)
    with scope.store.transaction(
        "mark people out of scope", detail=f"{len(user_ids)} people", org_id=scope.org_id
    ) as cur:
        before = cur.execute(
            "SELECT count(*) FROM out_of_scope_people WHERE org_id = ? AND rollout_id = ?", [scope.org_id, rollout_id]
        ).fetchall()[0][0]
        for user_id in user_ids:
            cur.execute(
                "INSERT INTO out_of_scope_people (org_id, rollout_id, user_id, marked_by) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [scope.org_id, rollout_id, user_id.strip().lower(), scope.principal.name],
            )
        after = cur.execute(
            "SELECT count(*) FROM out_of_scope_people WHERE org_id = ? AND rollout_id = ?", [scope.org_id, rollout_id]
        ).fetchall()[0][0]
    return after - before
