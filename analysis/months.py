"""Calendar months: moving a day back by whole months (the quarterly comparison, retention)."""

from __future__ import annotations

import calendar
from datetime import date


def months_back(d: date, months: int) -> date:
    """d moved back by whole calendar months, to the month's last day when it is shorter.
    Examples: 15 Nov 2026, 3 -> 15 Aug 2026; 31 May 2026, 3 -> 28 Feb 2026; 29 Feb 2028, 12 -> 28 Feb 2027."""
    year, month = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))
