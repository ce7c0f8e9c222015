"""Files handed to people: CSV with spreadsheet formulas neutralised (OWASP CSV injection)."""
from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """frame as UTF-8 CSV (with BOM, so Excel reads it as UTF-8), formulas neutralised."""
    clean = frame.copy()
    clean.columns = [neutralise(str(c)) for c in clean.columns]
    for column in clean.columns:
        if pd.api.types.is_string_dtype(clean[column]) or clean[column].dtype == object:
            clean[column] = clean[column].map(neutralise)
    return clean.to_csv(index=False).encode("utf-8-sig")
