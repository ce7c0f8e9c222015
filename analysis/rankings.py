"""Which comes first: the Portfolio's rollouts worst first (pages/portfolio.py), the departments
weakest first (the Adoption page's heatmap and table)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

PORTFOLIO_ORDER = (
    "Worst first: the most high-severity red flags, then medium, then the lowest adoption. "
    "Adoption is all licensed people active in the rollout's window, as of its newest usage day."
)


def rollouts_worst_first(rows: Iterable[dict]) -> pd.DataFrame:
    """One row per rollout (columns High, Medium, Adoption among others), worst first: the most high
    red flags, then the most medium, then the lowest adoption; a rollout without usage data yet
    (Adoption None) comes after the others with the same flags. Ties keep the order given."""
    table = pd.DataFrame(list(rows))
    if table.empty:
        return table
    return table.sort_values(
        ["High", "Medium", "Adoption"], ascending=[False, False, True], kind="stable", na_position="last"
    ).reset_index(drop=True)


def departments_weakest_first(heat: pd.DataFrame, table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The department table by adoption in the window (then name), and the heatmap's departments
    weakest first: by adoption in the newest week, then in the window (a department missing from the
    table counts 0), then by name. heat: department, week_start, adoption; table: department,
    adoption_rate. Example: newest week A 0.5, B 0.5, C 0.2; window A 0.7, B 0.6 -> [C, B, A]."""
    if heat.empty:
        return table, []
    table = table.sort_values(["adoption_rate", "department"]).reset_index(drop=True)
    newest = heat[heat["week_start"] == heat["week_start"].max()].set_index("department")["adoption"]
    window = table.set_index("department")["adoption_rate"]
    return table, sorted(newest.index, key=lambda d: (newest[d], window.get(d, 0.0), d))
