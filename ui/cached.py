"""Cached reads. Each takes an already checked Scope (not hashed) plus the organisation id and
data version (hashed), so one organisation's entry can never answer another's."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from analysis import (
    annotations,
    breakdowns,
    comparison,
    kpis,
    metrics,
    onboarding,
    orgs,
    phases,
    readiness,
    settings,
    support,
    uploads,
)
from analysis.access import Principal
from analysis.orgs import Rollout
from analysis.scope import Scope
from analysis.store import Store


def until_written(scope: Scope, what: str, read: Callable[[Scope], Any]) -> Any:
    """read(scope), kept until the next write to the database (analysis.store.Store.writes): the
    cache keys' version reads ran on every rerun of every session (~7 % of the server's time under
    20 sessions: docs/performance.md#many-people-at-once). For versions and settings, not data."""
    return scope.store.until_written((scope.org_id, what), lambda: read(scope))


def rollouts(scope: Scope) -> list[Rollout]:
    """analysis.orgs.rollouts until the next write (the sidebar asks on every run), each a copy:
    a caller may change its own (analysis/kpis/goals.py sets a new target on the one it holds)."""
    return copy.deepcopy(until_written(scope, "rollouts", orgs.rollouts))


def organisations(store: Store, who: Principal) -> pd.DataFrame:
    """analysis.orgs.organisations for who, until the next write: every organisation is read once
    and filtered for each principal as orgs.organisations does, so each sees only its own."""
    every = store.until_written((None, "organisations"), lambda: orgs.every_organisation(store))
    return orgs.organisations(store, who, every)


def is_synthetic(scope: Scope) -> bool:
    """analysis.orgs.is_synthetic until the next write (the rollout pages ask on every run)."""
    return until_written(scope, "is_synthetic", orgs.is_synthetic)


def versions(scope: Scope) -> tuple:
    """The cache key of the organisation's figures: its data version (loads, undos) and its
    settings version (rollout settings, go-lives, annotations, privacy)."""
    return until_written(scope, "versions", lambda s: (uploads.data_version(s), settings.settings_version(s)))


def _check(scope: Scope, org_id: int) -> None:
    if scope.org_id != org_id:
        raise AssertionError("cache key and scope disagree")


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def cohort_kpis(
    _scope: Scope, org_id: int, version: tuple, _rollout: Rollout, rollout_id: int, as_of: date, window: int
) -> dict:
    _check(_scope, org_id)
    return metrics.cohort_kpis(_scope, _rollout, as_of, window)


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def rolling_adoption(
    _scope: Scope, org_id: int, version: tuple, _rollout: Rollout, rollout_id: int, as_of: date
) -> pd.DataFrame:
    _check(_scope, org_id)
    return metrics.rolling_adoption(_scope, _rollout, as_of)


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def freshness(_scope: Scope, org_id: int, version: tuple, _rollout: Rollout | None, rollout_id: int | None) -> dict:
    _check(_scope, org_id)
    return metrics.freshness(_scope, _rollout)


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def onboarding_counts(_scope: Scope, org_id: int, version: tuple) -> dict[str, int]:
    """analysis.onboarding.data_counts: its people with usage scan every usage row (20 M at the
    largest benchmark size), on every view of the Overview and Support before this."""
    _check(_scope, org_id)
    return onboarding.data_counts(_scope)


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def upload_history(_scope: Scope, org_id: int, version: tuple) -> pd.DataFrame:
    _check(_scope, org_id)
    return uploads.history(_scope)


# name -> how to compute it; every figure a page shows comes through figure() below.
FIGURES = {
    "cohort_figures": lambda s, r, d, w, o: metrics.cohort_figures(s, r, d, w),
    "weekly_active_users": lambda s, r, d, w, o: metrics.weekly_active_users(s, r, d),
    "department_kpis": lambda s, r, d, w, o: metrics.department_kpis(s, r, d, w),
    "activity_kpis": lambda s, r, d, w, o: breakdowns.activity_kpis(s, r, d, w),
    "roster_columns": lambda s, r, d, w, o: breakdowns.roster_columns(s, r),
    "roster_column_kpis": lambda s, r, d, w, o: breakdowns.roster_column_kpis(s, r, o, d, w),
    "department_weekly_adoption": lambda s, r, d, w, o: metrics.department_weekly_adoption(s, r, d, cohort=o),
    "adoption_funnel": lambda s, r, d, w, o: metrics.adoption_funnel(s, r, d, w),
    "lapsed_people": lambda s, r, d, w, o: metrics.lapsed_people(s, r, d, w),
    "never_used_people": lambda s, r, d, w, o: metrics.never_used_people(s, r, d, w),
    "days_to_first_use": lambda s, r, d, w, o: metrics.days_to_first_use(s, r, d),
    "support_kpis": lambda s, r, d, w, o: support.support_kpis(s, r, d, w),
    "weekly_tickets": lambda s, r, d, w, o: support.weekly_tickets(s, r, d),
    "backlog_by_day": lambda s, r, d, w, o: support.backlog_by_day(s, r, settings.chart_start(r, d), d),
    "top_categories": lambda s, r, d, w, o: support.top_categories(s, r, o, d, days=settings.BASELINE_DAYS),
    "markers": lambda s, r, d, w, o: annotations.markers(s, r) + phases.markers(s, r) + readiness.markers(s, r),
    "kpi_series": lambda s, r, d, w, o: kpis.custom.series_against_baseline(s, r, d, w),
    "readiness": lambda s, r, d, w, o: readiness.cohort_readiness(s, r) if readiness.has_record(s, r) else None,
    "phase_results": lambda s, r, d, w, o: phases.results(s, r, d, w),
    "not_computable": lambda s, r, d, w, o: metrics.not_computable(s, r),
    "usage_snapshots": lambda s, r, d, w, o: metrics.usage_snapshots(s, r),
    "snapshot_adoption": lambda s, r, d, w, o: metrics.snapshot_adoption(s, r, d, w),
    # option: (what to compare with, whether departments fold, alerts_version for locked baselines):
    # the fold is in the cache key, so one reader never gets the departments another may see
    "comparison": lambda s, r, d, w, o: comparison.compare(s, r, d, w, o[0], fold=o[1]),
}


@st.cache_data(ttl=600, max_entries=500, show_spinner=False)
def figure(
    _scope: Scope,
    org_id: int,
    version: tuple,
    _rollout: Rollout,
    rollout_id: int,
    name: str,
    as_of: date | None = None,
    window: int | None = None,
    option: object = None,
):
    """One of FIGURES for the rollout, as of a day with a window (option: the cohort of the
    department heatmap, the go-live that splits top categories). version is
    ui.session.versions(scope): the data version and the settings version, so a load, an undo, a
    moved go-live or a new annotation all read afresh."""
    _check(_scope, org_id)
    if _rollout.rollout_id != rollout_id:
        raise AssertionError("cache key and rollout disagree")
    return FIGURES[name](_scope, _rollout, as_of, window, option)


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def organisation_settings(_scope: Scope, org_id: int, version: tuple) -> settings.OrganisationSettings:
    _check(_scope, org_id)
    return settings.organisation_settings(_scope)


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def annotation_list(_scope: Scope, org_id: int, version: tuple, _rollout: Rollout, rollout_id: int) -> pd.DataFrame:
    _check(_scope, org_id)
    return annotations.annotations(_scope, _rollout)


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def choices(_scope: Scope, org_id: int, version: tuple) -> dict[str, list[str]]:
    """The activities and ticket categories found in the organisation's data (for the Settings page)."""
    _check(_scope, org_id)
    return {
        "activities": settings.known_activities(_scope)["activity"].tolist(),
        "categories": settings.known_ticket_categories(_scope)["category"].tolist(),
    }
