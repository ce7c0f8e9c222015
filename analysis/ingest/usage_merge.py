"""Usage rows merged into the store, set-based, from the temp tables parsed, people and
activities that analysis/ingest/usage.py makes (from DuckDB's reader or the Python row path):
the first row of each (person, time, activity) of the file, unless stored already, is inserted;
the daily summaries follow. Runs inside the load's transaction.
"""

from __future__ import annotations

from analysis.ingest.merge import add_to_daily
from analysis.ingest.results import LoadResult
from analysis.words import plural


def merge(cur, org_id: int, rollout_id: int | None, upload_id: int | None, result: LoadResult, step=None) -> None:
    """Merge the rows of parsed that are not refused: the first of each (person, time, activity)
    in the file, unless stored already, is inserted; the daily summary follows."""
    step = step or (lambda _fraction, _text: None)
    params = {"org": org_id, "upload": upload_id}
    step(0.55, "Finding the rows already stored")
    # every snapshot of the file is recorded, even one whose rows are all duplicates (a quiet week)
    cur.execute(
        "INSERT INTO usage_snapshot_loads SELECT DISTINCT $org, $upload, f.snapshot, a.activity FROM parsed f "
        "JOIN activities a ON a.key = f.activity_key WHERE f.reason IS NULL AND f.snapshot IS NOT NULL",
        params,
    )
    first, last, rows = cur.execute(
        "SELECT min(event_at), max(event_at), count(*) FROM parsed WHERE reason IS NULL"
    ).fetchall()[0]
    span = {"org": org_id, "first": first, "last": last}
    # a 20 M-row parsed spills to disk and each read of it costs seconds: the shortcut reads it
    # only to count its keys and to insert its rows, and takes the counts from this read
    all_new = _all_new(cur, span, rows)
    if all_new:
        # every kept row is the first of its key and none is stored: the aggregate below would
        # only copy them (a third of a 2 M-row load)
        cur.execute(
            "CREATE OR REPLACE TEMP VIEW firsts AS SELECT user_key, event_at, activity_key, day, events, snapshot "
            "FROM parsed WHERE reason IS NULL"
        )
        repeated, stored, fresh = 0, 0, rows
    else:
        _firsts(cur, span)
        repeated, stored, fresh = cur.execute(
            "SELECT coalesce(sum(copies - 1), 0), count(*) FILTER (stored), count(*) FILTER (NOT stored) FROM file_keys"
        ).fetchall()[0]
    result.repeated_in_file = int(repeated)
    result.rows_duplicate += int(repeated) + int(stored)
    result.rows_loaded += int(fresh)
    step(0.65, f"Storing {int(fresh):,} new rows")
    cur.execute(
        "INSERT INTO usage_events (org_id, user_id, event_at, day, activity, events, upload_id, snapshot) "
        "SELECT $org, p.user_id, f.event_at, f.day, a.activity, f.events, $upload, f.snapshot FROM firsts f "
        "JOIN people p ON p.key = f.user_key JOIN activities a ON a.key = f.activity_key",
        params,
    )
    # only the rows this load inserted change the daily summary
    step(0.75, "Updating the daily summary")
    dated = _dated(cur)
    # rows dated by day alone are one per (person, day, activity) already: their sums are their counts
    new_days = (
        "SELECT user_key, day, activity_key, events FROM firsts"
        if dated
        else "SELECT user_key, day, activity_key, sum(events) AS events FROM firsts GROUP BY ALL"
    )
    cur.execute(f"CREATE OR REPLACE TEMP TABLE added AS {new_days}")  # noqa: S608 (one of the two above)
    # the file's people: those of its new rows when every row is new (added is small beside parsed)
    _unknown_people(cur, org_id, rollout_id, result, "added" if all_new else "file_keys")
    add_to_daily(cur, org_id)
    _drop_firsts(cur)
    if result.repeated_in_file:
        result.messages.append(
            f"{plural(result.repeated_in_file, 'row')} repeated within this file (the same person, "
            "time and activity as an earlier row): counted once"
        )


def _dated(cur) -> bool:
    """Whether every new row is dated by its day alone (its time is midnight). From DuckDB's
    reader, the value table of times says so without reading the rows: a row's time is its
    timestamp cell's value, else its date's day (plus whole days), and a table with no time
    but midnight holds none for any row (one for a refused row only sends the rows to the GROUP
    BY, which gives the same sums)."""
    made = {name for (name,) in cur.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
    if "v_timestamp" in made:
        return not cur.execute(
            "SELECT count(*) FROM (SELECT 1 FROM v_timestamp WHERE value <> date_trunc('day', value) LIMIT 1)"
        ).fetchall()[0][0]
    if "v_date" in made:
        return True
    return cur.execute("SELECT coalesce(bool_and(event_at = day), true) FROM firsts").fetchall()[0][0]


def _all_new(cur, span: dict, rows: int) -> bool:
    """True when the kept rows of parsed (rows of them) hold each (person, time, activity) once
    and the store holds none of them: no stored event of the organisation falls within the rows'
    times (span: org, first, last; a first load, or a load of a new period), and counting the
    distinct keys finds as many as rows. The keys are counted by their hash, a third quicker (1.24
    s against 1.84 s for 20 M rows): equal keys hash alike, so as many hashes as rows means every
    key is there once; a collision of two keys only sends the load down the general path (_firsts)."""
    stored = cur.execute(
        "SELECT count(*) FROM (SELECT 1 FROM usage_events WHERE org_id = $org AND event_at BETWEEN $first AND $last "
        "LIMIT 1)",
        span,
    ).fetchall()[0][0]
    if stored:
        return False
    keys = cur.execute(
        "SELECT count(DISTINCT hash(user_key, event_at, activity_key)) FROM parsed WHERE reason IS NULL"
    ).fetchall()[0][0]
    return keys == rows


def _firsts(cur, span: dict) -> None:
    """The temp tables file_keys: each (person, time, activity) of the kept rows once, with its
    first line, its copies in the file and whether the store holds it; and firsts: the first row
    of each key the store does not hold (its line's cells)."""
    # one aggregate over the file's rows and the stored events of its people and activities (as
    # keys) in the file's times: it keeps each key's first line and marks the keys already
    # stored. An aggregate spills to disk within DuckDB's memory; a join of two 20 M-row sides ran
    # out of it. The first line alone, not the first row's cells (two arg_min): a third cheaper,
    # and the new keys' cells are joined by line after (a line is one row of parsed: stage_rows)
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE file_keys AS SELECT user_key, event_at, activity_key, min(line) AS line, "
        "  count(line) AS copies, count(*) > count(line) AS stored "
        "FROM (SELECT user_key, event_at, activity_key, line FROM parsed WHERE reason IS NULL "
        "  UNION ALL SELECT p.key, e.event_at, a.key, NULL FROM usage_events e "
        "  JOIN people p ON p.user_id = e.user_id JOIN activities a ON a.activity = e.activity "
        "  WHERE e.org_id = $org AND e.event_at BETWEEN $first AND $last) "
        "GROUP BY user_key, event_at, activity_key HAVING count(line) > 0",
        span,
    )
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE firsts AS SELECT k.user_key, k.event_at, k.activity_key, p.day, p.events, "
        "p.snapshot FROM file_keys k JOIN parsed p ON p.line = k.line WHERE NOT k.stored"
    )


def _drop_firsts(cur) -> None:
    """firsts is a view over parsed (_all_new) or a table, as file_keys (only made by _firsts)."""
    views = {name for (name,) in cur.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()}
    for name in ("file_keys", "firsts"):
        cur.execute(f"DROP VIEW {name}" if name in views else f"DROP TABLE IF EXISTS {name}")  # noqa: S608 (constants)


def _unknown_people(cur, org_id: int, rollout_id: int | None, result: LoadResult, keys: str) -> None:
    """The people of the temp table keys (added or file_keys, one of merge's) on no roster."""
    unknown = cur.execute(
        f"SELECT u.user_id FROM people u WHERE u.key IN (SELECT user_key FROM {keys}) AND NOT EXISTS ("  # noqa: S608
        "  SELECT 1 FROM rollouts r, rostered_people($org, r.rollout_id) p"
        "  WHERE r.org_id = $org AND ($rollout IS NULL OR r.rollout_id = $rollout)"
        "    AND p.user_id = u.user_id) ORDER BY 1",
        {"org": org_id, "rollout": rollout_id},
    ).fetchall()
    result.unknown_people = len(unknown)
    if unknown:
        sample = ", ".join(u[0] for u in unknown[:3])
        result.messages.append(
            f"{len(unknown)} people in this file are not on the roster (e.g. "
            f"{sample}): their use is stored and reported as unknown people, "
            "not counted as licensed"
        )
