"""Privacy in client views (docs/user-guide.md#privacy-in-client-views): a breakdown never shows a group of fewer than
five people to client leadership. The app applies this to client roles only; the provider's
roles see every group."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

OTHER = "Other (small groups)"
MINIMUM = 5


def fold_small_groups(
    frame: pd.DataFrame,
    group_column: str,
    size_column: str,
    minimum: int = MINIMUM,
    by: Sequence[str] = (),
    ratios: dict[str, tuple[str, str]] | None = None,
    other: str = OTHER,
) -> pd.DataFrame:
    """frame with every group of fewer than `minimum` people (size_column < minimum) folded into
    one row named `other`, per combination of the `by` columns (e.g. per cohort, or per week of a
    heatmap); that row is dropped too when it holds fewer than `minimum` people.

    The folded row sums every numeric column (people counts) except the `by` columns and the
    `ratios`, which are recomputed from their summed numerator and denominator
    ({"adoption_rate": ("active_users", "licensed_users")}; None when the denominator is 0).
    Other columns of the folded row are left empty. Groups of `minimum` or more are unchanged, in
    their order; the folded row comes after them.

    Example (minimum 5): IT 7 licensed / 7 active, Legal 3 / 1, HR 2 / 2, Sales 1 / 0 -> IT
    unchanged and "Other (small groups)" 6 licensed / 3 active, adoption 0.5. Had Legal been
    alone under 5, its "Other" would hold 3 people and be hidden: IT alone is shown.
    """
    ratios = ratios or {}
    if frame.empty:
        return frame.copy()
    small = frame[size_column].fillna(0) < minimum
    kept = frame[~small]
    folded = frame[small]
    if folded.empty:
        return frame.copy()
    numeric = [
        c
        for c in folded.columns
        if c not in (*by, group_column, *ratios)
        and pd.api.types.is_numeric_dtype(folded[c])
        and not pd.api.types.is_bool_dtype(folded[c])
    ]
    groups = folded.groupby(list(by), sort=False, dropna=False) if by else [((), folded)]
    rows = []
    for key, part in groups:
        row = dict(zip(by, key if isinstance(key, tuple) else (key,)))
        row[group_column] = other
        for column in numeric:
            row[column] = part[column].sum()
        for column, (numerator, denominator) in ratios.items():
            whole = row.get(denominator, 0)
            row[column] = row.get(numerator, 0) / whole if whole else None
        if row[size_column] >= minimum:
            rows.append(row)
    if not rows:
        return kept.reset_index(drop=True)
    others = pd.DataFrame(rows)
    for column in numeric:  # keep integer counts integers
        others[column] = others[column].astype(frame[column].dtype, errors="ignore")
    result = pd.concat([kept, others], ignore_index=True)
    if by:
        result = result.sort_values(list(by), kind="stable").reset_index(drop=True)
    return result[list(frame.columns)]
