"""Which loads never finished.

A load's rows and its line in `uploads` commit in one transaction, so a load cut off (a crash, a
SIGKILL, a power cut) leaves nothing at all, not even a trace that it began. So every load (not a
preview), once its file is read and checked, writes a row in load_attempts in a small transaction
of its own just before its transaction begins, and marks it finished inside that transaction
(outcome "loaded", with its upload_id): both commit or neither. A load refused or failing in its
transaction, or finding nothing new, marks it afterwards. A file refused before (unreadable,
mostly bad rows, no access) is not a load and writes nothing. A row still unfinished whose process is
not this one is a load that never finished (only one process opens the database file at a time,
DuckDB's lock, so that process is gone); nothing of it was stored.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

from analysis.files import FileRefused
from analysis.scope import Scope
from analysis.store import Store

# this process, as written in load_attempts.process: the pid alone can be reused after a restart
PROCESS = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


def start(scope: Scope, kind: str, file_name: str) -> int:
    """Record that a load of file_name begins (committed at once); returns the attempt's id."""
    with scope.store.transaction(housekeeping="a load begun (the load itself is audited)") as cur:
        return cur.execute(
            "INSERT INTO load_attempts (org_id, kind, file_name, process) VALUES (?, ?, ?, ?) RETURNING attempt_id",
            [scope.org_id, kind, file_name, PROCESS],
        ).fetchall()[0][0]


def finish(cur, attempt_id: int | None, outcome: str, upload_id: int | None = None) -> None:
    """Mark the attempt finished, on cur: inside the load's transaction for a load that commits
    (None: a preview, which is not recorded)."""
    if attempt_id is None:
        return
    cur.execute(
        "UPDATE load_attempts SET finished_at = current_timestamp, outcome = ?, upload_id = ? WHERE attempt_id = ?",
        [outcome, upload_id, attempt_id],
    )


def finish_alone(store: Store, attempt_id: int | None, outcome: str) -> None:
    """Mark a load that stored nothing (refused, failed, nothing new) finished, in its own transaction."""
    with store.transaction(housekeeping="a load ended (the load itself is audited)") as cur:
        finish(cur, attempt_id, outcome)


class Attempt:
    def __init__(self, attempt_id: int | None):
        self.attempt_id = attempt_id
        self.finished = False

    def loaded(self, cur, upload_id: int) -> None:
        """Inside the load's transaction: finished when, and only if, it commits."""
        finish(cur, self.attempt_id, "loaded", upload_id)
        self.finished = True


@contextmanager
def attempt(scope: Scope, kind: str, file_name: str, record: bool = True) -> Iterator[Attempt]:
    """Around a load's transaction: the attempt written before (when record), and marked after
    unless the transaction did (refused, failed, or nothing new)."""
    if not record:
        yield Attempt(None)
        return
    made = Attempt(start(scope, kind, file_name))
    try:
        yield made
    except BaseException as exc:
        finish_alone(scope.store, made.attempt_id, "refused" if isinstance(exc, FileRefused) else "failed")
        raise
    if not made.finished:
        finish_alone(scope.store, made.attempt_id, "nothing new")


def never_finished(scope: Scope) -> pd.DataFrame:
    """The organisation's loads that began in a process now gone and never finished, newest
    first: attempt_id, kind, file_name, started_at."""
    return (
        scope.store.cursor()
        .execute(
            "SELECT attempt_id, kind, file_name, started_at FROM load_attempts "
            "WHERE org_id = ? AND finished_at IS NULL AND process <> ? ORDER BY attempt_id DESC",
            [scope.org_id, PROCESS],
        )
        .df()
    )
