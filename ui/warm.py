"""After a load, the app computes what its pages will first ask for, so the first view after a load
is a cache hit (docs/performance.md#pages-after-a-load).

For each rollout of the organisation loaded, in the period the sidebar starts on (the newest day,
the rollout's window), the figures the Overview, Adoption, Support and Red flags pages read, through
the same cached functions and the same keys the pages use (ui/session.View.figure, ui/cached.py,
ui/flags.py). Run in a thread of its own after the load has committed (server.py registers it
behind the red-flag evaluation of analysis/schedule.py, so the alerts' version is the one the pages
will see); a page asking meanwhile waits for the same entry rather than computing it twice
(Streamlit computes a cache_data entry once per key)."""

from __future__ import annotations

import logging
import threading
import time

from analysis import metrics, orgs
from analysis.access import OPERATOR
from analysis.alerts import alerts_version
from analysis.scope import Scope, open_scope
from analysis.store import Store
from ui import cached
from ui.flags import current_alerts, kpi_frame
from ui.session import View, versions

log = logging.getLogger("uptake")
THREAD = "uptake-warm"


class QuietWithoutContext(logging.Filter):
    """Drops Streamlit's warning that the warm-up thread has no ScriptRunContext: it runs the pages'
    cached functions outside any page's run on purpose, and the server's console otherwise says
    "missing ScriptRunContext! This warning can be ignored" after every load."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName == THREAD and "missing ScriptRunContext" in record.getMessage())


logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(QuietWithoutContext())

# the figures each page reads with no option (ui/session.View.figure names)
FIGURES = (
    "cohort_figures",
    "support_kpis",
    "not_computable",
    "markers",
    "phase_results",
    "department_kpis",
    "weekly_active_users",
    "adoption_funnel",
    "days_to_first_use",
    "usage_snapshots",
    "lapsed_people",
    "never_used_people",
    "weekly_tickets",
    "backlog_by_day",
)


def warm_rollouts(scope: Scope) -> float:
    """Compute the default view's figures of every rollout of the scope's organisation; the seconds it took."""
    started = time.perf_counter()
    version = versions(scope)
    cached.choices(scope, scope.org_id, version)  # Settings' lists: the activities scan usage_daily
    cached.onboarding_counts(scope, scope.org_id, version)  # the checklist: its people with usage scan usage_daily
    for rollout in orgs.rollouts(scope):
        fresh = cached.freshness(scope, scope.org_id, version, rollout, rollout.rollout_id)
        as_of = metrics.default_day(fresh)
        if as_of is None:
            continue
        view = View(scope, rollout, version, fresh, as_of, rollout.window_days)
        current_alerts(scope, scope.org_id, version, alerts_version(scope), rollout, rollout.rollout_id, as_of)
        kpi_frame(scope, rollout, as_of, view.window, version)
        cached.rolling_adoption(scope, scope.org_id, version, rollout, rollout.rollout_id, as_of)
        for name in FIGURES:
            view.figure(name)
        view.figure("department_weekly_adoption", None)
        view.figure("kpi_series", alerts_version(scope))
        view.figure("readiness")
        first = next(iter(rollout.cohorts.values()), None)
        if first is not None and first <= as_of:
            view.figure("top_categories", first)
    return time.perf_counter() - started


def _in_background(scopes, why: str) -> None:
    def run() -> None:
        for scope in scopes():
            try:
                log.info(
                    "uptake: pages of organisation %d warmed %s in %.1f s", scope.org_id, why, warm_rollouts(scope)
                )
            except Exception:  # a warm-up is an optimisation: a page computes what it misses
                log.exception("uptake: warming the pages %s failed", why)

    threading.Thread(target=run, name=THREAD, daemon=True).start()


def warm_after_load(scope: Scope, _result=None) -> None:
    """The store.after_load hook: warm in a thread, so the load's caller does not wait."""
    _in_background(lambda: [scope], "after a load")


def warm_at_start(store: Store) -> None:
    """Warm every organisation's pages when the app starts, in a thread (the first visitor's pages
    then come from the cache, or wait for the entry being computed)."""
    _in_background(
        lambda: [open_scope(store, OPERATOR, int(org_id)) for org_id in orgs.organisations(store, OPERATOR)["org_id"]],
        "at start",
    )
