"""The canonical CSV contract (METRICS.md section 1): which columns each kind of file has,
and how a header row is matched to them (by name, case-insensitive, trimmed; order free)."""
from __future__ import annotations

from analysis.files import FileRefused, Table

KINDS = ("roster", "usage", "tickets")

REQUIRED = {
    "roster": ("user_id", "cohort"),
    "usage": ("user_id",),
    "tickets": ("ticket_id", "created_at"),
}
OPTIONAL = {
    "roster": ("display_name", "department", "licensed"),
    "usage": ("date", "timestamp", "activity", "count"),
    "tickets": ("source", "requester", "subject", "status", "priority", "category", "company",
                "updated_at", "first_response_at", "resolved_at", "closed_at", "reopened",
                "satisfaction"),
}
# Columns that say what kind of file this is, to point at the right kind when the wrong one
# was chosen.
TELLTALES = {
    "roster": {"cohort", "department", "licensed"},
    "usage": {"activity", "count", "date", "timestamp"},
    "tickets": {"ticket_id", "created_at", "resolved_at", "status"},
}


def column_map(table: Table, kind: str, needs_activity: bool = False) -> dict[str, int]:
    """field -> column index for the canonical fields found in the header; refuses a header
    that lacks a required field or names one twice."""
    seen: dict[str, int] = {}
    known = set(REQUIRED[kind]) | set(OPTIONAL[kind])
    for index, name in enumerate(table.header):
        key = name.strip().lower()
        if key not in known:
            continue
        if key in seen:
            raise FileRefused(table.file_name, f"line 1: the column {key!r} appears twice (columns "
                              f"{seen[key] + 1} and {index + 1}): keep one and load again")
        seen[key] = index
    required = list(REQUIRED[kind])
    if kind == "usage" and needs_activity:
        required.append("activity")
    missing = [f for f in required if f not in seen]
    if kind == "usage" and "date" not in seen and "timestamp" not in seen:
        missing.append("date (or timestamp)")
    if missing:
        raise FileRefused(table.file_name, missing_message(table, kind, missing, needs_activity))
    return seen


def missing_message(table: Table, kind: str, missing: list[str], needs_activity: bool) -> str:
    header = {h.strip().lower() for h in table.header}
    shown = ", ".join(table.header[:8]) + (", ..." if len(table.header) > 8 else "")
    message = (f"line 1: this is not a {kind} file: it has no {', no '.join(missing)} column "
               f"(its columns are: {shown})")
    likely = [k for k in KINDS if k != kind and set(REQUIRED[k]) <= header and header & TELLTALES[k]]
    if likely:
        message += f". It looks like a {likely[0]} file: load it as {likely[0]}"
    elif kind == "usage" and needs_activity and missing == ["activity"]:
        message += ". Choose the rollout it belongs to, or add an activity column"
    else:
        message += f". A {kind} file needs the columns {', '.join(required_columns(kind))}"
    return message


def required_columns(kind: str) -> list[str]:
    cols = list(REQUIRED[kind])
    if kind == "usage":
        cols.append("date (or timestamp)")
    return cols
