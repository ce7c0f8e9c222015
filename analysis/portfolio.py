"""The Portfolio's order: which rollout needs a call first (pages/portfolio.py shows it)."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

RANKING = ("Worst first: the most high-severity red flags, then medium, then the lowest adoption. Adoption is "
           "all licensed people active in the rollout's window, as of its newest usage day.")


def ranked(rows: Iterable[dict]) -> pd.DataFrame:
    """One row per rollout (columns High, Medium, Adoption among others), worst first: the most high
    red flags, then the most medium, then the lowest adoption; a rollout without usage data yet
    (Adoption None) comes after the others with the same flags. Ties keep the order given."""
    table = pd.DataFrame(list(rows))
    if table.empty:
        return table
    return table.sort_values(["High", "Medium", "Adoption"], ascending=[False, False, True], kind="stable",
                             na_position="last").reset_index(drop=True)
