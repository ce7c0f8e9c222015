"""Files handed to people: CSV with spreadsheet formulas neutralised (OWASP CSV injection)."""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of frame whose text cells and column names no spreadsheet would run as formulas
    (numbers, negative ones included, stay numbers)."""
    clean = frame.copy()
    clean.columns = [neutralise(str(c)) for c in clean.columns]
    for i in range(clean.shape[1]):  # by position: two names may neutralise alike
        values = clean.iloc[:, i]
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            clean.isetitem(i, values.map(neutralise))
    return clean


def safe_csv(frame: pd.DataFrame) -> bytes:
    """frame as UTF-8 CSV (with BOM, so Excel reads it as UTF-8), formulas neutralised."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")
