"""Canonical text cells -> typed rows, one function per kind; a bad cell raises RowError naming
its column."""

from __future__ import annotations

from datetime import datetime, timedelta

from analysis import roster_import, values


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


def ticket_row(cell: dict, context: dict) -> dict:
    ticket_id = (cell.get("ticket_id") or "").strip()
    if not ticket_id:
        raise RowError("ticket_id", "the ticket id is empty")
    created = date_cell(cell, "created_at", context)
    if created is None:
        raise RowError("created_at", "the creation time is missing")
    resolved = date_cell(cell, "resolved_at", context)
    closed = date_cell(cell, "closed_at", context)
    first_response = date_cell(cell, "first_response_at", context) or minutes_after(
        cell, "first_response_minutes", created
    )
    for name, value in (("resolved_at", resolved), ("closed_at", closed), ("first_response_at", first_response)):
        if value is not None and value < created:
            raise RowError(name, f"{name} {value:%Y-%m-%d %H:%M} is before created_at {created:%Y-%m-%d %H:%M}")
    reopened_cell = cell.get("reopened")
    reopened = (
        0
        if reopened_cell is None or values.is_missing(reopened_cell)
        else check("reopened", values.parse_count, reopened_cell)
    )
    requester = text_cell(cell, "requester")
    return {
        "source": (text_cell(cell, "source") or context["source"]).lower(),
        "ticket_id": ticket_id,
        "created_at": created,
        "requester": requester.lower() if requester and "@" in requester else requester,
        "subject": text_cell(cell, "subject"),
        "status": text_cell(cell, "status"),
        "priority": text_cell(cell, "priority"),
        "category": text_cell(cell, "category"),
        "company": text_cell(cell, "company"),
        "updated_at": date_cell(cell, "updated_at", context),
        "first_response_at": first_response,
        "resolved_at": resolved or closed,
        "reopened": reopened,
        "satisfaction": values.parse_satisfaction(cell.get("satisfaction") or ""),
    }


def minutes_after(cell: dict, name: str, start: datetime) -> datetime | None:
    """start + the minutes in cell[name] (Zendesk's "First reply time in minutes")."""
    text = cell.get(name)
    if text is None or values.is_missing(text):
        return None
    try:
        minutes = float(text)
    except ValueError:
        raise RowError(name, f"{text.strip()!r} is not a number of minutes") from None
    if not 0 <= minutes < 10**8:
        raise RowError(name, f"{text.strip()!r} is not a plausible number of minutes")
    return start + timedelta(minutes=minutes)
