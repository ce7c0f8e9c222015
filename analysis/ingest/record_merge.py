"""Merging the change-leadership record's rows (readiness, feedback, kpi_series) into the store, in
the load's transaction. Each kind has a key; a row is loaded when its key is new, updated when it
changes the key's current values, a duplicate when it repeats them (or an earlier row of the
file). Only loaded and updated rows are written, with the load's id: the current row of a key is
the newest one whose load is not undone (analysis/queries/macros/7_record.sql), so undo needs no
delete."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pandas as pd

from analysis.ingest.results import LoadResult, Reject


def _readiness_key(row: dict) -> tuple:
    return (row["day"], row["cohort"], row["department"], row["kind"], row["title"].lower())


def _readiness_values(row: dict) -> tuple:
    return (row["title"], row["attendance"], tuple(row["attendees"]) if row["attendees"] else None)


def _feedback_key(row: dict) -> tuple:
    return (row["respondent"], row["day"], row["question"])


def _feedback_values(row: dict) -> tuple:
    return (row["user_id"], row["score"], row["comment"], row["cohort"], row["department"])


def _kpi_key(row: dict) -> tuple:
    return (row["kpi"], row["day"], row["grp"])


def _kpi_values(row: dict) -> tuple:
    return (row["value"], row["unit"], row["direction"], row["target"])


_SPEC: dict[str, tuple[str, str, Callable, Callable, list[str]]] = {
    # kind: (table, current macro, key, values, columns written after upload_id, org_id, rollout_id)
    "readiness": (
        "readiness_entries",
        "current_readiness",
        _readiness_key,
        _readiness_values,
        ["day", "cohort", "department", "kind", "title", "attendance", "attendees"],
    ),
    "feedback": (
        "feedback_answers",
        "current_feedback",
        _feedback_key,
        _feedback_values,
        ["respondent", "user_id", "day", "question", "score", "comment", "cohort", "department"],
    ),
    "kpi_series": (
        "kpi_points",
        "current_kpi_points",
        _kpi_key,
        _kpi_values,
        ["kpi", "day", "value", "unit", "direction", "target", "grp"],
    ),
}


def respondents(parsed: list[dict]) -> None:
    """Set each feedback row's respondent: the person, else 'anonymous:' and the response id, else
    (an anonymous file row) a digest of the answer and its occurrence in the file, so loading the
    same file again finds the same keys."""
    seen: dict[tuple, int] = {}
    for row in parsed:
        if row["user_id"]:
            row["respondent"] = row["user_id"]
        elif row["response_id"]:
            row["respondent"] = f"anonymous:{row['response_id']}"
        else:
            answer = (row["day"], row["question"], row["score"], row["comment"], row["cohort"], row["department"])
            seen[answer] = seen.get(answer, 0) + 1
            digest = hashlib.sha256(repr((*answer, seen[answer])).encode()).hexdigest()[:16]
            row["respondent"] = f"anonymous:{digest}"


def merge_record(
    cur, kind: str, org_id: int, rollout_id: int, upload_id: int | None, parsed: list[dict], result: LoadResult
):
    table, macro, key_of, values_of, columns = _SPEC[kind]
    if kind == "feedback":
        respondents(parsed)
    current = {}
    # S608: table, macro and columns are this module's constants; values are bound
    for row in cur.execute(f"SELECT {', '.join(columns)} FROM {macro}(?, ?)", [org_id, rollout_id]).fetchall():  # noqa: S608
        stored = dict(zip(columns, row))
        if kind == "readiness" and stored["attendees"] is not None:
            stored["attendees"] = list(stored["attendees"])
        current[key_of(stored)] = values_of(stored)
    first: dict[tuple, tuple[int, tuple]] = {}
    written = []
    for row in parsed:
        key, now = key_of(row), values_of(row)
        if key in first:
            line, earlier = first[key]
            if earlier == now:
                result.rows_duplicate += 1
                result.repeated_in_file += 1
            else:
                result.rows_rejected += 1
                result.rejects.append(
                    Reject(
                        row["line"], None, f"the same entry is listed again with other values; line {line} is kept", ""
                    )
                )
            continue
        first[key] = (row["line"], now)
        if key not in current:
            result.rows_loaded += 1
        elif current[key] == now:
            result.rows_duplicate += 1
            continue
        else:
            result.rows_updated += 1
        written.append(row)
    if not written:
        return
    frame = pd.DataFrame(
        [
            (upload_id, org_id, rollout_id, *(";".join(r[c]) if c == "attendees" and r[c] else r[c] for c in columns))
            for r in written
        ],
        columns=["upload_id", "org_id", "rollout_id", *columns],
    )
    picked = ", ".join("string_split(CAST(attendees AS VARCHAR), ';')" if c == "attendees" else c for c in columns)
    cur.register("staged_record", frame)
    cur.execute(
        f"INSERT INTO {table} (upload_id, org_id, rollout_id, {', '.join(columns)}) "  # noqa: S608 (constants)
        f"SELECT upload_id, org_id, rollout_id, {picked} FROM staged_record"
    )
    cur.unregister("staged_record")
