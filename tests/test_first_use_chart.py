"""Days to first use (analysis/charts/adoption.py): a day at a time to day 90, later first uses in
one "91+" bar, so a long rollout neither draws hundreds of one-pixel bars nor hides the first weeks."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.charts import days_to_first_use_chart


def _frame(days: dict[str, list[int]]) -> pd.DataFrame:
    rows = [(cohort, d) for cohort, values in days.items() for d in values]
    return pd.DataFrame(rows, columns=["cohort", "days_to_first_use"])


def test_late_first_uses_share_one_bar_after_day_90():
    # champions: 3 on day 0, 1 on day 5, 2 on days 400 and 723 -> 50 %, 16.7 %, 33.3 % (91+)
    # wider: 1 on day 90, 1 on day 91 -> 50 % on day 90, 50 % in 91+
    fig = days_to_first_use_chart(_frame({"champion": [0, 0, 0, 5, 400, 723], "wider": [90, 91]}))
    champion, wider = fig.data
    assert list(champion.x) == [0, 5, 92]
    assert list(champion.y) == pytest.approx([50.0, 100 / 6, 100 / 3])
    assert list(champion.customdata) == ["day 0", "day 5", "day 91 or later"]
    assert champion.name == "Champion (6 people)"
    assert list(wider.x) == [90, 92] and list(wider.y) == pytest.approx([50.0, 50.0])
    axis = fig.layout.xaxis
    assert list(axis.tickvals) == [0, 14, 28, 42, 56, 70, 84, 92]
    assert axis.ticktext[-1] == "91+"


def test_within_90_days_every_day_is_its_own_and_the_axis_is_plotly_s():
    fig = days_to_first_use_chart(_frame({"champion": [0, 1, 1, 90]}))
    (champion,) = fig.data
    assert list(champion.x) == [0, 1, 90]
    assert list(champion.y) == pytest.approx([25.0, 50.0, 25.0])
    assert fig.layout.xaxis.tickvals is None
