"""The KPI table takes the cohort and support figures its caller has already (the Overview shows
them above the table, pages/overview.py): the same rows as computing them, without a second
computation (analysis/kpis/table.py kpi_rows).

The tiny organisation (tests/data/tiny) as of 2025-02-10, window 28: the wider cohort (e, f, live
2025-02-03) has both active, so its adoption row's current value is 1.0 (kpi_rows' worked example)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis import metrics, support
from analysis.kpis import kpi_table
from analysis.kpis import table as kpi_table_module

AS_OF = date(2025, 2, 10)


def test_given_figures_give_the_same_rows_without_computing_them_again(tiny, monkeypatch):
    scope, rollout = tiny
    computed = kpi_table(scope, rollout, AS_OF, window_days=28)
    figures = metrics.cohort_figures(scope, rollout, AS_OF, 28)
    desk = support.support_kpis(scope, rollout, AS_OF, 28)

    calls = []  # the figures as of AS_OF with the window (the baseline's own, over its window, may be computed)
    for module, name in ((kpi_table_module.metrics, "cohort_figures"), (kpi_table_module.support, "support_kpis")):
        real = getattr(module, name)

        def counting(scope, rollout, as_of, *args, real=real, name=name):
            calls.append((name, as_of, *args))
            return real(scope, rollout, as_of, *args)

        monkeypatch.setattr(module, name, counting)
    given = kpi_table(scope, rollout, AS_OF, window_days=28, figures=figures, desk=desk)

    assert [c for c in calls if c[1:] == (AS_OF, 28)] == []
    pd.testing.assert_frame_equal(given, computed)
    wider = given[(given["cohort"] == "wider") & (given["kpi"] == "adoption_rate")].iloc[0]
    assert wider["current"] == 1.0
