"""Merging roster and usage rows into the store, and recording the load (its counts and rejected
rows). Runs inside the load's transaction."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis import rollout_days
from analysis.ingest import roster_dates
from analysis.ingest.results import LoadResult, Reject
from analysis.scope import Scope


def stage(cur, frame: pd.DataFrame) -> None:
    """Make frame readable as the view 'staged' on this thread's cursor (names are per cursor)."""
    cur.register("staged", frame)


def merge_roster(cur, org_id, rollout_id, upload_id, parsed, result: LoadResult, as_of: date) -> None:
    """Store the roster as a snapshot holding from as_of, counted against the roster in effect on
    that day (analysis/ingest/roster_dates.py)."""
    previous = {
        row[0]: row[1:]
        for row in cur.execute(
            "SELECT user_id, display_name, department, cohort, licensed FROM current_roster(?, ?, on_day := ?)",
            [org_id, rollout_id, as_of],
        ).fetchall()
    }
    result.roster_as_of = as_of.isoformat()
    roster_dates.explain(cur, org_id, rollout_id, as_of, result)
    kept = _attributes(cur, org_id, rollout_id, as_of)
    previous = {k: (*v, kept.get(k, ())) for k, v in previous.items()}
    first_line: dict[str, int] = {}
    snapshot: dict[str, tuple] = {}
    for row in parsed:
        key = row["user_id"]
        extra = tuple(sorted(row.get("extra", {}).items()))  # a changed location is a changed entry
        entry = (row["display_name"], row["department"], row["cohort"], row["licensed"], extra)
        if key in snapshot:
            if snapshot[key] == entry:
                result.rows_duplicate += 1
            else:
                result.rows_rejected += 1
                result.rejects.append(
                    Reject(
                        row["line"],
                        "user_id",
                        f"{key} is listed again with "
                        f"different values; the first listing (line {first_line[key]}) is kept",
                        "",
                    )
                )
            continue
        first_line[key] = row["line"]
        snapshot[key] = entry
        if key not in previous:
            result.rows_loaded += 1
        elif previous[key] == entry:
            result.rows_duplicate += 1
        else:
            result.rows_updated += 1
    # A person whose row was rejected keeps their previous entry: a bad row never removes anyone.
    rejected_people = {r.user for r in result.rejects if r.user}
    for key in rejected_people:
        if key in previous and key not in snapshot:
            snapshot[key] = previous[key]
    frame = pd.DataFrame(
        [(upload_id, org_id, rollout_id, k, *v[:4]) for k, v in snapshot.items()],
        columns=["upload_id", "org_id", "rollout_id", "user_id", "display_name", "department", "cohort", "licensed"],
    )
    stage(cur, frame)
    cur.execute("INSERT INTO roster SELECT * FROM staged")
    cur.unregister("staged")
    attributes = [(upload_id, org_id, rollout_id, k, n, x) for k, v in snapshot.items() for n, x in v[4]]
    if attributes:
        stage(cur, pd.DataFrame(attributes, columns=["upload_id", "org_id", "rollout_id", "user_id", "name", "value"]))
        cur.execute("INSERT INTO roster_attributes SELECT * FROM staged")
        cur.unregister("staged")
    left = result.people_left = len(set(previous) - set(snapshot))
    if left:
        result.messages.append(
            f"{left} people on the previous roster are not in this file: "
            "they have left the rollout (undo this load to bring them back)"
        )


def _attributes(cur, org_id, rollout_id, as_of: date) -> dict[str, tuple]:
    """{user_id: ((name, value), ...) sorted} of the extra columns of the roster in effect on as_of."""
    found: dict[str, list] = {}
    for user, name, value in cur.execute(
        "SELECT user_id, name, value FROM current_roster_attributes(?, ?, on_day := ?) ORDER BY user_id, name",
        [org_id, rollout_id, as_of],
    ).fetchall():
        found.setdefault(user, []).append((name, value))
    return {k: tuple(v) for k, v in found.items()}


def add_to_daily(cur, org_id: int) -> None:
    """Add the temp table added(user_key, day, activity_key, events), the sums of rows a load has
    just inserted into usage_events as keys of the temp tables people and activities
    (analysis/ingest/usage.py), to usage_daily: a load only adds events, so each touched day's
    total grows by them (no re-reading of the stored events, which refresh_daily does); then the
    rollout_days summary of those people's days."""
    cur.execute(
        "CREATE OR REPLACE TEMP VIEW added_rows AS SELECT p.user_id, a.day, t.activity, a.events FROM added a "
        "JOIN people p ON p.key = a.user_key JOIN activities t ON t.key = a.activity_key"
    )
    match = "d.org_id = $org AND d.user_id = a.user_id AND d.day = a.day AND d.activity = a.activity"
    overlap = cur.execute(
        "SELECT count(*) FROM usage_daily d, (SELECT min(day) AS first, max(day) AS last FROM added) r "
        "WHERE d.org_id = $org AND d.day BETWEEN r.first AND r.last",
        {"org": org_id},
    ).fetchall()[0][0]
    if overlap:  # days already summarised (a later load of the same period): add to them
        cur.execute(
            f"UPDATE usage_daily d SET events = d.events + a.events FROM added_rows a WHERE {match}",  # noqa: S608 (constant)
            {"org": org_id},
        )
    # without stored days in the period, every added key is new: no look-up of the stored ones
    exists = f" WHERE NOT EXISTS (SELECT 1 FROM usage_daily d WHERE {match})" if overlap else ""  # noqa: S608
    cur.execute(
        f"INSERT INTO usage_daily SELECT $org, a.user_id, a.day, a.activity, a.events FROM added_rows a{exists}",  # noqa: S608
        {"org": org_id},
    )
    if overlap:
        cur.execute("CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT user_id, day FROM added_rows")
        rollout_days.refresh(cur, org_id)
        cur.execute("DROP TABLE touched")
    else:  # the added rows are all the usage of their days: the summary comes from them alone
        rollout_days.add_new(cur, org_id)
    cur.execute("DROP VIEW added_rows")
    cur.execute("DROP TABLE added")


def refresh_daily(cur, org_id: int) -> None:
    """Recompute usage_daily, and the rollout_days summary, for the (person, day, activity) keys in the
    temp table touched (undo: analysis/uploads.py). Every key of the touched days is summed again
    from usage_events: an aggregate spills to disk within DuckDB's memory, where a semi-join on the
    20 M keys of a big load's undo ran out of it (docs/performance.md#memory)."""
    cur.execute("CREATE OR REPLACE TEMP TABLE touched_days AS SELECT DISTINCT day FROM touched")
    cur.execute("DELETE FROM usage_daily WHERE org_id = ? AND day IN (SELECT day FROM touched_days)", [org_id])
    cur.execute(
        "INSERT INTO usage_daily SELECT org_id, user_id, day, activity, sum(events) FROM usage_events "
        "WHERE org_id = ? AND day IN (SELECT day FROM touched_days) GROUP BY ALL",
        [org_id],
    )
    # rollout_days is per person and day: the touched people's days (at most people x days keys)
    cur.execute("CREATE OR REPLACE TEMP TABLE touched_people AS SELECT DISTINCT user_id, day FROM touched")
    cur.execute("DROP TABLE touched")
    cur.execute("ALTER TABLE touched_people RENAME TO touched")
    rollout_days.refresh(cur, org_id)  # the per-person-day summary the adoption figures read
    cur.execute("DROP TABLE touched")
    cur.execute("DROP TABLE touched_days")


def record(cur, scope: Scope, rollout_id, kind, file_name, sha, result: LoadResult) -> None:
    assert result.rows_read == (
        result.rows_loaded + result.rows_updated + result.rows_rejected + result.rows_duplicate
    ), "counts do not reconcile"
    cur.execute(
        "INSERT INTO uploads (upload_id, org_id, rollout_id, kind, file_name, sha256, format, loaded_by, "
        "rows_read, rows_loaded, rows_updated, rows_rejected, rows_duplicate, unknown_people, messages, roster_as_of) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.upload_id,
            scope.org_id,
            rollout_id,
            kind,
            file_name,
            sha,
            result.format,
            scope.principal.name,
            result.rows_read,
            result.rows_loaded,
            result.rows_updated,
            result.rows_rejected,
            result.rows_duplicate,
            result.unknown_people,
            result.messages,
            result.roster_as_of,
        ],
    )
    if result.rejects:
        frame = pd.DataFrame(
            [(result.upload_id, r.line, r.column, r.reason, r.raw) for r in result.rejects],
            columns=["upload_id", "line", "column_name", "reason", "raw"],
        )
        stage(cur, frame)
        cur.execute("INSERT INTO rejected_rows SELECT * FROM staged")
        cur.unregister("staged")
    bad = result.rows_rejected - result.system_rows
    if bad:
        result.messages.append(
            f"{bad} rows were rejected: download them from the load history to see each line, column and reason"
        )
    elif result.system_rows:
        result.messages.append("The system activity set aside is in the rejected rows of the load history")
