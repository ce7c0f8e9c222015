"""care_log (analysis/migrations/022_care.sql): one entry per backup, restore, erasure and
off-boarding; an entry never holds an erased person's id or name."""

from __future__ import annotations

import pandas as pd

from analysis.store import Store


def write(cur, by: str, action: str, detail: str) -> None:
    """The entry, on cur: inside the transaction of what it records."""
    cur.execute("INSERT INTO care_log (by_name, action, detail) VALUES (?, ?, ?)", [by, action, detail])


def log(store: Store, by: str, action: str, detail: str) -> None:
    """The entry in a transaction of its own."""
    with store.transaction(housekeeping="the care log's own entry (backup, restore)") as cur:
        write(cur, by, action, detail)


def entries(store: Store) -> pd.DataFrame:
    """Every entry, newest first (the Administration page)."""
    return store.cursor().execute("SELECT logged_at, by_name, action, detail FROM care_log ORDER BY entry_id DESC").df()
