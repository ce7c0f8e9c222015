"""The date a roster load holds from (docs/metrics.md#roster-history): each roster load is a
snapshot dated "as of" a day, by default the day it is loaded, so a figure for a past day counts
the people licensed that day (the macros of analysis/queries/macros/1_roster.sql)."""

from __future__ import annotations

from datetime import date

from analysis import words
from analysis.files import FileRefused
from analysis.ingest.results import LoadResult


def checked(file_name: str, kind: str, as_of: date | None) -> date | None:
    """The roster's as-of day (today when not given); None for other kinds, which refuse one."""
    if kind != "roster":
        if as_of is not None:
            raise FileRefused(file_name, f"an as-of date is given with a roster load only, not a {kind} load")
        return None
    today = date.today()
    if as_of is None:
        return today
    if as_of > today:
        raise FileRefused(
            file_name,
            f"the roster is dated {words.day(as_of)}, after today: load it on that day or later "
            "(a roster says who is licensed from its date on)",
        )
    return as_of


def explain(cur, org_id: int, rollout_id: int, as_of: date, result: LoadResult) -> None:
    """A message saying which days the new roster decides, when the rollout has other dated
    rosters: from as_of up to the next dated roster, if any; the days before keep theirs."""
    dates = [
        row[0]
        for row in cur.execute(
            "SELECT dated_on FROM roster_snapshots(?, ?) WHERE dated_on <> ? ORDER BY dated_on",
            [org_id, rollout_id, as_of],
        ).fetchall()
    ]
    if not dates:
        return
    earlier = [d for d in dates if d < as_of]
    later = [d for d in dates if d > as_of]
    held = f"This roster holds from {words.day(as_of)}"
    held += f" until the roster dated {words.day(later[0])}" if later else ""
    held += (
        f"; days before it keep the roster dated {words.day(earlier[-1])}"
        if earlier
        else "; it is the earliest roster, so it also holds for the days before it"
    )
    result.messages.append(held)
