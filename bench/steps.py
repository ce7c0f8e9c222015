"""Our measured steps of bench/run.py (the peers' are in bench/peers.py), each run in a fresh
process so that its peak memory comes from the operating system (run.py reads the child's rusage
when it exits):

    python -m bench.steps STEP '{"json": "arguments"}'

prints one JSON line on stdout: the seconds of the timed part (imports, opening the store and
checking results are outside it: the app has them done before a page runs) and what the step found. A failed check exits non-zero.
"""

from __future__ import annotations

import json
import pickle
import sys
import time
from pathlib import Path

from analysis import alerts, annotations, audit, metrics, orgs, schedule, settings, support
from analysis.access import OPERATOR
from analysis.kpis import baseline_window, kpi_table
from analysis.scope import open_scope
from analysis.store import Store
from analysis.uploads import undo
from bench import headline
from bench.build_org import ORGANISATION, ROLLOUT, check, load, new_scope
from bench.generate import SIZES

PAGES = ("Overview", "Adoption", "Support", "Red flags")


def open_bench(db: str):
    """The scope of Bench in an existing store, and its rollout."""
    store = Store(db, staging_dir=Path(db).parent / f"{Path(db).stem}-staging")
    scope = open_scope(store, OPERATOR, orgs.organisation_id(store, OPERATOR, ORGANISATION), "upload")
    return scope, orgs.rollout(scope, ROLLOUT)


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def roster(db: str, path: str, size: str) -> dict:
    """A new store with Bench, its rollout and the roster: the template of the usage loads."""
    scope = new_scope(db)
    seconds, result = timed(lambda: load(scope, "roster", Path(path)))
    check("roster", result, SIZES[size])
    scope.store.close()
    return {"seconds": seconds}


def load_kind(db: str, kind: str, path: str, size: str, again: bool = False) -> dict:
    """Load one generated file into the store (again: one already loaded, which must add nothing)."""
    scope, _ = open_bench(db)
    seconds, result = timed(lambda: load(scope, kind, Path(path)))
    check(kind, result, SIZES[size], again=again)
    scope.store.close()
    return {"seconds": seconds, "upload_id": result.upload_id}


def undo_reload(db: str, path: str, size: str, upload_id: int) -> dict:
    """Undo the usage load, check that nothing of it is left, then load the file again."""
    scope, _ = open_bench(db)
    undo_seconds, _ = timed(lambda: undo(scope, upload_id))
    left = scope.store.cursor().execute(
        "SELECT (SELECT count(*) FROM usage_events WHERE org_id = $org) + "
        "(SELECT count(*) FROM usage_daily WHERE org_id = $org)",
        {"org": scope.org_id},
    )
    if (rows := left.fetchall()[0][0]) != 0:
        raise AssertionError(f"undo left {rows:,} usage rows")
    seconds, result = timed(lambda: load(scope, "usage", Path(path)))
    check("usage", result, SIZES[size])
    scope.store.close()
    return {"seconds": undo_seconds, "reload_seconds": seconds}


def after_load(db: str) -> dict:
    """What the app and the command line do once a load has committed (analysis/schedule.py
    after_load): evaluate and record the organisation's red flags, which keeps their verdicts for
    the reads that follow (analysis/alerts/verdict_cache.py). The pages are measured after it."""
    scope, _ = open_bench(db)
    with audit.acting(*audit.SCHEDULE):
        seconds, _ = timed(lambda: schedule.evaluate_organisation(scope))
    scope.store.close()
    return {"seconds": seconds}


def page_work(scope, rollout, page: str) -> tuple[list, dict[str, float]]:
    """The values a page's data calls return (pages/*.py through ui/session.py, ui/cached.py and
    ui/flags.py) for the period the sidebar defaults to, and the seconds of each call; every
    page starts with freshness (the sidebar's period)."""
    calls: dict[str, float] = {}
    got: dict[str, object] = {}  # the values so far: a later call may take an earlier one's, as the page does

    def call(name, fn):
        seconds, value = timed(fn)
        calls[name] = seconds
        got[name] = value
        return value

    fresh = call("freshness", lambda: metrics.freshness(scope, rollout))
    d, w = metrics.default_day(fresh), rollout.window_days
    go_live = next(iter(rollout.cohorts.values()))
    frame = {
        "markers": lambda: annotations.markers(scope, rollout),
        "evaluate_alerts": lambda: alerts.evaluate_alerts(scope, rollout, as_of=d, record=False),
    }
    work = {
        "Overview": frame
        | {
            "cohort_figures": lambda: metrics.cohort_figures(scope, rollout, d, w),
            "support_kpis": lambda: support.support_kpis(scope, rollout, d, w),
            "not_computable": lambda: metrics.not_computable(scope, rollout),
            # pages/overview.py hands the KPI table the cohort and support figures it shows
            "kpi_table": lambda: kpi_table(
                scope,
                rollout,
                d,
                window_days=w,
                figures=got["cohort_figures"],
                desk=got["support_kpis"] if fresh.get("newest_ticket_day") else None,
            ),
            "rolling_adoption": lambda: metrics.rolling_adoption(scope, rollout, d),
        },
        "Adoption": frame
        | {
            "not_computable": lambda: metrics.not_computable(scope, rollout),
            "rolling_adoption": lambda: metrics.rolling_adoption(scope, rollout, d),
            "weekly_active_users": lambda: metrics.weekly_active_users(scope, rollout, d),
            "adoption_funnel": lambda: metrics.adoption_funnel(scope, rollout, d, w),
            "cohort_figures": lambda: metrics.cohort_figures(scope, rollout, d, w),
            "days_to_first_use": lambda: metrics.days_to_first_use(scope, rollout, d),
            "usage_snapshots": lambda: metrics.usage_snapshots(scope, rollout),
            "department_weekly_adoption": lambda: metrics.department_weekly_adoption(scope, rollout, d, cohort=None),
            "department_kpis": lambda: metrics.department_kpis(scope, rollout, d, w),
            "lapsed_people": lambda: metrics.lapsed_people(scope, rollout, d, w),
            "never_used_people": lambda: metrics.never_used_people(scope, rollout, d, w),
            "organisation_settings": lambda: settings.organisation_settings(scope),
        },
        "Support": frame
        | {
            "support_kpis": lambda: support.support_kpis(scope, rollout, d, w),
            "weekly_tickets": lambda: support.weekly_tickets(scope, rollout, d),
            "baseline_window": lambda: baseline_window(scope, rollout),
            "backlog_by_day": lambda: support.backlog_by_day(scope, rollout, settings.chart_start(rollout, d), d),
            "top_categories": lambda: support.top_categories(scope, rollout, go_live, d, days=settings.BASELINE_DAYS),
        },
        "Red flags": frame,
    }[page]
    return [fresh, *(call(name, fn) for name, fn in work.items())], calls


def pages(db: str) -> dict:
    """Each page's data work right after a load: its first call, on a freshly opened store (a cold
    DuckDB), with the seconds of each call; and the cache hit: a pickle round trip of the values
    it computed (st.cache_data hands out a copy of the pickled value)."""
    out = {}
    for page in PAGES:
        scope, rollout = open_bench(db)
        seconds, (values, calls) = timed(
            lambda scope=scope, rollout=rollout, page=page: page_work(scope, rollout, page)
        )
        # the median of three round trips: a process's first pickling of pandas' text columns pays a
        # one-time cost (3 to 90 ms in session 14's runs) that a server pays once, not on every hit
        trips = sorted(timed(lambda values=values: pickle.loads(pickle.dumps(values)))[0] for _ in range(3))
        cached = trips[1]
        out[page] = {"seconds": seconds, "cached": cached, "calls": calls}
        scope.store.close()
    return {"seconds": sum(p["seconds"] for p in out.values()), "pages": out}


def kpis_ours(db: str) -> dict:
    """Our headline figures (metrics.cohort_figures) as of the default day, first call."""
    scope, rollout = open_bench(db)
    d = metrics.default_day(metrics.freshness(scope, rollout))
    seconds, figures = timed(lambda: metrics.cohort_figures(scope, rollout, d))
    scope.store.close()
    found = {"seconds": seconds, "as_of": d.isoformat(), "window": rollout.window_days}
    return found | {"figures": headline.pick(figures)}


STEPS = {
    "roster": roster,
    "load": load_kind,
    "undo_reload": undo_reload,
    "after_load": after_load,
    "pages": pages,
    "kpis_ours": kpis_ours,
}

if __name__ == "__main__":
    found = STEPS[sys.argv[1]](**json.loads(sys.argv[2]))
    print(json.dumps(found, default=str))
