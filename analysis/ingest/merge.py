"""Merging roster and usage rows into the store, and recording the load (its counts and rejected
rows). Runs inside the load's transaction."""

from __future__ import annotations

import pandas as pd

from analysis import rollout_days
from analysis.ingest.results import LoadResult, Reject, plural
from analysis.scope import Scope


def stage(cur, frame: pd.DataFrame) -> None:
    """Make frame readable as the view 'staged' on this thread's cursor (names are per cursor)."""
    cur.register("staged", frame)


def merge_roster(cur, org_id, rollout_id, upload_id, parsed, result: LoadResult) -> None:
    previous = {
        row[0]: row[1:]
        for row in cur.execute(
            "SELECT user_id, display_name, department, cohort, licensed FROM current_roster(?, ?)", [org_id, rollout_id]
        ).fetchall()
    }
    first_line: dict[str, int] = {}
    snapshot: dict[str, tuple] = {}
    for row in parsed:
        key = row["user_id"]
        entry = (row["display_name"], row["department"], row["cohort"], row["licensed"])
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
        [(upload_id, org_id, rollout_id, k, *v) for k, v in snapshot.items()],
        columns=["upload_id", "org_id", "rollout_id", "user_id", "display_name", "department", "cohort", "licensed"],
    )
    stage(cur, frame)
    cur.execute("INSERT INTO roster SELECT * FROM staged")
    cur.unregister("staged")
    left = result.people_left = len(set(previous) - set(snapshot))
    if left:
        result.messages.append(
            f"{left} people on the previous roster are not in this file: "
            "they have left the rollout (undo this load to bring them back)"
        )


def merge_usage(cur, org_id, rollout_id, upload_id, parsed, result: LoadResult) -> None:
    frame = pd.DataFrame(parsed, columns=["user_id", "event_at", "day", "activity", "events", "snapshot", "line"])
    # every snapshot of the file is recorded, even one whose rows are all duplicates (a quiet week)
    covered = frame.loc[frame["snapshot"].notna(), ["snapshot", "activity"]].drop_duplicates()
    if not covered.empty:
        cur.executemany(
            "INSERT INTO usage_snapshot_loads VALUES (?, ?, ?, ?)",
            [(org_id, upload_id, pd.Timestamp(s).date(), a) for s, a in covered.itertuples(index=False)],
        )
    within = frame.duplicated(["user_id", "event_at", "activity"], keep="first")
    result.rows_duplicate += int(within.sum())
    result.repeated_in_file = int(within.sum())
    frame = frame.loc[~within]
    frame["event_at"] = pd.to_datetime(frame["event_at"])
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    frame["snapshot"] = pd.to_datetime(frame["snapshot"])
    stage(cur, frame)
    stored = cur.execute(
        "SELECT count(*) FROM staged s WHERE EXISTS (SELECT 1 FROM usage_events e WHERE "
        "e.org_id = $org AND e.user_id = s.user_id AND e.event_at = s.event_at "
        "AND e.activity = s.activity)",
        {"org": org_id},
    ).fetchall()[0][0]
    result.rows_duplicate += stored
    result.rows_loaded += len(frame) - stored
    cur.execute(
        "INSERT INTO usage_events (org_id, user_id, event_at, day, activity, events, upload_id, snapshot) "
        "SELECT $org, s.user_id, s.event_at, s.day, s.activity, s.events, $upload, s.snapshot::DATE "
        "FROM staged s WHERE NOT EXISTS (SELECT 1 FROM usage_events e WHERE "
        "e.org_id = $org AND e.user_id = s.user_id AND e.event_at = s.event_at "
        "AND e.activity = s.activity)",
        {"org": org_id, "upload": upload_id},
    )
    # only the rows this load inserted change the daily summary
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT user_id, day, activity FROM usage_events "
        "WHERE org_id = $org AND upload_id = $upload",
        {"org": org_id, "upload": upload_id},
    )
    refresh_daily(cur, org_id)
    unknown = cur.execute(
        "SELECT DISTINCT s.user_id FROM staged s WHERE NOT EXISTS ("
        "  SELECT 1 FROM rollouts r, current_roster($org, r.rollout_id) p"
        "  WHERE r.org_id = $org AND ($rollout IS NULL OR r.rollout_id = $rollout)"
        "    AND p.user_id = s.user_id) ORDER BY 1",
        {"org": org_id, "rollout": rollout_id},
    ).fetchall()
    cur.unregister("staged")
    result.unknown_people = len(unknown)
    if unknown:
        sample = ", ".join(u[0] for u in unknown[:3])
        result.messages.append(
            f"{len(unknown)} people in this file are not on the roster (e.g. "
            f"{sample}): their use is stored and reported as unknown people, "
            "not counted as licensed"
        )
    if result.repeated_in_file:
        result.messages.append(
            f"{plural(result.repeated_in_file, 'row')} repeated within this file (the same person, "
            "time and activity as an earlier row): counted once"
        )


def refresh_daily(cur, org_id: int) -> None:
    """Recompute usage_daily, and the rollout_days summary, for the (person, day, activity) keys in the
    temp table touched."""
    cur.execute(
        "DELETE FROM usage_daily d WHERE d.org_id = ? AND EXISTS (SELECT 1 FROM touched t "
        "WHERE t.user_id = d.user_id AND t.day = d.day AND t.activity = d.activity)",
        [org_id],
    )
    cur.execute(
        "INSERT INTO usage_daily SELECT e.org_id, e.user_id, e.day, e.activity, sum(e.events) "
        "FROM usage_events e JOIN touched t USING (user_id, day, activity) "
        "WHERE e.org_id = ? GROUP BY ALL",
        [org_id],
    )
    rollout_days.refresh(cur, org_id)  # the per-person-day summary the adoption figures read
    cur.execute("DROP TABLE touched")


def record(cur, scope: Scope, rollout_id, kind, file_name, sha, result: LoadResult) -> None:
    assert result.rows_read == (
        result.rows_loaded + result.rows_updated + result.rows_rejected + result.rows_duplicate
    ), "counts do not reconcile"
    cur.execute(
        "INSERT INTO uploads (upload_id, org_id, rollout_id, kind, file_name, sha256, format, loaded_by, "
        "rows_read, rows_loaded, rows_updated, rows_rejected, rows_duplicate, unknown_people, messages) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
