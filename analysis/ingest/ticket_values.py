"""Each ticket cell's reading (analysis.ingest.rows' former ticket_row rules): in Python for any
cell, and in SQL, with the same result, for the plain cells that most files hold.

A column's cells are read one of two ways on the staged table raw (analysis/ingest/staging.py).
A column of few distinct values (text, ratings, counts) gets a table tv_<field> of its distinct
cells -> value, error (and transform_error, and flag: a status that is a resolved state), joined
to raw, or none when every cell is plain text (then read inline). A column of many (the ticket id and the times) is read row by row in SQL where the cell
is plain, and only its other distinct cells go through Python into tv_<field>.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from analysis import values
from analysis.ingest import ticket_extras
from analysis.ingest.rows import RowError, check
from analysis.ingest.staging import Staged

TEXT = ("source", "requester", "subject", "status", "priority", "category", "company")
INLINE = ("source", "requester", "subject", "status", "priority", "category")  # text read inline when plain
DATES = ("created_at", "resolved_at", "closed_at", "first_response_at", "updated_at")
TYPES = {
    **dict.fromkeys(("ticket_id", *TEXT, "satisfaction"), "VARCHAR"),
    **dict.fromkeys(DATES, "TIMESTAMP"),
    "first_response_minutes": "BIGINT",  # microseconds after created_at
    "reopened": "BIGINT",
    # helpdesk figures (analysis/ingest/ticket_extras.py); durations in microseconds
    "sla_met": "BOOLEAN",
    "resolution_seconds": "BIGINT",
    "business_resolution_seconds": "BIGINT",
}
# printable ASCII with nothing to strip at either end: Python's strip and lower act as SQL's do
_PLAIN = "regexp_full_match({c}, '[!-~]([ -~]*[!-~])?')"
_DMY = "^\\s*\\d{1,2}[/.-]\\d{1,2}[/.-]\\d"  # a d/m/y (or m/d/y) date
_DMY_START = re.compile(r"\s|\d[/.-]|\d\d[/.-]")  # the first three characters of one
_NOT_MISSING = "NOT list_contains($missing, lower({c})) AND NOT starts_with({c}, '1900-01-01')"
# the SQL reading of a plain text cell of a distinct-value table: (which cells, value)
_TEXT_SQL = {
    "source": "lower({c})",
    "requester": "CASE WHEN contains({c}, '@') THEN lower({c}) ELSE {c} END",
}
# an ISO time without a zone, written exactly as DuckDB writes it back (zero-padded, a real
# date and time): values.DateReader reads it as the local time it says. Only cells of the three
# lengths _CANONICAL accepts are cast: a failed cast (an empty cell) costs five times a good one
_TIME = "CASE WHEN length({c}) IN (10, 16, 19) THEN try_cast({c} AS TIMESTAMP) END"
_CANONICAL = (
    "CASE WHEN {t} IS NULL THEN false WHEN length({c}) = 19 THEN CAST({t} AS VARCHAR) = {c} "
    "WHEN length({c}) = 16 THEN strftime({t}, '%Y-%m-%d %H:%M') = {c} "
    "WHEN length({c}) = 10 THEN strftime({t}, '%Y-%m-%d') = {c} ELSE false END"
)


def date_values(cur, staged: Staged, columns: dict[str, int]) -> dict[str, set[str]]:
    """{field: the d/m/y values of its date column} for the date fields at these positions. A cell
    can be one only if its first three characters can begin one (a space, or one or two digits
    and a separator); a column holds few distinct beginnings, so those are read first, and only
    a column with such a beginning is searched for its values."""
    found: dict[str, set[str]] = {name: set() for name in columns}
    if not columns:
        return found
    # column positions (ints from the format's choice), never the file's text
    starts = " UNION ALL ".join(
        f"SELECT DISTINCT {i} AS col, substr(c{i}, 1, 3) AS start FROM raw WHERE fields = $width"  # noqa: S608
        for i in sorted(set(columns.values()))
    )
    maybe = {col for col, start in cur.execute(starts, {"width": staged.width}).fetchall() if _could_be_dmy(start)}
    having = [name for name, index in columns.items() if index in maybe]
    if having:
        lists = ", ".join(
            f"list(DISTINCT c{columns[name]}) FILTER (regexp_matches(c{columns[name]}, '{_DMY}'))" for name in having
        )
        query = f"SELECT {lists} FROM raw WHERE fields = $width"  # noqa: S608 (built above)
        texts = cur.execute(query, {"width": staged.width}).fetchall()[0]
        found |= {name: set(values or []) for name, values in zip(having, texts)}
    return found


def _could_be_dmy(start: str | None) -> bool:
    """Whether a cell beginning so may match _DMY (Python's \\s and \\d take in all of RE2's)."""
    return start is not None and _DMY_START.match(start) is not None


def row_by_row(name: str, transform: Callable | None, context: dict) -> bool:
    """Whether the column is read row by row in SQL (its plain cells) rather than by distinct values."""
    if transform is not None:
        return False
    return name == "ticket_id" or (name in DATES and not context["dates"][name].utc)


def sql_reading(name: str, column: str, typed: str, context: dict) -> tuple[str | None, str, str, dict]:
    """(what the cell `column` is cast to first, as `typed`, or None; the condition that the cell
    is plain; its value then; parameters) for a column read row by row: an empty time is missing,
    a plain one is read within the dates the reader accepts."""
    if name == "ticket_id":
        return None, _PLAIN.format(c=column), column, {}
    reader = context["dates"][name]
    plain = f"{_CANONICAL.format(t=typed, c=column)} AND {typed} >= TIMESTAMP '1901-01-01'"
    params = {}
    if reader.latest is not None:
        plain += f" AND {typed} <= $latest_{name}"
        params[f"latest_{name}"] = reader.latest
    value = f"CASE WHEN {column} = '' THEN NULL ELSE {typed} END"
    return _TIME.format(c=column), f"({column} = '' OR ({plain}))", value, params


def value_table(cur, staged: Staged, name: str, index: int, context: dict) -> str:
    """ "table" when it made tv_<name> for the cells of column index, of a column read row by row,
    that are not plain, in the rows of t_parsed marked unread (analysis/ingest/ticket_cells.py);
    "" when there are none."""
    cast, plain, _, params = sql_reading(name, "cell", "typed", context)
    # plain is built here from a column position; the file's text is only ever bound or read
    other = (
        f"SELECT DISTINCT cell FROM (SELECT c{index} AS cell, {cast or 'NULL'} AS typed FROM raw "  # noqa: S608
        "WHERE line IN (SELECT line FROM t_parsed WHERE unread) AND fields = $width) "
        f"WHERE NOT coalesce({plain}, false)"
    )
    rest = [r[0] for r in cur.execute(other, params | {"width": staged.width}).fetchall()]
    if not rest:
        return ""
    _fill(cur, f"tv_{name}", name, [], rest, None, context)
    return "table"


def distinct_tables(cur, staged: Staged, columns: dict[str, int], transforms: dict, context: dict) -> dict[str, str]:
    """{field: how its value is read} for the columns read by distinct values: "inline" when every
    cell of a text column is plain or empty (its value is then plain_text's, row by row, with no
    table), else "table": tv_<field> of its distinct cells -> value, error, transform_error, flag.
    The distinct cells come from one query over raw (a DISTINCT per column: cheaper than one pass
    with GROUPING SETS), and which are plain from one query over them; only the others are read in
    Python."""
    if not columns:
        return {}
    indexes = sorted(set(columns.values()))  # column positions (two fields may share one)
    sql_text = sorted({i for name, i in columns.items() if name in TEXT and name not in transforms})
    in_python = sorted({i for name, i in columns.items() if name not in TEXT or name in transforms})
    params: dict = {"width": staged.width}
    plain = "false"
    if sql_text:
        plain = f"list_contains($sql_text, col) AND coalesce({_PLAIN} AND {_NOT_MISSING}, false)".format(c="cell")
        params |= {"sql_text": sql_text, "missing": sorted(values.MISSING)}
    each = " UNION ALL ".join(
        f"SELECT DISTINCT {i} AS col, c{i} AS cell FROM raw WHERE fields = $width"  # noqa: S608 (positions)
        for i in indexes
    )
    cur.execute(f"CREATE OR REPLACE TEMP TABLE t_distinct AS SELECT *, {plain} AS plain FROM ({each})", params)  # noqa: S608
    # each column's cells that are not plain, and every cell of the columns read only in Python
    found = {
        col: (other or [], every or [])
        for col, other, every in cur.execute(
            "SELECT col, list(cell) FILTER (NOT plain), list(cell) FILTER (list_contains($in_python, col)) "
            "FROM t_distinct GROUP BY col",
            {"in_python": in_python or [-1]},
        ).fetchall()
    }
    made = {}
    for name, index in columns.items():
        in_sql = name in TEXT and name not in transforms
        rest = found.get(index, ([], []))[0 if in_sql else 1]
        if name in INLINE and in_sql and set(rest) <= {""}:
            made[name] = "inline"
            continue
        _fill(cur, f"tv_{name}", name, [index] if in_sql else [], rest, transforms.get(name), context)
        made[name] = "table"
    return made


def _fill(cur, table: str, name: str, plains: list[int], rest: list[str], transform, context: dict) -> None:
    """table made with the plain cells of t_distinct of the column in plains (read in SQL), and
    rest read in Python."""
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} (cell VARCHAR, value {TYPES[name]}, error VARCHAR, "  # noqa: S608
        "transform_error VARCHAR, flag BOOLEAN)"
    )
    if plains:
        flag = "list_contains($resolved, lower(cell))" if name == "status" else "NULL"
        value = _TEXT_SQL.get(name, "{c}").format(c="cell")
        resolved = {"resolved": sorted(values.RESOLVED_STATES)} if name == "status" else {}
        cur.execute(
            f"INSERT INTO {table} SELECT cell, {value}, NULL, NULL, {flag} FROM t_distinct "  # noqa: S608
            "WHERE col = $col AND plain",
            {"col": plains[0], **resolved},
        )
    if rest:
        read = zip(*(read_cell(name, cell, transform, context) for cell in rest))
        # bound as lists, zipped by unnest: the file's text is never part of the SQL
        cur.execute(
            f"INSERT INTO {table} SELECT CAST(unnest($cell) AS VARCHAR), CAST(unnest($value) AS {TYPES[name]}), "  # noqa: S608
            "CAST(unnest($error) AS VARCHAR), CAST(unnest($transform_error) AS VARCHAR), CAST(unnest($flag) AS BOOLEAN)",
            dict(zip(("cell", "value", "error", "transform_error", "flag"), map(list, read))),
        )


def plain_text(cur, name: str, column: str, index: int) -> tuple[str, str, dict]:
    """(value, flag, parameters) of a text cell known to be plain or empty (distinct_tables'
    "inline"), in the column at index. Its rule (lower case: a source, an address) is left out
    when it changes none of the column's distinct cells, and a status's flag is a lookup of the
    column's own cells that are resolved states: neither is then worked out once per row."""
    rule = _TEXT_SQL.get(name, "{c}")
    cells: list[str] = []
    if name in _TEXT_SQL or name == "status":
        same, cells = cur.execute(
            f"SELECT coalesce(bool_and({rule.format(c='cell')} = cell), true), "  # noqa: S608 (this module's rule)
            "list(cell) FILTER (list_contains($resolved, lower(cell))) FROM t_distinct WHERE col = $col",
            {"col": index, "resolved": sorted(values.RESOLVED_STATES)},
        ).fetchall()[0]
        rule = "{c}" if same else rule
    value = f"CASE WHEN {column} = '' THEN NULL ELSE {rule.format(c=column)} END"
    if name != "status":
        return value, "NULL", {}
    if not cells:
        return value, "false", {}
    return value, f"list_contains($resolved_cells, {column})", {"resolved_cells": cells}


def read_cell(name: str, cell: str, transform: Callable | None, context: dict) -> tuple:
    """(cell, value, error, transform_error, flag) the cell read by the rules of this module."""
    text = cell
    if transform is not None:
        try:
            text = transform(cell)
        except ValueError as exc:
            return cell, None, None, str(exc), None
    try:
        value = _reader(name, context)(text)
    except ValueError as exc:
        return cell, None, str(exc), None, None
    return (
        cell,
        value,
        None,
        None,
        (isinstance(value, str) and values.is_resolved_state(value)) if name == "status" else None,
    )


def _reader(name: str, context: dict) -> Callable[[str], object]:
    if name == "ticket_id":
        return _ticket_id
    if name in TEXT:
        return lambda text: _text(name, text)
    if name in DATES:
        reader = context["dates"][name]
        return lambda text: None if values.is_missing(text) else reader(text)
    if name == "first_response_minutes":
        return _minutes
    if name == "reopened":
        return lambda text: 0 if values.is_missing(text) else check("reopened", values.parse_count, text)
    if name == "sla_met":
        return lambda text: ticket_extras.parse_sla(name, text)
    if name in ("resolution_seconds", "business_resolution_seconds"):
        return lambda text: ticket_extras.parse_seconds(name, text)
    return lambda text: values.parse_satisfaction(text or "")


def _ticket_id(text: str) -> str:
    ticket_id = (text or "").strip()
    if not ticket_id:
        raise RowError("ticket_id", "the ticket id is empty")
    return ticket_id


def _text(name: str, text: str) -> str | None:
    if values.is_missing(text):
        return None
    value = text.strip()
    if name == "source":
        return value.lower()
    return value.lower() if name == "requester" and "@" in value else value


def _minutes(text: str) -> int | None:
    """Microseconds after created_at (analysis.ingest.rows.minutes_after's rule and rounding)."""
    if values.is_missing(text):
        return None
    try:
        minutes = float(text)
    except ValueError:
        raise RowError("first_response_minutes", f"{text.strip()!r} is not a number of minutes") from None
    if not 0 <= minutes < 10**8:
        raise RowError("first_response_minutes", f"{text.strip()!r} is not a plausible number of minutes")
    return timedelta(minutes=minutes) // timedelta(microseconds=1)
