"""Privacy in client views (docs/user-guide.md#privacy-in-client-views): groups under 5 people fold into "Other (small
groups)", which is hidden when it is under 5 too. Every case is small enough to check by hand."""

import pandas as pd
import pytest

from analysis.privacy import OTHER, fold_small_groups

RATES = {"adoption_rate": ("active_users", "licensed_users")}


def departments(rows):
    return pd.DataFrame(rows, columns=["department", "licensed_users", "active_users", "adoption_rate"])


def as_rows(frame):
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]


def test_small_groups_fold_into_other_with_summed_counts_and_a_recomputed_rate():
    frame = departments([("IT", 7, 7, 1.0), ("Legal", 3, 1, 1 / 3), ("HR", 2, 2, 1.0), ("Sales", 1, 0, 0.0)])
    folded = fold_small_groups(frame, "department", "licensed_users", ratios=RATES)
    # Legal + HR + Sales = 3 + 2 + 1 = 6 licensed, 1 + 2 + 0 = 3 active: 3 / 6 = 0.5
    assert as_rows(folded) == [("IT", 7, 7, 1.0), (OTHER, 6, 3, 0.5)]
    assert folded["licensed_users"].dtype == frame["licensed_users"].dtype


def test_an_other_under_five_is_hidden_too():
    frame = departments([("IT", 7, 7, 1.0), ("Legal", 3, 1, 1 / 3), ("Sales", 1, 0, 0.0)])
    # Other would hold 3 + 1 = 4 people: hidden, IT alone shows
    assert as_rows(fold_small_groups(frame, "department", "licensed_users", ratios=RATES)) == [("IT", 7, 7, 1.0)]


@pytest.mark.parametrize("size,shown", [(4, False), (5, True), (6, True)])
def test_the_threshold_is_five_people(size, shown):
    frame = departments([("IT", size, 1, 1 / size), ("Big", 10, 5, 0.5)])
    folded = fold_small_groups(frame, "department", "licensed_users", ratios=RATES)
    assert ("IT" in set(folded["department"])) is shown
    assert OTHER not in set(folded["department"])  # a lone group of 4 never shows as "Other" either


def test_nothing_small_leaves_the_frame_as_it_was():
    frame = departments([("IT", 7, 7, 1.0), ("Finance", 5, 4, 0.8)])
    pd.testing.assert_frame_equal(fold_small_groups(frame, "department", "licensed_users", ratios=RATES), frame)


def test_empty_frame_stays_empty():
    frame = departments([])
    assert fold_small_groups(frame, "department", "licensed_users", ratios=RATES).empty


def test_folding_is_per_partition_of_the_by_columns():
    # a heatmap: per week, Legal (3) and HR (2) fold into Other (5); Sales (1) alone in week 2 does not show
    frame = pd.DataFrame(
        [
            ("2025-01-06", "IT", 7, 3, 3 / 7),
            ("2025-01-06", "Legal", 3, 1, 1 / 3),
            ("2025-01-06", "HR", 2, 2, 1.0),
            ("2025-01-13", "IT", 7, 7, 1.0),
            ("2025-01-13", "Sales", 1, 1, 1.0),
        ],
        columns=["week_start", "department", "licensed_users", "active_users", "adoption"],
    )
    folded = fold_small_groups(
        frame,
        "department",
        "licensed_users",
        by=("week_start",),
        ratios={"adoption": ("active_users", "licensed_users")},
    )
    assert as_rows(folded) == [
        ("2025-01-06", "IT", 7, 3, 3 / 7),
        ("2025-01-06", OTHER, 5, 3, 0.6),
        ("2025-01-13", "IT", 7, 7, 1.0),
    ]


def test_several_rates_and_an_empty_denominator():
    frame = pd.DataFrame(
        [("IT", 9, 9, 9, 1.0, 1.0), ("A", 3, 0, 0, 0.0, 0.0), ("B", 2, 1, 2, 0.5, 1.0)],
        columns=["department", "licensed_users", "active_users", "activated_users", "adoption_rate", "activation_rate"],
    )
    folded = fold_small_groups(
        frame,
        "department",
        "licensed_users",
        ratios={
            "adoption_rate": ("active_users", "licensed_users"),
            "activation_rate": ("activated_users", "licensed_users"),
        },
    )
    assert as_rows(folded)[1] == (OTHER, 5, 1, 2, 0.2, 0.4)
    # a ratio over a denominator that sums to 0 is None, never a division error
    zero = pd.DataFrame(
        [("A", 3, 0, 0, None), ("B", 2, 0, 0, None)], columns=["department", "people", "hits", "tries", "rate"]
    )
    out = fold_small_groups(zero, "department", "people", ratios={"rate": ("hits", "tries")})
    assert as_rows(out) == [(OTHER, 5, 0, 0, None)]


def test_a_smaller_minimum_can_be_asked_for():
    frame = departments([("IT", 3, 3, 1.0), ("HR", 1, 0, 0.0), ("Legal", 1, 1, 1.0)])
    folded = fold_small_groups(frame, "department", "licensed_users", minimum=2, ratios=RATES)
    assert as_rows(folded) == [("IT", 3, 3, 1.0), (OTHER, 2, 1, 0.5)]
