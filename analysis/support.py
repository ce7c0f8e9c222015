"""Support metrics (docs/metrics.md#support-metrics), for the tickets in a rollout's scope.

Tickets in scope: every ticket of the organisation that passes the rollout's ticket filter,
whoever raised it. The filter (rollouts.ticket_categories, rollouts.ticket_keywords, compared
case-insensitively) lets a ticket through when its `category` is one of the categories OR its
`subject` contains one of the keywords; with both lists empty every ticket is in scope.
A requester is matched to the rollout's current roster by user_id, else by display name
(case-insensitive) when exactly one person on the roster has that name; an unmatched ticket
counts in every total but in no cohort.

Timestamps are the organisation's local time; "a day" is a calendar date in it. Notation: as-of
date d, window w days = [d - w + 1, d]; tickets created after d are ignored. A ticket is
resolved at resolved_at; an approximate resolution (resolved_approx) counts as resolved
everywhere except in durations.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from analysis import kept_figures, settings
from analysis.orgs import Rollout
from analysis.scope import Scope

# The support block of the kpis JSON (docs/operations.md#the-kpis-json), in its order (kpis --json prints
# exactly these).
SUPPORT_KEYS = (
    "tickets",
    "tickets_per_100_users_7d",
    "median_resolution_hours",
    "p90_resolution_hours",
    "backlog",
    "reopen_rate",
    # helpdesk figures (issue 16 part 4)
    "median_first_response_hours",
    "p90_first_response_hours",
    "resolved_per_opened",
    "satisfaction",
    "rated_tickets",
    "sla_met_share",
    "median_business_resolution_hours",
)


def _first_row(frame: pd.DataFrame) -> dict:
    """The first row as plain Python values: int for integer columns, float or None otherwise
    (a row taken with .iloc[0] would turn every count into a float)."""
    row: dict[str, int | float | None] = {}
    for column in frame.columns:
        value = frame[column].iloc[0]
        if pd.isna(value):
            row[column] = None
        elif pd.api.types.is_integer_dtype(frame[column]):
            row[column] = int(value)
        else:
            row[column] = float(value)
    return row


def support_kpis(scope: Scope, rollout: Rollout, as_of: date, window_days: int | None = None) -> dict:
    """The support figures as of the end of d with a window of w days (default the rollout's):

    - `tickets`: tickets in scope created in [d - w + 1, d].
    - `tickets_per_100_users_7d`: 100 x tickets created in [d - 6, d] / the rollout's licensed
      people (all cohorts); None when nobody is licensed.
    - `resolution_hours` of a ticket = resolved_at - created_at, in hours; None for an
      approximate resolution. `median_resolution_hours` and `p90_resolution_hours`: continuous
      quantiles (linear interpolation, as DuckDB quantile_cont) over the tickets resolved in the
      window (resolved_at's date in [d - w + 1, d], whenever created) that have a duration;
      None when there are none.
    - `backlog`: tickets created on or before d and not resolved by the end of d (resolved_at
      null or after d; approximate resolutions count as resolved at their time).
    - `reopen_rate`: tickets resolved in the window with reopened > 0 / tickets resolved in
      the window (approximate resolutions included); None when none was resolved.
    - `median_first_response_hours`, `p90_first_response_hours`: continuous quantiles of
      first_response_at - created_at, in hours, over the tickets first responded to in the window.
    - `resolved_per_opened`: tickets resolved in the window / tickets created in it (the
      resolved may be older); None when none was created.
    - `sla_met_share`: of the tickets resolved in the window whose export says whether they met
      their SLA (ServiceNow made_sla), the share that did; None when none says (`sla_tickets`).
    - `median_business_resolution_hours`: median of the resolution time within business hours
      the export gives (ServiceNow business_stc, Zendesk's business-hours full resolution) over
      the tickets resolved in the window that carry one (`business_timed_resolutions`).
    - `satisfaction`: of the tickets resolved in the window that are rated, the share rated
      good (4-5 or "good"); None when none is rated.
    - counts behind them: tickets_7d, licensed_users, resolved_tickets (in the window),
      timed_resolutions (those with a duration), reopened_tickets, responded_tickets, rated_tickets.

    Worked example: 4 licensed people; as of 2025-02-10, w = 28 (window 01-14..02-10).
    T1 created 02-03 09:00, resolved 02-03 11:00 (2 h), reopened once, rated good;
    T2 created 02-09 09:00, resolved 02-10 09:00 (24 h), rated bad;
    T3 created 02-09 10:00, status closed with no resolution time (approximate, on 02-10);
    T4 created 02-10 08:00, open. Then tickets = 4; tickets_per_100_users_7d = 100 x 3 / 4 =
    75.0 (T2, T3, T4 fall in 02-04..02-10, T1 does not); resolved in the window: T1, T2, T3 ->
    median of (2, 24) = 13.0, p90 = 2 + 0.9 x 22 = 21.8 (T3 has no duration); backlog = {T4}
    = 1; reopen_rate = 1/3; satisfaction = 1/2.
    """
    window = window_days or rollout.window_days
    return _first_row(scope.df("support_kpis", rollout_id=rollout.rollout_id, as_of=as_of, window_days=window))


def weekly_tickets(scope: Scope, rollout: Rollout, as_of: date, start: date | None = None) -> pd.DataFrame:
    """tickets_per_100_users per ISO week (Monday start), for charts: per week from start's week
    (default: 28 days before the first go-live) to as_of's week, for 'all' (every ticket in
    scope / the rollout's licensed people x 100) and per cohort (tickets whose requester is in
    the cohort / the cohort's licensed people x 100; None when nobody is licensed). Columns
    cohort, week_start, complete (the week ended on or before as_of; the last one counts up to
    as_of), tickets, licensed_users, tickets_per_100_users. The denominators are today's roster.

    Example: champion 4 licensed, wider 2 (6 in all); in the week of 2025-02-03 a champion raises
    1 ticket, a wider person 1 and someone not on the roster 1: champion 100 x 1/4 = 25.0,
    wider 50.0, all 100 x 3/6 = 50.0.
    """
    start = start or settings.chart_start(rollout, as_of)
    return kept_figures.df(scope, rollout, "weekly_tickets", as_of=as_of, start=start)


def backlog_by_day(scope: Scope, rollout: Rollout, start: date, as_of: date) -> pd.DataFrame:
    """backlog at the end of each day from start to as_of (columns day, backlog), as
    support_kpis defines it. Example: T created 02-09 10:00 and resolved 02-10 09:00 is in the
    backlog of 02-09 only; a ticket still open is in every day's backlog from its creation."""
    return scope.df("backlog_by_day", rollout_id=rollout.rollout_id, start=start, as_of=as_of)


def top_categories(
    scope: Scope, rollout: Rollout, split: date, as_of: date, days: int | None = None, limit: int = 5
) -> pd.DataFrame:
    """The ticket categories before and after split (a go-live, say): `before` counts tickets in
    scope created in the `days` days before split (every earlier day when days is None), `after`
    those created from split to as_of. Columns category ('(none)' when missing), tickets_before,
    share_before, rank_before, tickets_after, share_after, rank_after; rows: every category in
    the top `limit` of either side, most tickets after split first.

    Example: before 02-03: Email 3, MFA 1; from 02-03: MFA 4, Email 1 -> MFA (1, 0.25, 2; 4,
    0.8, 1), Email (3, 0.75, 1; 1, 0.2, 2).
    """
    before_start = split - timedelta(days=days) if days else None
    return scope.df(
        "top_categories",
        rollout_id=rollout.rollout_id,
        split=split,
        as_of=as_of,
        before_start=before_start,
        limit=limit,
    )


def tickets(scope: Scope, rollout: Rollout, start: date, as_of: date) -> pd.DataFrame:
    """The tickets in scope created from start to as_of, with requester_user_id and
    requester_cohort (None: not matched to the roster), resolution_hours (None when open or
    approximate) and first_response_hours."""
    return scope.df("rollout_tickets", rollout_id=rollout.rollout_id, start=start, as_of=as_of)
