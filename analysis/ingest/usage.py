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
from analysis.ingest.results import Reject
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
    # one scan grouped by each column in turn (GROUPING SETS), not list(DISTINCT ...): about
    # two thirds of the time at 2 M rows; one scan, as a 20 M-row file's staged cells are on disk
    # (a GROUP BY per column read them once each). list() keeps nulls, list(DISTINCT) left them
    # out. The columns are positions of raw (ints from the format's choice), never the file's text
    columns = sorted({choice.columns[name] for name in names})
    which = " ".join(f"WHEN GROUPING(c{i}) = 0 THEN {i}" for i in columns)
    groups = (
        f"SELECT CASE {which} END AS col, coalesce({', '.join(f'c{i}' for i in columns)}) AS cell "  # noqa: S608
        f"FROM raw WHERE fields = $width GROUP BY GROUPING SETS ({', '.join(f'(c{i})' for i in columns)})"
    )
    lists = ", ".join(f"list(cell) FILTER (col = {choice.columns[name]} AND cell IS NOT NULL)" for name in names)
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
    as the temp tables parsed, people and activities, so that one merge (analysis/ingest/usage_merge.py)
    serves both paths."""
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


def drop(cur) -> None:
    for table in ("parsed", "people", "activities", *(f"v_{name}" for name in _TYPES)):
        cur.execute(f"DROP TABLE IF EXISTS {table}")  # noqa: S608 (names of this module's own tables)
