"""Canonical text cells -> typed rows for the change-leadership record's kinds (readiness,
feedback, kpi_series; docs/formats.md); a bad cell raises RowError naming its column."""

from __future__ import annotations

import math
import re

from analysis import roster_import, values
from analysis.ingest.rows import RowError, date_cell, text_cell

READINESS_KINDS = {
    "training": "training",
    "training session": "training",
    "session": "training",
    "communication": "communication",
    "communications": "communication",
    "comms": "communication",
}
DIRECTIONS = {
    "up": "up",
    "higher": "up",
    "higher is better": "up",
    "increase": "up",
    "down": "down",
    "lower": "down",
    "lower is better": "down",
    "decrease": "down",
}
ANONYMOUS = {"", "anonymous", "anon", "-"}
_LIST = re.compile(r"[;|,\n]+")


def _day(cell: dict, context: dict):
    day = date_cell(cell, "date", context)
    if day is None:
        raise RowError("date", "the date is missing")
    return day.date()


def _required_text(cell: dict, name: str, what: str) -> str:
    text = text_cell(cell, name)
    if not text:
        raise RowError(name, f"the {what} is empty")
    return " ".join(text.split())


def _cohort(cell: dict, context: dict) -> str | None:
    """The rollout's cohort a cell names (its name or a usual word for it), None when empty."""
    text = text_cell(cell, "cohort")
    if not text:
        return None
    found = context["cohorts"].get(roster_import.cohort_key(text))
    if found is None:
        known = ", ".join(sorted(set(context["cohorts"].values())))
        raise RowError("cohort", f"{text!r} is not a cohort of this rollout ({known})")
    return found


def _group(cell: dict, context: dict) -> tuple[str | None, str | None]:
    """(cohort, department): the cohort column may name a department of the roster instead (a
    readiness entry is for a cohort or a department); a department as the roster writes it."""
    department = text_cell(cell, "department")
    text = text_cell(cell, "cohort")
    if text and roster_import.cohort_key(text) not in context["cohorts"] and not department:
        if text.lower() in context["departments"]:
            cell = {**cell, "cohort": ""}
            department = text
        else:
            known = ", ".join(sorted(set(context["cohorts"].values())))
            raise RowError(
                "cohort",
                f"{text!r} is not a cohort of this rollout ({known}) nor a department of its roster: "
                "name a department in a department column",
            )
    cohort = _cohort(cell, context)
    if department:
        department = context["departments"].get(department.lower(), " ".join(department.split()))
    return cohort, department


def readiness_row(cell: dict, context: dict) -> dict:
    day = _day(cell, context)
    kind_text = (cell.get("kind") or "").strip().lower()
    kind = READINESS_KINDS.get(" ".join(kind_text.split()))
    if kind is None:
        raise RowError("kind", f"{kind_text!r} is not training or communication")
    title = _required_text(cell, "title", "title")
    cohort, department = _group(cell, context)
    if cohort is None and department is None:
        raise RowError("cohort", "the entry names no cohort and no department: say who it was for")
    attendance, attendees = _attendees(cell.get("attendees") or "", context)
    return {
        "day": day,
        "cohort": cohort,
        "department": department,
        "kind": kind,
        "title": title,
        "attendance": attendance,
        "attendees": attendees,
    }


def _attendees(text: str, context: dict) -> tuple[int | None, list[str] | None]:
    """(attendance, attendee ids): a count ("12"), a list of user ids (separated by ; | , or new
    lines; the count is then its length), or nothing."""
    text = text.strip()
    if not text or values.is_missing(text):
        return None, None
    if re.fullmatch(r"[\d.+-]+", text):
        try:
            return values.parse_count(text), None
        except ValueError as exc:
            raise RowError("attendees", str(exc)) from None
    people = sorted({values.normalise_user(p) for p in _LIST.split(text) if p.strip()})
    for user in people:
        domain = user.rsplit("@", 1)[1] if "@" in user else None
        why = context["domain_check"](domain) if domain else None
        if why:
            raise RowError("attendees", f"{user}: {why}")
    return len(people), people


def feedback_row(cell: dict, context: dict) -> dict:
    day = _day(cell, context)
    question = _required_text(cell, "question", "question")
    try:
        points = values.parse_score(cell.get("score") or "")
    except ValueError as exc:
        raise RowError("score", str(exc)) from None
    comment = text_cell(cell, "comment")
    if points is None and not comment:
        raise RowError("score", "the score is empty (and there is no comment)")
    who = values.normalise_user(cell.get("user_id") or "")
    if who in ANONYMOUS:
        user = None
    else:
        domain = who.rsplit("@", 1)[1] if "@" in who else None
        why = context["domain_check"](domain) if domain else None
        if why:
            raise RowError("user_id", why)
        user = who
    cohort, department = _cohort(cell, context), text_cell(cell, "department")
    return {
        "user_id": user,
        "response_id": text_cell(cell, "response_id"),
        "day": day,
        "question": question,
        "score": points,
        "comment": comment,
        "cohort": cohort,
        "department": " ".join(department.split()) if department else None,
    }


def _number(cell: dict, name: str) -> float | None:
    text = (cell.get(name) or "").strip()
    if not text or values.is_missing(text):
        return None
    if text.endswith("%"):
        text = text[:-1]
    try:
        number = float(text)
    except ValueError:
        raise RowError(name, f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise RowError(name, f"{text!r} is not a number")
    return number


def kpi_row(cell: dict, context: dict) -> dict:
    day = _day(cell, context)
    kpi = _required_text(cell, "kpi", "KPI name").lower()
    value = _number(cell, "value")
    if value is None:
        raise RowError("value", "the value is empty")
    direction_text = " ".join((cell.get("direction") or "").strip().lower().split())
    direction = DIRECTIONS.get(direction_text)
    if direction is None:
        raise RowError("direction", f"{direction_text!r} is not up (higher is better) or down (lower is better)")
    cohort, department = _cohort(cell, context), text_cell(cell, "department")
    return {
        "kpi": kpi,
        "day": day,
        "value": value,
        "unit": text_cell(cell, "unit"),
        "direction": direction,
        "target": _number(cell, "target"),
        "grp": cohort or (" ".join(department.split()) if department else ""),
    }


ROW_PARSERS = {"readiness": readiness_row, "feedback": feedback_row, "kpi_series": kpi_row}
