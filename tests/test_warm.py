"""ui/warm.py: after a load the app computes what the pages first ask for, with the pages' own
cache keys, so the Overview right after a load computes nothing."""

import pytest

from analysis import alerts, kpis, metrics, settings
from tests.test_pages import app_as, demo, goto  # noqa: F401 (demo is a fixture)
from ui.warm import warm_rollouts


@pytest.fixture
def computed(monkeypatch):
    """How many times each expensive figure is computed (the cached functions call these)."""
    calls = {"cohort_figures": 0, "evaluate_alerts": 0, "kpi_table": 0, "rolling_adoption": 0, "known_activities": 0}

    def counting(module, name):
        real = getattr(module, name)

        def counted(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    counting(metrics, "cohort_figures")
    counting(metrics, "rolling_adoption")
    counting(alerts, "evaluate_alerts")
    counting(kpis, "kpi_table")
    counting(settings, "known_activities")  # Settings' activity list: a scan of usage_daily
    return calls


def test_the_overview_after_a_warm_up_computes_nothing(demo, monkeypatch, computed):  # noqa: F811
    import streamlit as st

    st.cache_data.clear()
    _, scope, _ = demo
    warm_rollouts(scope)
    warmed = dict(computed)
    assert warmed["cohort_figures"] >= 1 and warmed["evaluate_alerts"] == 1 and warmed["kpi_table"] == 1
    assert warmed["known_activities"] == 1
    goto(app_as(demo, "account_manager", monkeypatch), "pages/overview.py")
    goto(app_as(demo, "admin", monkeypatch), "pages/adoption.py")
    assert computed == warmed  # every figure of both pages came from the cache
    goto(app_as(demo, "admin", monkeypatch), "pages/settings.py")
    assert computed["known_activities"] == 1  # Settings' activity list too


def test_without_it_the_overview_computes(demo, monkeypatch, computed):  # noqa: F811
    """The check above can fail: a cold cache makes the page compute."""
    import streamlit as st

    st.cache_data.clear()
    goto(app_as(demo, "account_manager", monkeypatch), "pages/overview.py")
    assert computed["evaluate_alerts"] == 1 and computed["kpi_table"] == 1
    goto(app_as(demo, "admin", monkeypatch), "pages/settings.py")
    assert computed["known_activities"] == 1


def test_the_warm_up_threads_missing_context_warning_is_dropped_and_nothing_else():
    # after every load the server's console said "Thread 'uptake-warm': missing ScriptRunContext!
    # This warning can be ignored ..." (Streamlit's logger, from the warm-up's cached calls)
    import logging
    import threading

    from streamlit.runtime.scriptrunner_utils import script_run_context

    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(f"{record.threadName}: {record.getMessage()}")
    logger = script_run_context._LOGGER
    logger.addHandler(handler)
    try:
        for name, message in (
            ("uptake-warm", "Thread 'uptake-warm': missing ScriptRunContext! This warning can be ignored"),
            ("uptake-warm", "another warning"),
            ("other", "Thread 'other': missing ScriptRunContext! This warning can be ignored"),
        ):
            thread = threading.Thread(target=logger.warning, args=(message,), name=name)
            thread.start()
            thread.join()
    finally:
        logger.removeHandler(handler)
    assert seen == [
        "uptake-warm: another warning",
        "other: Thread 'other': missing ScriptRunContext! This warning can be ignored",
    ]
