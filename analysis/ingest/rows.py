"""Canonical text cells -> typed rows, one function per kind; a bad cell raises RowError naming
its column."""

from __future__ import annotations

from datetime import datetime, timedelta

from analysis import roster_import, values
from analysis.retention import before_horizon_reason


class RowError(ValueError):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column


def check(column: str, parse, cell: str, *args):
    try:
        return parse(cell, *args)
    except ValueError as exc:
        raise RowError(column, str(exc)) from None


def person(cell: dict, context: dict, column: str = "user_id") -> str:
    user = values.normalise_user(cell.get(column, ""))
    if not user:
        raise RowError(column, "the user id is empty")
    domain = user.rsplit("@", 1)[1] if "@" in user else None
    why = context["domain_check"](domain) if domain else None
    if why:
        raise RowError(column, why)
    return user


def text_cell(cell: dict, name: str) -> str | None:
    value = cell.get(name)
    return None if value is None or values.is_missing(value) else value.strip()


def roster_row(cell: dict, context: dict) -> dict:
    user = person(cell, context)
    cohort_text = (cell.get("cohort") or "").strip()
    cohort = context["cohorts"].get(roster_import.cohort_key(cohort_text))
    if cohort is None:
        known = ", ".join(sorted(set(context["cohorts"].values())))
        raise RowError("cohort", f"{cohort_text!r} is not a cohort of this rollout ({known})")
    return {
        "user_id": user,
        "display_name": text_cell(cell, "display_name"),
        "department": text_cell(cell, "department") or "Unassigned",
        "cohort": cohort,
        "licensed": check("licensed", values.parse_flag, roster_import.flag_text(cell.get("licensed", ""))),
    }


def date_cell(cell: dict, name: str, context: dict) -> datetime | None:
    value = cell.get(name)
    if value is None or values.is_missing(value):
        return None
    return check(name, context["dates"][name], value)


def usage_row(cell: dict, context: dict) -> dict:
    user = person(cell, context)
    event_at = date_cell(cell, "timestamp", context)
    if event_at is None:
        day = date_cell(cell, "date", context)
        if day is None:
            raise RowError("date" if "date" in cell else "timestamp", "the date is missing")
        event_at = day.replace(hour=0, minute=0, second=0, microsecond=0)
    kept_from = context.get("events_kept_from")
    if kept_from is not None and event_at.date() < kept_from:  # analysis/retention.py
        raise RowError("timestamp" if "timestamp" in cell else "date", before_horizon_reason(kept_from))
    if context["day_offset"]:
        event_at += timedelta(days=context["day_offset"].get("date", 0))
    if "activity" in cell:
        activity = cell["activity"].strip().lower()
        if not activity:
            raise RowError("activity", "the activity is empty")
    else:
        activity = context["default_activity"]
    count_cell = cell.get("count", "")
    count = 1 if count_cell is None or count_cell.strip() == "" else check("count", values.parse_count, count_cell)
    snapshot = date_cell(cell, "snapshot", context)
    if snapshot and context["day_offset"]:
        snapshot += timedelta(days=context["day_offset"].get("snapshot", 0))
    return {
        "user_id": user,
        "event_at": event_at,
        "day": event_at.date(),
        "activity": activity,
        "events": count,
        "snapshot": snapshot.date() if snapshot else None,
    }
