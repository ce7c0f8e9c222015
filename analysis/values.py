"""Parsing of single cells: dates, timestamps, counts, flags, ratings. Each returns a value or
raises ValueError with a reason a person can act on."""
from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

MISSING = {"", "?", "na", "n/a", "null", "none", "-"}
TRUE_WORDS = {"true", "yes", "1", "y"}
FALSE_WORDS = {"false", "no", "0", "n"}
RESOLVED_STATES = {"resolved", "closed", "completed", "complete", "done", "solved", "cancelled",
                   "canceled"}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_missing(cell: str | None) -> bool:
    return cell is None or cell.strip().lower() in MISSING or cell.strip().startswith("1900-01-01")


def parse_date(cell: str) -> date:
    text = cell.strip()
    if not _DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def parse_timestamp(cell: str, tz: ZoneInfo) -> datetime:
    """A naive local time in the organisation's zone tz. A value with a zone (Z, +01:00) is
    converted; one without is taken as local time already."""
    text = cell.strip()
    if _DATE.fullmatch(text):
        return datetime.combine(parse_date(text), datetime.min.time())
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date and time (expected YYYY-MM-DD HH:MM[:SS][zone])") from None
    if value.tzinfo is not None:
        value = value.astimezone(tz).replace(tzinfo=None)
    return value


_COUNT = re.compile(r"\+?(\d{1,12})(?:\.0*)?")


def parse_count(cell: str) -> int:
    """A whole number from 0 to 999,999,999,999 ("3", "3.0"; not "1e3", "inf" or "-1")."""
    text = cell.strip()
    match = _COUNT.fullmatch(text)
    if match:
        return int(match.group(1))
    if re.fullmatch(r"-\d+(\.0*)?", text):
        raise ValueError(f"{text!r} is negative: a count is 0 or more")
    if re.fullmatch(r"\+?\d+(\.0*)?", text):
        raise ValueError(f"{text!r} is too large for a count")
    raise ValueError(f"{text!r} is not a whole number")


def parse_flag(cell: str) -> bool:
    text = cell.strip().lower()
    if text == "" or text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f"{cell.strip()!r} is not true/false, yes/no, 1/0 or y/n")


def parse_satisfaction(cell: str) -> str | None:
    """'good', 'bad' or None (unrated): 4-5 and 'good' are good, 1-3 and 'bad' are bad."""
    text = cell.strip().lower()
    if text in ("good", "bad"):
        return text
    if text in {"1", "2", "3", "4", "5"}:
        return "good" if int(text) >= 4 else "bad"
    return None


def normalise_user(cell: str) -> str:
    return cell.strip().lower()


def is_resolved_state(status: str | None) -> bool:
    return status is not None and status.strip().lower() in RESOLVED_STATES
