"""The default view's time series and freshness kept per data version (analysis/kept_figures.py,
analysis/default_view.py, migration 031): the recording evaluation keeps what each kept query
returned for the rollout's default view; the same call at the same key and values reads it back with
the same values and dtypes, without running the query; another period, a load or a setting runs
it; erasure deletes them; and the pages' first views after an evaluation run none of them.

The tiny organisation (tests/data/tiny) as of its newest usage day, 2025-02-10: in the champions'
first week (from Monday 2025-01-06) only b used it (a's use was on Friday 01-03): 1 of 4 licensed."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from analysis import alerts, kept_figures, metrics, orgs, settings, support
from analysis.access import OPERATOR
from analysis.care.erasure import erase_person
from analysis.scope import Scope, open_scope
from tests.test_pages import app_as, demo, goto  # noqa: F401 (demo is a fixture)

D = date(2025, 2, 10)
NOW = datetime(2025, 2, 12, 9)


@pytest.fixture
def ran(monkeypatch):
    """The kept queries run against the database, by name, in order."""
    names: list[str] = []
    real = Scope.df

    def counting(self, query, **params):
        if query in kept_figures.QUERIES:
            names.append(query)
        return real(self, query, **params)

    monkeypatch.setattr(Scope, "df", counting)
    return names


def record(scope, rollout):
    alerts.evaluate_alerts(scope, rollout, now=NOW, record=True)


def default_view(scope, rollout) -> dict:
    return {
        "freshness": metrics.freshness(scope, rollout),
        "rolling": metrics.rolling_adoption(scope, rollout, D),
        "weekly": metrics.weekly_active_users(scope, rollout, D),
        "heatmap": metrics.department_weekly_adoption(scope, rollout, D),
        "tickets": support.weekly_tickets(scope, rollout, D),
    }


def champions_first_week(weekly: pd.DataFrame) -> tuple[int, int]:
    row = weekly[(weekly["cohort"] == "champion") & (weekly["week_start"] == pd.Timestamp("2025-01-06"))].iloc[0]
    return int(row["active_users"]), int(row["licensed_users"])


def assert_same(left: dict, right: dict) -> None:
    for name in left:
        if isinstance(left[name], pd.DataFrame):
            pd.testing.assert_frame_equal(left[name], right[name])  # values and dtypes
        else:
            assert left[name] == right[name], name


def test_the_default_view_read_after_an_evaluation_runs_no_kept_query_and_gives_the_same(tiny, ran):
    scope, rollout = tiny
    computed = default_view(scope, rollout)
    assert sorted(set(ran)) == sorted(kept_figures.QUERIES)
    record(scope, rollout)
    ran.clear()
    kept = default_view(scope, rollout)
    assert ran == []
    assert_same(kept, computed)
    assert champions_first_week(kept["weekly"]) == (1, 4)
    assert kept["freshness"]["newest_usage_day"] == D


def test_another_period_runs_the_query(tiny, ran):
    scope, rollout = tiny
    record(scope, rollout)
    ran.clear()
    metrics.weekly_active_users(scope, rollout, date(2025, 2, 9))
    metrics.department_weekly_adoption(scope, rollout, D, cohort="champion")
    assert ran == ["weekly_active_users", "department_weekly_adoption"]


def test_a_load_or_a_setting_runs_them_afresh(tiny, load, ran):
    scope, rollout = tiny
    record(scope, rollout)
    load(scope, "usage", "user_id,date,activity,count\nd@acme.test,2025-01-07,mfa,1\n")
    ran.clear()
    assert champions_first_week(metrics.weekly_active_users(scope, rollout, D)) == (2, 4)  # b and now d
    record(scope, rollout)
    settings.set_rollout(scope, "MFA", target_adoption=0.9)  # any setting moves the key
    ran.clear()
    metrics.weekly_active_users(scope, rollout, D)
    assert ran == ["weekly_active_users"]


def test_another_organisation_reads_none_of_them(tiny, store, ran):
    scope, rollout = tiny
    record(scope, rollout)
    other = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Globex", email_domains=["globex.test"]))
    ran.clear()
    # Acme's rollout asked through Globex's scope: the kept results are looked up under Globex's id
    weekly = metrics.weekly_active_users(other, rollout, D)
    assert ran == ["weekly_active_users"] and int(weekly["licensed_users"].sum()) == 0


def test_erasing_a_person_deletes_them(tiny, store):
    scope, rollout = tiny
    record(scope, rollout)
    count = "SELECT count(*) FROM kept_figures WHERE org_id = ?"
    assert store.cursor().execute(count, [scope.org_id]).fetchall()[0][0] == len(kept_figures.QUERIES)
    erase_person(open_scope(store, OPERATOR, scope.org_id, "manage_organisations"), "b@acme.test")
    assert store.cursor().execute(count, [scope.org_id]).fetchall()[0][0] == 0


def test_only_the_newest_keys_are_kept(tiny, load, store):
    scope, rollout = tiny
    for day in range(1, kept_figures.KEEP + 3):  # a new data version each time
        load(scope, "usage", f"user_id,date,activity,count\na@acme.test,2025-02-0{day},mfa,1\n")
        record(scope, rollout)
    keys = store.cursor().execute("SELECT count(DISTINCT data_version) FROM kept_figures").fetchall()[0][0]
    assert keys == kept_figures.KEEP


def test_the_pages_first_views_after_an_evaluation_run_no_kept_query(demo, monkeypatch, ran):  # noqa: F811
    import streamlit as st

    _, scope, _ = demo
    for rollout in orgs.rollouts(scope):
        alerts.evaluate_alerts(scope, rollout, record=True)
    st.cache_data.clear()
    ran.clear()
    at = app_as(demo, "admin", monkeypatch)
    for page in ("pages/overview.py", "pages/adoption.py", "pages/support.py"):
        goto(at, page)
    assert ran == []
