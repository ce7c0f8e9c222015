"""The lapsed and never-used lists as the pages show them: every row names someone. A roster
without names (a licence list of ids only) left the Name column empty, and the lists read as blank
rows, since the page shows names rather than ids."""

from __future__ import annotations

import pandas as pd


def _blank(column: pd.Series) -> pd.Series:
    return column.isna() | column.astype("string").str.strip().fillna("").eq("")


def shown_people(frame: pd.DataFrame) -> pd.DataFrame:
    """frame (metrics.lapsed_people or never_used_people) with a name for everyone: the id where
    the roster has no name, "(no department)" where it has none; a row naming nobody (no id, no
    name) is dropped. Example: (user_id "u7", display_name None) -> display_name "u7"."""
    named = frame[~(_blank(frame["user_id"]) & _blank(frame["display_name"]))].copy()
    named["display_name"] = (
        named["display_name"].astype("object").where(~_blank(named["display_name"]), named["user_id"])
    )
    named["department"] = named["department"].astype("object").where(~_blank(named["department"]), "(no department)")
    return named.reset_index(drop=True)
