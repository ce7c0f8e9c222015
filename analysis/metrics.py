"""Adoption metrics (docs/metrics.md#adoption-metrics), per cohort of a rollout.

Notation: cohort c with go-live g(c), as-of date d, window w days = [d - w + 1, d].
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis import kept_figures, person_facts, roster_history, settings, words
from analysis.orgs import Rollout
from analysis.scope import Scope

# The COHORT block of the kpis JSON (docs/operations.md#the-kpis-json), in its order (kpis --json prints
# exactly these).
COHORT_KEYS = (
    "go_live",
    "licensed_users",
    "active_users",
    "adoption_rate",
    "activated_users",
    "activation_rate",
    "median_days_to_first_use",
    "lapsed_users",
    "legacy_users",
    "never_used",
    "habitual_users",
)
CARD_KEYS = COHORT_KEYS[:7]  # what cohort_kpis returns (the Overview's cards)


def _ratio(part: int, whole: int) -> float | None:
    return None if not whole else part / whole


def default_as_of(scope: Scope, rollout: Rollout) -> date | None:
    """The latest date on which one of the rollout's people had a counting or legacy event (None:
    no usage yet). Its people: those on its current roster (everyone while it has no roster),
    never people marked out of scope, so a late event of an administrator account not on the
    roster does not move every page to that day."""
    value = freshness(scope, rollout)["newest_usage_day"]
    return value


def _as_python(value):
    """A freshness column's value that is not a day: the last load's time, or a count."""
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else int(value)


def use_apart(fresh: dict, as_of: date | None) -> dict | None:
    """When a few days of use stand apart from the rest (under 1 % of the person-days, after more
    than 90 days without any: analysis/queries/data_freshness.sql) and the view is as of one of them,
    as the default as-of date is: {"from": their first day, "before": the last day of use before the
    gap, "gap": the days between, "person_days": their person-days, "of": all person-days}; else None.

    Example (the real Moodle course of tests/test_realdata.py): used from Feb to 25 Sep 2019, then 3
    person-days in 2021 (2 Mar and 17 Oct) of 603 -> from 2 Mar 2021, before 25 Sep 2019, gap 524 days.
    """
    start, before = fresh.get("apart_from_day"), fresh.get("apart_before_day")
    if start is None or before is None or as_of is None or as_of < start:
        return None
    few, every = fresh.get("apart_person_days") or 0, fresh.get("usage_person_days") or 0
    return {"from": start, "before": before, "gap": (start - before).days, "person_days": few, "of": every}


def default_day(fresh: dict) -> date | None:
    """The default as-of date from freshness(): the newest usage day of the rollout's people
    (default_as_of), else the newest ticket day; None when there is neither.

    Example: roster people used it up to 2025-02-10, an admin not on the roster on 2029-06-01,
    tickets to 2025-03-01 -> 2025-02-10; no roster usage but tickets to 2025-03-01 -> 2025-03-01.
    """
    return fresh.get("newest_usage_day") or fresh.get("newest_ticket_day")


def as_of_range(fresh: dict) -> tuple[date, date] | None:
    """Where the as-of date may be set: from the oldest to the newest day of the organisation's
    usage and tickets (both, so tickets older than any usage can be looked at), always including
    the default day. None when there is no data.

    Example: usage 2024-09-01 .. 2025-02-10, tickets 2012-03-05 .. 2025-03-01 -> (2012-03-05, 2025-03-01).
    """
    days = [d for d in (fresh.get("oldest_data_day"), fresh.get("newest_data_day"), default_day(fresh)) if d]
    return (min(days), max(days)) if days else None


def freshness(scope: Scope, rollout: Rollout | None = None) -> dict:
    """Newest usage day (of the rollout's people: see default_as_of), oldest usage day, newest and
    oldest ticket day, the oldest and newest day of all the organisation's usage and tickets, the
    last load time (None if none), and roster_dates, the dates of the rollout's rosters."""
    found = (
        kept_figures.df(scope, rollout, "data_freshness") if rollout else scope.df("data_freshness", rollout_id=None)
    )
    row = found.iloc[0]
    fresh = {k: None if pd.isna(v) else v.date() if k.endswith("_day") else _as_python(v) for k, v in row.items()}
    # the dates of the rollout's rosters (docs/metrics.md#roster-history): the caption names the one a view counts
    fresh["roster_dates"] = roster_history.roster_dates(scope, rollout) if rollout else []
    return fresh


# The period each figure needs usage data for, in days (docs/metrics.md#figures-from-snapshot-exports): a figure
# whose period is shorter than the spacing of the snapshot exports behind it is not computable.
SNAPSHOT_PERIODS = {
    "weekly_active_users": 7,
    "adoption_by_age": 7,
    "department_weekly_adoption": 7,
    "habitual_users": 7,
    "DECLINING_USAGE": 7,
    "stickiness": 1,
}
NOT_COMPUTABLE = "Not computable from this data"
_FIGURE_NAMES = {
    "weekly_active_users": "weekly active people",
    "adoption_by_age": "7-day adoption",
    "department_weekly_adoption": "weekly adoption by department",
    "habitual_users": "habitual use",
    "DECLINING_USAGE": "declining weekly use",
    "stickiness": "stickiness (daily use)",
}


def usage_snapshots(scope: Scope, rollout: Rollout) -> list[date]:
    """The refresh dates of the snapshot exports (Microsoft 365 reports) behind the rollout's
    counting activities, oldest first; empty when its usage is event-level."""
    frame = scope.df("usage_snapshots", rollout_id=rollout.rollout_id)
    return [pd.Timestamp(s).date() for s in frame["snapshot"]]


def not_computable(scope: Scope, rollout: Rollout) -> dict[str, str]:
    """figure -> why it is not computable from this data, for each figure of SNAPSHOT_PERIODS
    whose period is shorter than the spacing of the rollout's snapshot exports (the longest gap
    between two consecutive refresh dates; a single snapshot has no spacing: it gives each
    person's last activity date, not a history). Empty for event-level usage.

    Example: monthly snapshots refreshed 2025-05-31, 06-30 and 07-31 are up to 31 days apart:
    weekly active people (7 days), habitual use (weekly), DECLINING_USAGE and stickiness (daily)
    are not computable; weekly snapshots 7 days apart leave only stickiness not computable.
    """
    snapshots = usage_snapshots(scope, rollout)
    if not snapshots:
        return {}
    if len(snapshots) == 1:
        source = (
            f"a single snapshot (refreshed {words.day(snapshots[0])}), which gives each person's last "
            "activity date, not a history"
        )
        spacing = None
    else:
        spacing = max((b - a).days for a, b in zip(snapshots, snapshots[1:]))
        source = (
            f"{len(snapshots)} snapshots ({words.day(snapshots[0])} to {words.day(snapshots[-1])}) up to "
            f"{spacing} days apart"
        )
    return {
        figure: f"{NOT_COMPUTABLE}: the usage behind {_FIGURE_NAMES[figure]} comes from {source}; it needs "
        f"snapshots at most {days} day{'s' if days > 1 else ''} apart or event-level data."
        for figure, days in SNAPSHOT_PERIODS.items()
        if spacing is None or spacing > days
    }


def snapshot_adoption(scope: Scope, rollout: Rollout, as_of: date, window_days: int | None = None) -> pd.DataFrame:
    """What snapshot exports do tell: per cohort (and 'all') and refresh date up to as_of, the
    adoption rate of the w-day window ending on that date (exact there, since each snapshot
    gives every person's last activity date). Columns cohort, snapshot, active_users,
    licensed_users, adoption (None when nobody is licensed). Empty for event-level usage.

    Example: champions {ann, ben, cat}; snapshot 2025-07-31 with last use ann 07-30, ben 07-01:
    w = 28 (07-04..07-31) -> 1 of 3.
    """
    window = window_days or rollout.window_days
    rows = []
    for day in usage_snapshots(scope, rollout):
        if day > as_of:
            break
        frame = scope.df("cohort_kpis", **person_facts.params(scope, rollout, day, window))
        rows += [
            (
                r.cohort,
                day,
                int(r.active_users),
                int(r.licensed_users),
                _ratio(int(r.active_users), int(r.licensed_users)),
            )
            for r in frame.itertuples()
        ]
    return pd.DataFrame(rows, columns=["cohort", "snapshot", "active_users", "licensed_users", "adoption"])


def cohort_kpis(scope: Scope, rollout: Rollout, as_of: date, window_days: int | None = None) -> dict[str, dict]:
    """cohort -> {go_live, licensed_users, active_users, adoption_rate, activated_users,
    activation_rate, median_days_to_first_use} (the KPI cards), with the cohort 'all' last;
    cohort_figures defines each and adds the rest of the COHORT block."""
    return {
        cohort: {k: figures[k] for k in CARD_KEYS}
        for cohort, figures in cohort_figures(scope, rollout, as_of, window_days).items()
    }


def cohort_figures(scope: Scope, rollout: Rollout, as_of: date, window_days: int | None = None) -> dict[str, dict]:
    """cohort -> the COHORT figures (COHORT_KEYS) plus `stickiness`, with the cohort 'all' last.

    - licensed_users: licensed people of the cohort on the current roster.
    - active_users: of those, people with >= 1 counting event in [d - w + 1, d] (use before
      go-live counts here).
    - adoption_rate = active_users / licensed_users (None when no one is licensed).
    - activated_users: people with >= 1 counting event in [g(c), d];
      activation_rate = activated_users / licensed_users.
    - median_days_to_first_use: median over activated people of (first counting day >= g(c)) - g(c).
    - lapsed_users: people with a counting event in [g(c), d - w] and none in [d - w + 1, d].
    - legacy_users: people with a legacy event in [d - 13, d] (whatever the window).
    - never_used: people with no counting event at all up to d (not even before go-live).
    - habitual_users: people with a counting event in >= 9 of the 12 ISO weeks ending with d's
      week (that week counting up to d); None while d - g(c) < 84. For 'all': the sum over the
      cohorts, None while any cohort of the rollout is under 84 days.
    - stickiness: (sum over the w days of the window of the people active that day) / w /
      active_users, i.e. mean DAU / active people (DAU/MAU); None when active_users = 0.
    'all' measures each person from their own cohort's go-live. habitual_users and stickiness
    are None where not_computable() says the rollout's snapshot exports are too far apart.

    Worked example: champion (go-live 2025-01-06) = {a, b, c, d}; a used it on 01-03 only, b on
    01-07, c on 01-20; d never. As of 2025-01-31 with w = 28 (window 01-04..01-31): active = {b, c}
    -> adoption 0.5; activated = {b, c} (a's use came before go-live) -> 0.5; days to first use
    1 and 14, median 7.5; lapsed 0; never_used {d} = 1; habitual None (age 25 < 84); stickiness
    = (1 + 1) person-days / 28 days / 2 active = 1/28.
    """
    window = window_days or rollout.window_days
    unknowable = not_computable(scope, rollout)
    frame = scope.df("cohort_kpis", **person_facts.params(scope, rollout, as_of, window))
    result = {}
    for _, row in frame.iterrows():
        licensed = int(row["licensed_users"])
        active = int(row["active_users"])
        activated = int(row["activated_users"])
        result[row["cohort"]] = {
            "go_live": None if pd.isna(row["go_live"]) else row["go_live"].date().isoformat(),
            "licensed_users": licensed,
            "active_users": active,
            "adoption_rate": _ratio(active, licensed),
            "activated_users": activated,
            "activation_rate": _ratio(activated, licensed),
            "median_days_to_first_use": _float(row["median_days_to_first_use"]),
            "lapsed_users": int(row["lapsed_users"]),
            "legacy_users": int(row["legacy_users"]),
            "never_used": int(row["never_used"]),
            "habitual_users": None
            if pd.isna(row["habitual_users"]) or "habitual_users" in unknowable
            else int(row["habitual_users"]),
            "stickiness": None if "stickiness" in unknowable else _float(row["stickiness"]),
        }
    return result


def _float(value) -> float | None:
    return None if pd.isna(value) else float(value)


def weekly_active_users(scope: Scope, rollout: Rollout, as_of: date, start: date | None = None) -> pd.DataFrame:
    """weekly_active_users: per cohort (and 'all') and ISO week (Monday start), the licensed
    people of the cohort with >= 1 counting event in the week. Columns cohort, go_live,
    week_start, week_end, complete (the week ends on or before as_of; the last week counts up
    to as_of only), active_users, licensed_users, active_share (None when nobody is licensed).
    Weeks run from start's week (default: 28 days before the first go-live) to as_of's week,
    weeks with nobody active included as 0.

    Example: champions {a, b, c, d}; a uses it on Mon 2025-01-06 and Sun 01-12, b on Mon 01-13.
    Week of 01-06: {a} -> 1 (0.25); week of 01-13: {b} -> 1; a person counts once a week.
    """
    start = start or settings.chart_start(rollout, as_of)
    return kept_figures.df(scope, rollout, "weekly_active_users", as_of=as_of, start=start)


def department_kpis(scope: Scope, rollout: Rollout, as_of: date, window_days: int | None = None) -> pd.DataFrame:
    """Per department and cohort (cohort 'all' = the department's people of every cohort):
    licensed_users, active_users, adoption_rate, activated_users, activation_rate, lapsed_users,
    never_used, each as cohort_kpis defines it. A department x cohort pair with no licensed
    people has no row, so the rates are never null. Small groups are not folded here: a client
    view folds groups under 5 people before showing them (docs/user-guide.md#privacy-in-client-views).

    Example: IT = {a, b} (champion), Sales = {c, d} (champion) and {e} (wider); active a, c, e:
    IT champion 1/2 = 0.5, Sales champion 1/2, Sales wider 1/1, Sales all 2/3.
    """
    return scope.df("department_kpis", **person_facts.params(scope, rollout, as_of, window_days or rollout.window_days))


def department_weekly_adoption(
    scope: Scope, rollout: Rollout, as_of: date, start: date | None = None, cohort: str | None = None
) -> pd.DataFrame:
    """A department x ISO-week table for a heatmap: per department and week (Monday start), the
    share of the department's licensed people (of one cohort, or every cohort when None) with a
    counting event in that week. Columns department, week_start, active_users, licensed_users,
    adoption. Weeks as weekly_active_users.

    Example: Sales = {c, d, e}; c uses it in the week of 01-13, c and e in the week of 01-20:
    Sales 01-13 -> 1/3, 01-20 -> 2/3.
    """
    start = start or settings.chart_start(rollout, as_of)
    return kept_figures.df(scope, rollout, "department_weekly_adoption", as_of=as_of, start=start, cohort=cohort)


def adoption_funnel(scope: Scope, rollout: Rollout, as_of: date, window_days: int | None = None) -> pd.DataFrame:
    """The funnel per cohort (and 'all'): step 1 `licensed` (licensed people), 2 `activated`,
    3 `active` (activated and active in the window), 4 `habitual` (activated, active and
    habitual; None while habitual_users is None). Columns cohort, step, stage, people,
    share_of_licensed (None when nobody is licensed).

    Example: champions {a, b, c, d}, as of 2025-01-31, w = 28: a used it before go-live only,
    b and c after, d never -> licensed 4, activated 2 (b, c), active 2, habitual None (age 25).
    The habitual step is None too where not_computable() says so (snapshot exports).
    """
    frame = scope.df(
        "adoption_funnel", **person_facts.params(scope, rollout, as_of, window_days or rollout.window_days)
    )
    if "habitual_users" in not_computable(scope, rollout):
        frame["people"] = frame["people"].astype("object").where(frame["stage"] != "habitual", None)
    return frame


def adoption_people(
    scope: Scope, rollout: Rollout, as_of: date, window_days: int | None = None, status: str | None = None
) -> pd.DataFrame:
    """The licensed people with their adoption facts: user_id, display_name, department,
    cohort, go_live, first_use (first counting day on or after go-live), last_use (last counting
    day up to as_of, before go-live included), days_to_first_use, active_days (in the window),
    active_weeks (of the 12 habit weeks) and the flags active, activated, lapsed, never_used,
    legacy, habitual (None under 84 days), as cohort_kpis defines them. status 'lapsed',
    'never_used' or 'activated' keeps only those people."""
    if status not in (None, "lapsed", "never_used", "activated"):
        raise ValueError(f"unknown status {status!r}")
    return scope.df(
        "adoption_people",
        **person_facts.params(scope, rollout, as_of, window_days or rollout.window_days),
        status=status,
    )


PEOPLE_LIST_COLUMNS = ["user_id", "display_name", "department", "cohort", "last_use"]


def lapsed_people(scope: Scope, rollout: Rollout, as_of: date, window_days: int | None = None) -> pd.DataFrame:
    """The lapsed people by name (user_id, display_name, department, cohort, last_use): a
    counting event in [g(c), d - w] and none in the window. Show to client leadership only where
    the organisation allows named lists.

    Example: as of 2025-02-10, w = 28 (window 01-14..02-10), champion b used it on 01-07 only ->
    b, last_use 2025-01-07. a (01-03, before go-live only) is not lapsed.
    """
    return adoption_people(scope, rollout, as_of, window_days, "lapsed")[PEOPLE_LIST_COLUMNS]


def never_used_people(scope: Scope, rollout: Rollout, as_of: date, window_days: int | None = None) -> pd.DataFrame:
    """The licensed people with no counting event at all up to as_of (same columns as
    lapsed_people; last_use is always empty). Example: champion d of the tiny set."""
    return adoption_people(scope, rollout, as_of, window_days, "never_used")[PEOPLE_LIST_COLUMNS]


def days_to_first_use(scope: Scope, rollout: Rollout, as_of: date) -> pd.DataFrame:
    """days_to_first_use per activated person (for a distribution chart): user_id, display_name,
    department, cohort, go_live, first_use, days_to_first_use = first_use - go_live in days.

    Example: champions go live 2025-01-06; b first uses it on 01-07 (1 day), c on 01-20 (14).
    """
    frame = adoption_people(scope, rollout, as_of, None, "activated")
    return frame[
        ["user_id", "display_name", "department", "cohort", "go_live", "first_use", "days_to_first_use"]
    ].reset_index(drop=True)


def rolling_adoption(scope: Scope, rollout: Rollout, as_of: date) -> pd.DataFrame:
    """Per cohort and calendar day: the share of the cohort's licensed people with a counting
    event in the 7 days ending that day (columns cohort, day, go_live, age_days, active_7d,
    licensed_users, adoption). Starts 28 days before the first go-live."""
    return kept_figures.df(scope, rollout, "rolling_adoption", as_of=as_of, start=settings.chart_start(rollout, as_of))


def adoption_by_age(scope: Scope, rollout: Rollout, as_of: date) -> pd.DataFrame:
    """adoption_by_age: for each cohort that is live by as_of and age k = 0 .. d - g(c), the
    share of L(c) with a counting event in [g(c)+k-6, g(c)+k], so cohorts compare at one age.

    Example: a cohort of 4 going live on 2025-01-06; one person uses it on 01-06 and again on
    01-14: ages 0..6 -> 0.25, age 7 (window 01-07..01-13) -> 0.0, age 8 (01-08..01-14) -> 0.25.
    """
    frame = rolling_adoption(scope, rollout, as_of)
    return frame[frame["age_days"] >= 0].reset_index(drop=True)
