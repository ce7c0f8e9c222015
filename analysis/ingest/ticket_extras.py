"""The helpdesk figures an export carries beside its timestamps (docs/metrics.md#support-metrics):
whether a ticket met its SLA, and durations the tool measured itself (calendar resolution time,
resolution time within business hours). Read as analysis/ingest/ticket_values.py reads any
ticket cell: a bad cell is refused with its row and column.

Durations arrive in seconds (ServiceNow `calendar_stc`, `business_stc`; its raw duration fields
`calendar_duration`/`business_duration` as a time after 1970-01-01 00:00:00, e.g. `1970-01-02
01:00:00` = 25 h) or in minutes (Zendesk, turned into seconds by the format's transform)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from analysis import values
from analysis.ingest.rows import RowError

_NUMBER = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?")  # 102197, 102,197, 102197.5
_SINCE_1970 = re.compile(r"1970-01-\d{2} \d{2}:\d{2}:\d{2}")
_LONGEST = 10**10  # seconds (317 years): more is not a ticket's duration


def parse_sla(field: str, text: str) -> bool | None:
    """True (true, yes, 1, y, met, achieved), False (false, no, 0, n, breached, missed) or None
    (missing)."""
    if values.is_missing(text):
        return None
    word = text.strip().lower()
    if word in values.TRUE_WORDS | {"met", "achieved"}:
        return True
    if word in values.FALSE_WORDS | {"breached", "missed"}:
        return False
    raise RowError(field, f"{text.strip()!r} is not true or false (SLA met?)")


def parse_seconds(field: str, text: str) -> int | None:
    """A duration in microseconds (as first_response_minutes is stored), from seconds or from a
    ServiceNow duration written as a time after 1970-01-01; None when missing."""
    if values.is_missing(text):
        return None
    cell = text.strip()
    if _SINCE_1970.fullmatch(cell):
        try:
            since = datetime.fromisoformat(cell) - datetime(1970, 1, 1)
        except ValueError:
            raise RowError(field, f"{cell!r} is not a duration") from None
        return since // timedelta(microseconds=1)
    if not _NUMBER.fullmatch(cell):
        raise RowError(field, f"{cell!r} is not a number of seconds")
    seconds = float(cell.replace(",", ""))
    if seconds >= _LONGEST:
        raise RowError(field, f"{cell!r} is not a plausible number of seconds")
    return round(seconds * 10**6)


def minutes_as_seconds(cell: str) -> str:
    """A format's transform: a number of minutes (Zendesk) as seconds; missing stays missing."""
    if values.is_missing(cell):
        return ""
    text = cell.strip()
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{text!r} is not a number of minutes")
    return f"{float(text.replace(',', '')) * 60:.3f}"
