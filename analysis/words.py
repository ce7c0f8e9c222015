"""Numbers and names in words, as the app's cards, the red flags, the report pack and the command
line print them. Streamlit-free, so analysis/ and ui/ both import it (one wording everywhere)."""

from __future__ import annotations

import re
from datetime import date, datetime

from analysis.exports import neutralise


def pct(value: float | None) -> str:
    """A share as a whole per cent; n/a for None or NaN. Example: 0.756 -> "76%"."""
    return "n/a" if value is None or value != value else f"{value:.0%}"


def hours(value: float | None) -> str:
    """Hours, as days from 48 h. Example: 5.25 -> "5.2 h"; 60 -> "2.5 days"."""
    if value is None or value != value:
        return "n/a"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def number(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None or value != value else f"{value:,.{digits}f}"


def plural(count: int, one: str, many: str | None = None) -> str:
    """A count and its noun. Example: (1, "red flag") -> "1 red flag"; (2_067, "row") -> "2,067 rows"."""
    return f"{count:,} {one if count == 1 else many or one + 's'}"


def day(value: date | None) -> str:
    """The one way a date is shown to people (pages, report pack, messages; CSV and JSON keep
    ISO). Example: date(2026, 12, 4) -> "4 Dec 2026"; None -> "none"."""
    if value is None or value != value:  # None, NaT
        return "none"
    return f"{value.day} {value:%b %Y}"


def moment(value: datetime | None) -> str:
    """A time of day shown to people: datetime(2026, 12, 4, 7, 20) -> "4 Dec 2026 07:20"."""
    return "none" if value is None or value != value else f"{day(value)} {value:%H:%M}"


def cohort_label(cohort: str) -> str:
    """A cohort's heading: "all" -> "All licensed people", "wider" -> "Wider cohort"."""
    return "All licensed people" if cohort == "all" else f"{cohort.capitalize()} cohort"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\s]+")


def plain(value: object) -> str:
    """A string from the data as one plain line: control characters (which XML cannot hold, and
    the bidirectional overrides that make text read backwards) and runs of white space become one
    space, and a leading =, +, -, @ is neutralised."""
    return neutralise(_CONTROL.sub(" ", str(value)).strip())


def label(value: object) -> str:
    """value as a Plotly label that shows its < > & instead of reading them as tags."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def use_apart_words(apart: dict, newest: date | None) -> str:
    """The sentence that says the newest use stands apart (analysis.metrics.use_apart), as the
    rollout pages and the report pack's cover say it. Example (tests/test_use_apart.py): "The newest
    use stands apart from the rest: 1 person-day of 201 from 10 Jul 2025 to 10 Jul 2025, after 91
    days with no use at all; the rest ends on 10 Apr 2025." """
    return (
        f"The newest use stands apart from the rest: {plural(apart['person_days'], 'person-day')} "
        f"of {apart['of']:,} from {day(apart['from'])} to {day(newest)}, after "
        f"{apart['gap']:,} days with no use at all; the rest ends on {day(apart['before'])}."
    )
