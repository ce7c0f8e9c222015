"""Parsing of single cells: dates, timestamps, counts, flags, ratings. Each returns a value or
raises ValueError with a reason a person can act on."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

MISSING = {"", "?", "na", "n/a", "null", "none", "-"}
TRUE_WORDS = {"true", "yes", "1", "y"}
FALSE_WORDS = {"false", "no", "0", "n"}
RESOLVED_STATES = {"resolved", "closed", "completed", "complete", "done", "solved", "cancelled", "canceled"}

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


# -- dates as exports write them --------------------------------------------------------------------
# Each date column is read by a DateReader. The order of day and month in d/m/y values is decided
# per column from its values (a first number over 12 means day first, a second over 12 month
# first), never guessed; each distinct value is parsed once (files repeat their dates a lot).

_NUMERIC = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})"
    r"(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?"
)
_NAMED = re.compile(
    r"(\d{1,2})[/ -]([A-Za-z]{3,9})\.?[/ -](\d{4}|\d{2})"  # 14/Jul/25 3:42 PM
    r"(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?"
)
_YMD = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_EPOCH = re.compile(r"\d{9,10}|\d{12,13}")  # seconds or milliseconds since 1970, UTC
_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
EXAMPLES = "2025-07-14, 2025-07-14 15:42, 14/07/2025, 14/Jul/25 3:42 PM or epoch seconds"
DAY_FIRST, MONTH_FIRST, EITHER, AMBIGUOUS, MIXED = "day first", "month first", "either", "ambiguous", "mixed"


def date_order(cells: Iterable[str]) -> tuple[str, str | None, str | None]:
    """How the d/m/y values among cells are written: (order, an example, a counter-example).

    DAY_FIRST or MONTH_FIRST when a value proves it and none contradicts it; MIXED when values
    prove both; AMBIGUOUS when values such as 03/04/2025 could be read both ways and none decides;
    EITHER when there is nothing to decide (no d/m/y values, or only ones like 05/05/2025).
    """
    day = month = unsure = None
    for cell in cells:
        match = _NUMERIC.fullmatch(cell.strip()) if cell else None
        if match is None:
            continue
        a, b = int(match.group(1)), int(match.group(2))
        if a > 12 >= b:
            day = day or cell.strip()
        elif b > 12 >= a:
            month = month or cell.strip()
        elif a != b and a <= 12 and b <= 12:
            unsure = unsure or cell.strip()
    if day and month:
        return MIXED, day, month
    if day or month:
        return (DAY_FIRST, day, None) if day else (MONTH_FIRST, month, None)
    return (AMBIGUOUS, unsure, None) if unsure else (EITHER, None, None)


def _clock(hour, minute, second, ampm=None) -> tuple[int, int, int]:
    h, m, s = int(hour or 0), int(minute or 0), int(second or 0)
    if ampm:
        if not 1 <= h <= 12:
            raise ValueError("hour")
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    return h, m, s


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        return year + (2000 if year < 70 else 1900)
    return year


class DateReader:
    """Reads one date column's cells as naive local times in the organisation's zone tz.

    A value with a zone (Z, +01:00) is converted; one without is local time, or UTC when utc is
    set (a column marked UTC) and for epoch values. d/m/y values are read day first when dayfirst
    is true, month first when false; when it is None only values that read the same both ways are
    accepted. A value after `latest` is refused as a date in the future.
    """

    def __init__(self, tz: ZoneInfo, dayfirst: bool | None = None, latest: datetime | None = None, utc: bool = False):
        self.tz, self.dayfirst, self.latest, self.utc = tz, dayfirst, latest, utc
        self._cache: dict[str, datetime | ValueError] = {}

    def __call__(self, cell: str) -> datetime:
        value = self._cache.get(cell)
        if value is None:
            try:
                value = self._read(cell.strip())
            except ValueError as exc:
                value = exc
            except (OverflowError, OSError):  # dates at the ends of the calendar
                value = ValueError(f"{cell.strip()!r} is not a plausible date")
            self._cache[cell] = value
        if isinstance(value, ValueError):
            raise value
        return value

    def _read(self, text: str) -> datetime:
        value = self._parse(text)
        if value.year < 1901:
            raise ValueError(f"{text!r} is not a plausible date (before 1901)")
        if value.tzinfo is None and self.utc:
            value = value.replace(tzinfo=UTC)
        if value.tzinfo is not None:
            value = value.astimezone(self.tz).replace(tzinfo=None)
        if self.latest is not None and value > self.latest:
            raise ValueError(
                f"{text!r} is in the future (more than a day after this load): check the date and its format"
            )
        return value

    def _parse(self, text: str) -> datetime:
        if _DATE.match(text):  # ISO 8601, the common case
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                reason = (
                    "is not a real date"
                    if _DATE.fullmatch(text)
                    else f"is not a date and time (expected e.g. {EXAMPLES})"
                )
                raise ValueError(f"{text!r} {reason}") from None
        try:
            if match := _NUMERIC.fullmatch(text):
                a, b, year, *clock = match.groups()
                if self.dayfirst is None and a != b and int(a) <= 12 and int(b) <= 12:
                    raise ValueError(f"{text!r} could be day-first or month-first")
                day, month = (a, b) if self.dayfirst in (True, None) else (b, a)
                return datetime(_year(year), int(month), int(day), *_clock(*clock))
            if (match := _NAMED.fullmatch(text)) and match.group(2)[:3].lower() in _MONTHS:
                day, name, year, *clock = match.groups()
                return datetime(_year(year), _MONTHS[name[:3].lower()], int(day), *_clock(*clock))
            if match := _YMD.fullmatch(text):
                year, month, day, *clock = match.groups()
                return datetime(int(year), int(month), int(day), *_clock(*clock))
            if _EPOCH.fullmatch(text):
                seconds = int(text) / (1000 if len(text) > 11 else 1)
                return datetime.fromtimestamp(seconds, UTC)
        except (ValueError, OverflowError, OSError) as exc:
            if "could be" in str(exc):
                raise
            raise ValueError(f"{text!r} is not a real date") from None
        raise ValueError(f"{text!r} is not a date (expected e.g. {EXAMPLES})")


def future_limit(tz: ZoneInfo, now: datetime | None = None) -> datetime:
    """The latest time a loaded date may have: one day after the load, in the organisation's zone."""
    now = now or datetime.now(UTC)
    return now.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)


# Likert words (a Microsoft Forms Likert question, a Google Forms grid) as scores 1..5
LIKERT = {
    "strongly disagree": 1,
    "disagree": 2,
    "neutral": 3,
    "neither agree nor disagree": 3,
    "agree": 4,
    "strongly agree": 5,
}


def parse_score(text: str) -> int | None:
    """1..5 from a number ("4", "4.0") or a Likert word; None when empty."""
    text = " ".join(text.strip().lower().split())
    if not text or is_missing(text):
        return None
    if text in LIKERT:
        return LIKERT[text]
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a score from 1 to 5") from None
    if number != int(number) or not 1 <= number <= 5:
        raise ValueError(f"{text!r} is not a score from 1 to 5 (a whole number)")
    return int(number)
