"""The pack's cover: what its figures are of (the filters, the baseline, the roster, how fresh the
data is, who prepared it), so a printed copy says what it is of."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from analysis import metrics, roster_history
from analysis.orgs import Rollout
from analysis.words import day, moment, plain, use_apart_words


def cover_rows(
    rollout: Rollout, as_of: date, window: int, chosen, fresh: dict, who: str, now: datetime
) -> list[tuple[str, str]]:
    """The filters and the baseline the figures are computed with, how fresh the data is, and who
    prepared the pack, and a note when the as-of day sits on a few days of use apart from the rest."""
    start = as_of - timedelta(days=window - 1)
    live = " · ".join(f"{plain(c)}: go-live {day(d)}" for c, d in rollout.cohorts.items()) or "none yet"
    counted = ", ".join(map(plain, rollout.activities)) or "every activity except the old way"
    old = ", ".join(map(plain, rollout.legacy_activities)) or "none"
    filters = [f"categories {', '.join(map(plain, rollout.ticket_categories))}"] if rollout.ticket_categories else []
    if rollout.ticket_keywords:
        filters.append(f"subjects containing {', '.join(map(plain, rollout.ticket_keywords))}")
    load = f"{moment(fresh['last_load'])}" if fresh.get("last_load") else "none"
    roster = roster_history.date_on(fresh.get("roster_dates") or [], as_of)  # the roster the figures count
    return [
        ("As of", f"{day(as_of)} (end of day)"),
        ("Window", f"{window} days: {day(start)} to {day(as_of)}"),
        ("Cohorts", live),
        ("What counts as use", f"{counted}; the old way: {old}"),
        ("Tickets counted", " or ".join(filters) or "every ticket of the organisation"),
        ("Adoption target", f"{rollout.target_adoption:.0%} by day {rollout.target_age_days} after each go-live"),
        ("Baseline", _baseline_words(chosen)),
        ("Roster", f"dated {day(roster)}: the people licensed from that day" if roster else "none loaded yet"),
        (
            "Data",
            f"newest usage day {day(fresh.get('newest_usage_day'))} · newest ticket day "
            f"{day(fresh.get('newest_ticket_day'))} · last load {load}",
        ),
        *_apart_row(fresh, as_of),
        ("Prepared", f"by {plain(who)} on {moment(now)}"),
    ]


def _apart_row(fresh: dict, as_of: date) -> list[tuple[str, str]]:
    """A cover row when the as-of date sits on a few days that stand apart (analysis.metrics.use_apart)."""
    apart = metrics.use_apart(fresh, as_of)
    return (
        [("Note", f"{use_apart_words(apart, fresh.get('newest_usage_day'))} The figures follow the newest day.")]
        if apart
        else []
    )


def _baseline_words(chosen) -> str:
    if chosen is None:
        return "none (the rollout has no go-live yet)"
    window = f"{day(chosen.start)} to {day(chosen.end)} ({chosen.days} days)"
    if chosen.locked:
        when = f" on {day(chosen.locked_at)}" if chosen.locked_at else ""
        return f"'{plain(chosen.name)}', locked by {plain(chosen.locked_by or 'unknown')}{when}: {window}"
    return f"computed from the data over the baseline window, {window}"
