"""Usage rows checked and merged in SQL, set-based, on the staged table raw (analysis/ingest/staging.py).

The rules of a cell stay in Python (analysis.values, a format's transforms, the domain check,
the date readers) and run once per *distinct* value of a column, not once per row: a column of
20 million rows holds a few thousand people, a few hundred days and a dozen counts. Each column's
values become a small table (raw text -> value or the reason it is refused) joined to raw, and the
row's reason is the first refusal in the order analysis.ingest.rows.usage_row checks its cells:
the format's transforms, the person, the time or date, the activity, the count, the snapshot.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analysis import formats, values
from analysis.ingest import staging
from analysis.ingest.merge import add_to_daily
from analysis.ingest.results import LoadResult, Reject, plural
from analysis.ingest.rows import RowError, person
from analysis.ingest.staging import Staged
from analysis.retention import before_horizon_reason

# the SQL type of each field's value in its table of values
_TYPES = {
    "user_id": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "TIMESTAMP",
    "activity": "VARCHAR",
    "count": "BIGINT",
    "snapshot": "TIMESTAMP",
}
PARSE_ORDER = ("user_id", "timestamp", "date", "activity", "count", "snapshot")


def distinct_values(cur, staged: Staged, choice: formats.Choice) -> dict[str, list[str]]:
    """Each mapped field's distinct texts (rows of the wrong width left out), in one query: what the
    cell rules run on, and what decides a date column's day/month order (analysis/ingest/dates.py)."""
    names = [name for name in choice.columns if name in _TYPES]
    if not names:
        return {}
    # one GROUP BY per column, not list(DISTINCT ...) over the rows (about half the time at 2 M
    # rows); list() keeps nulls, list(DISTINCT) left them out. The columns are positions of raw
    # (ints from the format's choice), never text from the file
    groups = " UNION ALL ".join(
        f"SELECT {n} AS col, c{choice.columns[name]} AS cell FROM raw WHERE fields = $width "  # noqa: S608
        f"GROUP BY c{choice.columns[name]}"
        for n, name in enumerate(names)
    )
    lists = ", ".join(f"list(cell) FILTER (col = {n} AND cell IS NOT NULL)" for n in range(len(names)))
    found = cur.execute(f"SELECT {lists} FROM ({groups})", {"width": staged.width}).fetchall()[0]  # noqa: S608
    return {name: texts or [] for name, texts in zip(names, found)}


def parse(cur, staged: Staged, choice: formats.Choice, context: dict, distinct: dict[str, list[str]]) -> None:
    """The temp table parsed: line, the typed fields, and reason/column/system for a refused row."""
    fmt = choice.format
    transforms = {k: f for k, f in fmt.values.items() if k in choice.columns} if fmt else {}
    constants = {k: v for k, v in fmt.constants.items() if k not in choice.columns} if fmt else {}
    headers = {name: staged.header[index] for name, index in choice.columns.items()}
    joins, refusals, fields = [], [], {}
    for name, index in choice.columns.items():
        if name not in _TYPES:
            continue
        table = f"v_{name}"
        _value_table(cur, table, name, distinct[name], transforms.get(name), context)
        joins.append(f"LEFT JOIN {table} ON {table}.raw = r.c{index}")
        fields[name] = f"{table}.value"
    for name in transforms:
        if name in fields:
            refusals.append((f"v_{name}.transform_error", f"v_{name}.transform_system", headers[name]))
    for name in PARSE_ORDER:
        if name == "date" and name in fields and "timestamp" in fields:  # a time, when there is one, wins
            refusals.append((f"CASE WHEN {fields['timestamp']} IS NULL THEN v_date.error END", "false", headers[name]))
        elif name in fields:
            refusals.append((f"v_{name}.error", "false", headers[name]))
        if name == "date":  # with neither a time nor a date the row has no day
            has_date = "date" in choice.columns
            refusals.append(
                (
                    f"CASE WHEN {fields.get('timestamp', 'NULL')} IS NULL AND {fields.get('date', 'NULL')} IS NULL "
                    "THEN 'the date is missing' END",
                    "false",
                    headers.get("date" if has_date else "timestamp", "date" if has_date else "timestamp"),
                )
            )
    _create_parsed(cur, staged, fields, constants, context, joins, refusals)


def _create_parsed(cur, staged: Staged, fields: dict, constants: dict, context: dict, joins, refusals) -> None:
    offset = context["day_offset"]
    event_at = f"coalesce({fields.get('timestamp', 'NULL')}, date_trunc('day', {fields.get('date', 'CAST(NULL AS TIMESTAMP)')}))"
    if offset.get("date"):
        event_at = f"({event_at} + to_days(CAST($date_offset AS INTEGER)))"
    snapshot = fields.get("snapshot", "NULL")
    if offset.get("snapshot") and "snapshot" in fields:
        snapshot = f"({snapshot} + to_days(CAST($snapshot_offset AS INTEGER)))"
    activity_key = "v_activity.key" if "activity" in fields else "1"
    params: dict = {"width": staged.width}
    # without an activity column: the format's constant, or the rollout's name
    constant_activity = (constants.get("activity") or context.get("default_activity") or "").strip().lower()
    if offset.get("date"):
        params["date_offset"] = offset["date"]
    if offset.get("snapshot") and "snapshot" in fields:
        params["snapshot_offset"] = offset["snapshot"]
    # every name below is one of this module's own (a value table, a field, an expression built
    # here from them); the file's text reaches SQL only as bound values and joined table rows
    width_reason = "'the row has ' || r.fields || ' fields where the header has ' || $width"
    reason = "CASE WHEN r.fields <> $width THEN " + width_reason
    column = "CASE WHEN r.fields <> $width THEN NULL"
    system = "CASE WHEN r.fields <> $width THEN false"
    for i, (error, is_system, header) in enumerate(refusals):
        params[f"h{i}"] = header
        reason += f" WHEN ({error}) IS NOT NULL THEN {error}"
        column += f" WHEN ({error}) IS NOT NULL THEN $h{i}"
        system += f" WHEN ({error}) IS NOT NULL THEN {is_system}"
    # people and activities travel as small integer keys (their texts are in the tables people and
    # activities): the merge groups and joins millions of rows on integers, not on strings
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE parsed AS SELECT r.line, "  # noqa: S608
        f"{fields.get('user_id', 'NULL').replace('.value', '.key')} AS user_key, {event_at} AS event_at, "
        f"CAST({event_at} AS DATE) AS day, {activity_key} AS activity_key, "
        f"coalesce({fields.get('count', 'NULL')}, 1) AS events, CAST({snapshot} AS DATE) AS snapshot, "
        f"{reason} END AS reason, {column} END AS column_name, coalesce({system} END, false) AS system "
        f"FROM raw r {' '.join(joins)}",
        params,
    )
    cur.execute("CREATE OR REPLACE TEMP TABLE people AS SELECT DISTINCT key, value AS user_id FROM v_user_id")
    if "activity" in fields:
        cur.execute("CREATE OR REPLACE TEMP TABLE activities AS SELECT DISTINCT key, value AS activity FROM v_activity")
    else:
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE activities AS SELECT 1 AS key, CAST($activity AS VARCHAR) AS activity",
            {"activity": constant_activity},
        )


def _value_table(cur, table: str, name: str, raws: list[str], transform: Callable | None, context: dict) -> None:
    """The temp table `table`: each distinct raw text of a field -> (value, error) and, when the
    format transforms the field first, (transform_error, transform_system)."""
    read = _reader(name, context)
    rows = []
    for raw in raws:
        text, t_error, t_system = raw, None, False
        if transform is not None:
            try:
                text = transform(raw)
            except ValueError as exc:
                t_error, t_system = str(exc), isinstance(exc, formats.SystemActivity)
        value, error = None, None
        if t_error is None:
            try:
                value = read(text)
            except ValueError as exc:
                error = str(exc)
        rows.append((raw, value, error, t_error, t_system))
    frame = pd.DataFrame(rows, columns=["raw", "value", "error", "transform_error", "transform_system"])
    frame = frame.astype({"raw": object, "value": object, "error": object, "transform_error": object})
    cur.register("values_frame", frame)
    # table is v_<field> for one of this module's fields; the type is from _TYPES
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT CAST(raw AS VARCHAR) AS raw, "  # noqa: S608
        f"CAST(value AS {_TYPES[name]}) AS value, CAST(error AS VARCHAR) AS error, "
        "CAST(transform_error AS VARCHAR) AS transform_error, CAST(transform_system AS BOOLEAN) AS transform_system, "
        "CAST(dense_rank() OVER (ORDER BY value) AS INTEGER) AS key FROM values_frame"
    )
    cur.unregister("values_frame")


def _reader(name: str, context: dict) -> Callable[[str], object]:
    """A cell's text -> its value, raising ValueError with the reason (analysis/ingest/rows.py)."""
    if name == "user_id":
        return lambda text: person({"user_id": text}, context)
    if name in ("timestamp", "date", "snapshot"):
        date_reader = context["dates"][name]
        kept_from = context.get("events_kept_from") if name != "snapshot" else None
        if kept_from is None:
            return lambda text: None if values.is_missing(text) else date_reader(text)

        def before_horizon_refused(text: str):
            value = None if values.is_missing(text) else date_reader(text)
            if value is not None and value.date() < kept_from:  # analysis/retention.py
                raise ValueError(before_horizon_reason(kept_from))
            return value

        return before_horizon_refused
    if name == "activity":
        return _activity
    return lambda text: 1 if text is None or text.strip() == "" else values.parse_count(text)


def _activity(text: str) -> str:
    activity = text.strip().lower()
    if not activity:
        raise RowError("activity", "the activity is empty")
    return activity


def rejects(cur, staged: Staged, choice: formats.Choice) -> list[Reject]:
    """The refused rows, in line order, each with its line, column, reason and the row as written."""
    user_index = choice.columns.get("user_id")
    refused = "SELECT line, column_name, reason, system FROM parsed WHERE reason IS NOT NULL"
    rows = cur.execute(f"{refused} ORDER BY line").fetchall()  # noqa: S608 (a constant)
    written = staging.rows_at(cur, staged, refused) if rows else {}
    out = []
    for line, column, reason, system in rows:
        text, raw = written[line]
        user = values.normalise_user(raw[user_index]) if user_index is not None and text is None else ""
        out.append(
            Reject(
                line,
                column,
                reason,
                text if text is not None else staged.delimiter.join(raw)[:2000],
                None if system else user or None,
                left_out=system,
                system=system,
            )
        )
    return out


def kept(cur) -> int:
    """The rows of parsed that are not refused."""
    return cur.execute("SELECT count(*) FROM parsed WHERE reason IS NULL").fetchall()[0][0]


def preview(cur) -> list[dict]:
    """The first five rows as they will be stored."""
    frame = cur.execute(
        "SELECT p.user_id, f.event_at, f.day, a.activity, f.events, f.snapshot FROM parsed f "
        "JOIN people p ON p.key = f.user_key JOIN activities a ON a.key = f.activity_key "
        "WHERE f.reason IS NULL ORDER BY f.line LIMIT 5"
    ).fetchall()
    names = ("user_id", "event_at", "day", "activity", "events", "snapshot")
    return [dict(zip(names, row)) for row in frame]


def stage_rows(cur, parsed: list[dict]) -> None:
    """The rows the Python row path parsed (a format that reshapes rows: analysis/ingest/cells.py)
    as the temp tables parsed, people and activities, so that one merge (merge below) serves both paths."""
    frame = pd.DataFrame(parsed, columns=["line", "user_id", "event_at", "day", "activity", "events", "snapshot"])
    # a row of a reshaping format can give several events: each its own line here, in the
    # order read (the merge finds a key's first row by line and joins it back by line)
    frame["line"] = range(len(frame))
    frame["event_at"] = pd.to_datetime(frame["event_at"])
    frame["day"] = pd.to_datetime(frame["event_at"]).dt.normalize()
    frame["snapshot"] = pd.to_datetime(frame["snapshot"])
    frame["user_key"], people = pd.factorize(frame["user_id"])
    frame["activity_key"], activities = pd.factorize(frame["activity"])
    cur.register("parsed_frame", frame)
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE parsed AS SELECT CAST(line AS BIGINT) AS line, CAST(user_key AS INTEGER) AS user_key, "
        "CAST(event_at AS TIMESTAMP) AS event_at, CAST(day AS DATE) AS day, CAST(activity_key AS INTEGER) AS activity_key, "
        "CAST(events AS BIGINT) AS events, CAST(snapshot AS DATE) AS snapshot, "
        "CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS column_name, false AS system FROM parsed_frame"
    )
    cur.unregister("parsed_frame")
    for table, column, texts in (("people", "user_id", people), ("activities", "activity", activities)):
        cur.register("keys_frame", pd.DataFrame({"key": range(len(texts)), column: list(texts)}))
        # table and column are this function's own names
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT CAST(key AS INTEGER) AS key, "  # noqa: S608
            f"CAST({column} AS VARCHAR) AS {column} FROM keys_frame"
        )
        cur.unregister("keys_frame")


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
    first, last = cur.execute("SELECT min(event_at), max(event_at) FROM parsed WHERE reason IS NULL").fetchall()[0]
    span = {"org": org_id, "first": first, "last": last}
    if _all_new(cur, span):
        # every kept row is the first of its key and none is stored: the aggregate below would
        # only copy them (a third of a 2 M-row load)
        cur.execute(
            "CREATE OR REPLACE TEMP VIEW file_keys AS SELECT user_key, event_at, activity_key, line, "
            "1 AS copies, false AS stored FROM parsed WHERE reason IS NULL"
        )
        cur.execute(
            "CREATE OR REPLACE TEMP VIEW firsts AS SELECT user_key, event_at, activity_key, day, events, snapshot "
            "FROM parsed WHERE reason IS NULL"
        )
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
    add_to_daily(cur, org_id)
    _unknown_people(cur, org_id, rollout_id, result)
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


def _all_new(cur, span: dict) -> bool:
    """True when the kept rows of parsed hold each (person, time, activity) once and the store
    holds none of them: no stored event of the organisation falls within the rows' times (span:
    org, first, last; a first load, or a load of a new period), and counting the distinct keys (an
    aggregate of the keys alone) finds as many as rows."""
    stored = cur.execute(
        "SELECT count(*) FROM (SELECT 1 FROM usage_events WHERE org_id = $org AND event_at BETWEEN $first AND $last "
        "LIMIT 1)",
        span,
    ).fetchall()[0][0]
    if stored:
        return False
    keys, rows = cur.execute(
        "SELECT (SELECT count(*) FROM (SELECT DISTINCT user_key, event_at, activity_key FROM parsed "
        "WHERE reason IS NULL)), (SELECT count(*) FROM parsed WHERE reason IS NULL)"
    ).fetchall()[0]
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
    """file_keys and firsts are views over parsed (_all_new) or tables."""
    views = {name for (name,) in cur.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()}
    for name in ("file_keys", "firsts"):
        cur.execute(f"DROP VIEW {name}" if name in views else f"DROP TABLE IF EXISTS {name}")  # noqa: S608 (constants)


def _unknown_people(cur, org_id: int, rollout_id: int | None, result: LoadResult) -> None:
    unknown = cur.execute(
        "SELECT u.user_id FROM people u WHERE u.key IN (SELECT user_key FROM file_keys) AND NOT EXISTS ("
        "  SELECT 1 FROM rollouts r, current_roster($org, r.rollout_id) p"
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


def drop(cur) -> None:
    for table in ("parsed", "people", "activities", *(f"v_{name}" for name in _TYPES)):
        cur.execute(f"DROP TABLE IF EXISTS {table}")  # noqa: S608 (names of this module's own tables)
