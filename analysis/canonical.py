"""The canonical CSV contract (docs/formats.md#the-canonical-csv-contract): which columns each kind of file has,
and how a header row is matched to them (by name, case-insensitive, trimmed; order free), or
by a manual mapping {field: column} for files of no known format."""

from __future__ import annotations

from typing import TYPE_CHECKING

if (
    TYPE_CHECKING
):  # analysis.files brings the file readers (charset_normalizer, calamine): a read command never needs them
    from analysis.files import Table

DATA_KINDS = ("roster", "usage", "tickets")
# The change-leadership record (analysis/record_kinds.py): loaded like the others, read per rollout.
RECORD_KINDS = ("readiness", "feedback", "kpi_series")
KINDS = DATA_KINDS + RECORD_KINDS

REQUIRED = {
    "roster": ("user_id", "cohort"),
    "usage": ("user_id",),
    "tickets": ("ticket_id", "created_at"),
    "readiness": ("date", "kind", "title"),  # and a cohort or a department, per row
    "feedback": ("date", "question", "score"),
    "kpi_series": ("date", "kpi", "value", "direction"),
}
OPTIONAL = {
    "roster": ("display_name", "department", "licensed"),
    "usage": ("date", "timestamp", "activity", "count", "snapshot"),
    "tickets": (
        "source",
        "requester",
        "subject",
        "status",
        "priority",
        "category",
        "company",
        "updated_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "reopened",
        "satisfaction",
        "sla_met",
        "resolution_seconds",
        "business_resolution_seconds",
    ),
    "readiness": ("cohort", "department", "attendees"),
    "feedback": ("user_id", "comment", "cohort", "department", "response_id"),
    "kpi_series": ("unit", "target", "cohort", "department"),
}
# Fields holding dates or times: each is read by a values.DateReader.
DATE_FIELDS = frozenset(
    {"date", "timestamp", "snapshot", "created_at", "updated_at", "first_response_at", "resolved_at", "closed_at"}
)
# Columns that say what kind of file this is, to point at the right kind when the wrong one
# was chosen.
TELLTALES = {
    "roster": {"cohort", "department", "licensed"},
    "usage": {"activity", "count", "date", "timestamp"},
    "tickets": {"ticket_id", "created_at", "resolved_at", "status"},
    "readiness": {"kind", "title", "attendees"},
    "feedback": {"question", "score", "comment"},
    "kpi_series": {"kpi", "value", "target", "direction", "unit"},
}


def fields(kind: str) -> tuple[str, ...]:
    return REQUIRED[kind] + OPTIONAL[kind]


def find_column(table: Table, name: str) -> int | None:
    """The index of the column called name: as written, else trimmed and in any case."""
    wanted = name.strip()
    for index, header in enumerate(table.header):
        if header == wanted:
            return index
    for index, header in enumerate(table.header):
        if header.lower() == wanted.lower():
            return index
    return None


def mapped_columns(table: Table, kind: str, mapping: dict[str, str]) -> dict[str, int]:
    """field -> column index for a manual mapping; refuses an unknown field or column."""
    from analysis.files import FileRefused

    columns = {}
    for name, column in mapping.items():
        if not isinstance(name, str) or not isinstance(column, str) or not column.strip():
            raise FileRefused(
                table.file_name, f"the mapping {name!r}: {column!r} does not name a column: write each as FIELD=COLUMN"
            )
        key = name.strip().lower()
        if key not in fields(kind):
            raise FileRefused(
                table.file_name,
                f"--map {name}={column}: {name!r} is not a field of a {kind} "
                f"file (its fields are: {', '.join(fields(kind))})",
            )
        index = find_column(table, column)
        if index is None:
            raise FileRefused(
                table.file_name,
                f"--map {name}={column}: the file has no column {column!r} (its columns are: {shown_columns(table)})",
            )
        columns[key] = index
    return columns


def column_map(
    table: Table, kind: str, needs_activity: bool = False, mapping: dict[str, str] | None = None
) -> dict[str, int]:
    """field -> column index for the canonical fields found in the header, a manual mapping
    taking precedence; refuses a header that lacks a required field or names one twice."""
    from analysis.files import FileRefused

    mapped = mapped_columns(table, kind, mapping or {})
    seen: dict[str, int] = {}
    known = set(fields(kind)) - set(mapped)
    for index, name in enumerate(table.header):
        key = name.strip().lower()
        if key not in known:
            continue
        if key in seen:
            raise FileRefused(
                table.file_name,
                f"line 1: the column {key!r} appears twice (columns "
                f"{seen[key] + 1} and {index + 1}): keep one and load again",
            )
        seen[key] = index
    seen.update(mapped)
    require(table, kind, seen, needs_activity)
    return seen


def require(table: Table, kind: str, columns: dict[str, int], needs_activity: bool) -> None:
    """Refuses the file when columns lack a field the kind needs."""
    from analysis.files import FileRefused

    required = list(REQUIRED[kind])
    if kind == "usage" and needs_activity:
        required.append("activity")
    missing = [f for f in required if f not in columns]
    if kind == "usage" and "date" not in columns and "timestamp" not in columns:
        missing.append("date (or timestamp)")
    if missing:
        raise FileRefused(table.file_name, missing_message(table, kind, missing, needs_activity))


def shown_columns(table: Table, limit: int = 8) -> str:
    names = [h if len(h) <= 60 else h[:57] + "..." for h in table.header[:limit]]
    return ", ".join(repr(n) if not n or "," in n else n for n in names) + (
        ", ..." if len(table.header) > limit else ""
    )


def missing_message(table: Table, kind: str, missing: list[str], needs_activity: bool) -> str:
    header = {h.strip().lower() for h in table.header}
    shown = shown_columns(table)
    message = f"line 1: this is not a {kind} file: it has no {', no '.join(missing)} column (its columns are: {shown})"
    likely = [k for k in KINDS if k != kind and set(REQUIRED[k]) <= header and header & TELLTALES[k]]
    if likely:
        message += f". It looks like a {likely[0]} file: load it as {likely[0]}"
    elif kind == "usage" and needs_activity and missing == ["activity"]:
        message += ". Choose the rollout it belongs to, or add an activity column"
    else:
        message += (
            f". A {kind} file needs the columns {', '.join(required_columns(kind))}: rename them, "
            "or map them (--map FIELD=COLUMN, or on the Data page)"
        )
    return message


def required_columns(kind: str) -> list[str]:
    cols = list(REQUIRED[kind])
    if kind == "usage":
        cols.append("date (or timestamp)")
    return cols
