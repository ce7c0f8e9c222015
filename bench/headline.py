"""The peer of our metrics: the four headline adoption figures of docs/metrics.md#adoption-metrics
per cohort and for 'all' (adoption rate, activation rate, median days to first use, habitual
people), computed with pandas straight from the generated usage and roster CSVs. bench/run.py
times it against metrics.cohort_figures and checks that both give the same figures."""

from __future__ import annotations

from datetime import date

import pandas as pd

from bench.generate import COHORTS, LEGACY

KEYS = ("adoption_rate", "activation_rate", "median_days_to_first_use", "habitual_users")
HABIT_WEEKS, HABIT_MIN_WEEKS, HABIT_AGE = 12, 9, 84


def pick(figures: dict[str, dict]) -> dict[str, dict]:
    """The headline figures of metrics.cohort_figures' answer."""
    return {cohort: {k: row[k] for k in KEYS} for cohort, row in figures.items()}


def compute(usage_csv: str, roster_csv: str, as_of: date, window: int) -> dict[str, dict]:
    """cohort -> KEYS, and 'all' (each person measured from their own cohort's go-live)."""
    day = pd.Timestamp(as_of)
    go_lives = {cohort: pd.Timestamp(g) for cohort, g in COHORTS.items()}
    roster = pd.read_csv(roster_csv, dtype=str)
    roster = roster[roster["licensed"] == "yes"].assign(user_id=lambda f: f["user_id"].str.strip().str.lower())
    usage = pd.read_csv(usage_csv, dtype=str, engine="pyarrow")  # pandas' fastest reader
    usage["count"] = pd.to_numeric(usage["count"], errors="coerce")  # text in count: a rejected row
    usage["date"] = pd.to_datetime(usage["date"], format="%Y-%m-%d")
    usage["user_id"] = usage["user_id"].str.strip().str.lower()
    counting = usage[(usage["count"] > 0) & ~usage["activity"].isin(LEGACY) & (usage["date"] <= day)]
    events = counting.merge(roster[["user_id", "cohort"]], on="user_id")[["user_id", "cohort", "date"]]
    events["go_live"] = events["cohort"].map(go_lives)
    active = set(events.loc[events["date"] > day - pd.Timedelta(days=window), "user_id"])
    after = events[events["date"] >= events["go_live"]]
    first = after.groupby("user_id").agg(first=("date", "min"), go_live=("go_live", "first"))
    days_to_first = ((first["first"] - first["go_live"]).dt.days).to_dict()
    weeks_from = day - pd.Timedelta(days=day.weekday()) - pd.Timedelta(weeks=HABIT_WEEKS - 1)
    recent = events[events["date"] >= weeks_from]
    week = recent["date"] - pd.to_timedelta(recent["date"].dt.weekday, unit="D")
    weeks = week.groupby(recent["user_id"]).nunique()
    habitual = set(weeks[weeks >= HABIT_MIN_WEEKS].index)
    result = {}
    for cohort in [*COHORTS, "all"]:
        people = set(roster["user_id"] if cohort == "all" else roster.loc[roster["cohort"] == cohort, "user_id"])
        activated = [days_to_first[u] for u in people if u in days_to_first]
        live = go_lives.values() if cohort == "all" else [go_lives[cohort]]
        young = any((day - g).days < HABIT_AGE for g in live)
        result[cohort] = {
            "adoption_rate": len(people & active) / len(people) if people else None,
            "activation_rate": len(activated) / len(people) if people else None,
            "median_days_to_first_use": float(pd.Series(activated).median()) if activated else None,
            "habitual_users": None if young else len(people & habitual),
        }
    return result
