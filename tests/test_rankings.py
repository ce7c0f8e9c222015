"""The ranking rules (analysis/rankings.py): the Portfolio's rollouts worst first, departments weakest first."""

import math

import pandas as pd

from analysis.rankings import departments_weakest_first, rollouts_worst_first


def row(name, high, medium, adoption):
    return {"Organisation": name, "Rollout": "r", "High": high, "Medium": medium, "Adoption": adoption}


def test_high_flags_then_medium_then_the_lowest_adoption_and_no_data_after_its_peers():
    rows = [
        row("calm", 0, 0, 0.90),
        row("low", 0, 0, 0.20),
        row("medium", 0, 2, 0.95),
        row("fresh", 0, 0, None),
        row("high", 1, 0, 0.99),
        row("higher", 2, 0, 0.99),
        row("low too", 0, 0, 0.20),
    ]
    table = rollouts_worst_first(rows)
    # 2 high, 1 high, 2 medium, then by adoption 0.20 (twice, in the order given), 0.90, then no data
    assert list(table["Organisation"]) == ["higher", "high", "medium", "low", "low too", "calm", "fresh"]
    assert math.isnan(table["Adoption"].iloc[-1])
    assert list(table.index) == list(range(7))


def test_no_rollout_is_an_empty_table():
    assert rollouts_worst_first([]).empty


def test_departments_by_the_newest_week_then_the_window_then_the_name():
    older, newest = pd.Timestamp("2025-01-06"), pd.Timestamp("2025-01-13")
    heat = pd.DataFrame(
        {
            "department": ["A", "B", "C", "D", "A", "B", "C", "D"],
            "week_start": [older] * 4 + [newest] * 4,
            "adoption": [0.1, 0.1, 0.9, 0.9, 0.5, 0.5, 0.2, 0.5],
        }
    )
    # D is not in the table (a group folded away there): its window adoption counts 0
    table = pd.DataFrame({"department": ["A", "B", "C"], "adoption_rate": [0.7, 0.6, 0.6]})
    ordered, order = departments_weakest_first(heat, table)
    # newest week: C 0.2 first; A, B, D tie at 0.5 -> window D 0 < B 0.6 < A 0.7
    assert order == ["C", "D", "B", "A"]
    # the table by window adoption, ties by name: B 0.6, C 0.6, A 0.7
    assert list(ordered["department"]) == ["B", "C", "A"]


def test_no_heatmap_leaves_the_table_as_it_is():
    table = pd.DataFrame({"department": ["B", "A"], "adoption_rate": [0.9, 0.1]})
    ordered, order = departments_weakest_first(pd.DataFrame(columns=["department", "week_start", "adoption"]), table)
    assert order == [] and list(ordered["department"]) == ["B", "A"]
