"""The Portfolio's ranking rule (analysis/portfolio.py): worst first."""
import math

from analysis.portfolio import ranked


def row(name, high, medium, adoption):
    return {"Organisation": name, "Rollout": "r", "High": high, "Medium": medium, "Adoption": adoption}


def test_high_flags_then_medium_then_the_lowest_adoption_and_no_data_after_its_peers():
    rows = [row("calm", 0, 0, 0.90), row("low", 0, 0, 0.20), row("medium", 0, 2, 0.95), row("fresh", 0, 0, None),
            row("high", 1, 0, 0.99), row("higher", 2, 0, 0.99), row("low too", 0, 0, 0.20)]
    table = ranked(rows)
    # 2 high, 1 high, 2 medium, then by adoption 0.20 (twice, in the order given), 0.90, then no data
    assert list(table["Organisation"]) == ["higher", "high", "medium", "low", "low too", "calm", "fresh"]
    assert math.isnan(table["Adoption"].iloc[-1])
    assert list(table.index) == list(range(7))


def test_no_rollout_is_an_empty_table():
    assert ranked([]).empty
