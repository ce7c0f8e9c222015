"""A database file that cannot be opened because it is damaged (docs/operations.md#a-damaged-database).

DuckDB refuses a damaged main file (truncated, overwritten, not a DuckDB file, a block whose
checksum does not match) with an error at open; analysis/store.py turns that into DatabaseDamaged,
and the app (app.py, server.py) and the command line say what is wrong and how to restore, without
ever changing or deleting the file. A damaged write-ahead log is different: DuckDB replays it up to
the first bad entry and drops the rest without a word. So before the store opens a database that has
a write-ahead log left (the last process stopped without closing it), a copy of the log is kept in
wal-kept/ beside it: nothing the log held is ever lost silently.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb

WAL_KEPT = "wal-kept"
KEEP_WALS = 5
# DuckDB 2.0's words for a damaged file (tests/test_damaged.py makes each kind of damage)
SIGNS = ("not a valid duckdb database", "could not read enough bytes", "corrupt database", "checksum")


class DatabaseDamaged(RuntimeError):
    """The database file exists but DuckDB cannot read it."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"the database {path} is damaged: {reason}")
        self.path, self.reason = path, reason


def is_damage(exc: BaseException) -> bool:
    """Whether DuckDB's error at open says the file is damaged (not busy, not missing)."""
    text = str(exc).lower()
    busy = "could not set lock" in text or "conflicting lock" in text  # ("block" says nothing)
    return isinstance(exc, duckdb.Error) and not busy and any(sign in text for sign in SIGNS)


def reason(exc: BaseException) -> str:
    """DuckDB's message in one line, without its "IO Error:" prefix."""
    first = (str(exc).splitlines() or [type(exc).__name__])[0]
    for prefix in ("IO Error: ", "Error: "):
        first = first.removeprefix(prefix)
    return first


def keep_wal(database: str) -> Path | None:
    """A copy of the database's write-ahead log, when one was left behind, before DuckDB replays it;
    the newest KEEP_WALS copies stay. Returns the copy (None: no log)."""
    wal = Path(f"{database}.wal")
    if not wal.is_file() or wal.stat().st_size == 0:
        return None
    folder = Path(database).resolve().parent / WAL_KEPT
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{Path(database).name}-{datetime.now():%Y%m%dT%H%M%S%f}.wal"
    shutil.copyfile(wal, copy)
    for old in sorted(folder.glob(f"{Path(database).name}-*.wal"))[:-KEEP_WALS]:
        old.unlink(missing_ok=True)
    return copy
