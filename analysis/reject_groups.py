"""Rejected rows grouped by reason, for reading: a file with 800 rows rejected for one reason shows
one line (the reason, how many rows, the first row numbers and an example), not 800."""

from __future__ import annotations

import re

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def reason_pattern(reason: str) -> str:
    """A reason with the values it quotes left out, so rows rejected for one reason group together."""
    return _QUOTED.sub("'…'", reason)


def grouped(rejects) -> list[dict]:
    """One entry per (column, reason pattern), most rows first: reason, column, rows, first lines
    (up to 3) and an example value (the first quoted value, else the start of the row)."""
    groups: dict[tuple, dict] = {}
    for r in rejects:
        pattern = reason_pattern(r.reason)
        entry = groups.get((r.column, pattern))
        if entry is None:
            quoted = _QUOTED.search(r.reason)
            example = quoted.group(0)[1:-1] if quoted else (r.raw or "")[:80]
            entry = groups[(r.column, pattern)] = {
                "reason": pattern if quoted else r.reason,
                "column": r.column,
                "rows": 0,
                "lines": [],
                "example": example,
            }
        entry["rows"] += 1
        if len(entry["lines"]) < 3:
            entry["lines"].append(r.line)
    return sorted(groups.values(), key=lambda e: -e["rows"])


def table_rows(rejects) -> list[dict]:
    """grouped() as rows for a table on the Data page."""
    return [
        {
            "reason": g["reason"],
            "column": g["column"],
            "rows": g["rows"],
            "first lines": ", ".join(str(n) for n in g["lines"]) + (", ..." if g["rows"] > 3 else ""),
            "example": g["example"],
        }
        for g in grouped(rejects)
    ]
