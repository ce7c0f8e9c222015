"""The audit log (analysis/migrations/028_audit_log.sql): who wrote what, when, from where.

Who and where are set once per entry point with acting(who, where): the page runner (app.py),
the command line (analysis/cli), the inbox pass (analysis/inbox.py), the API (ui/api_routes.py),
the scheduled checks (analysis/schedule.py). Every function below them writes through
Store.transaction(action, ...), which records the entry inside the same transaction
(analysis/store.py), so a write rolled back leaves no entry. A write with no actor set is
recorded as "unknown"; a transaction that is not a user's write (sign-in sessions, throttling,
bookkeeping marks) says so with housekeeping="why" instead of an action.

detail holds counts, file names and setting names: never a person's id or name, since erasing a
person must leave no row naming them (analysis/care/erasure.py).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple


class Actor(NamedTuple):
    who: str
    where: str


UNKNOWN = Actor("unknown", "unknown")
SCHEDULE = Actor("schedule", "schedule")
INBOX = Actor("inbox", "inbox")
PLACES = ("command line", "inbox", "API", "schedule")  # and each page's title

_actor: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)
# the entry of the transaction running in this context (action, detail, org_id, org_name, skip)
_pending: ContextVar[dict | None] = ContextVar("audit_pending", default=None)


@contextmanager
def acting(who: str, where: str) -> Iterator[Actor]:
    """Every write inside is recorded as by who, from where (`acting(*SCHEDULE)` for the fixed ones)."""
    actor = Actor(who, where)
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def command_line() -> Actor:
    """The command line's actor: the OS user who ran it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        user = "?"
    return Actor(f"command line ({user})", "command line")


def current() -> Actor:
    """The actor set by the entry point, else UNKNOWN."""
    return _actor.get() or UNKNOWN


def _org_name(cur, org_id: int | None) -> str | None:
    if org_id is None:
        return None
    rows = cur.execute("SELECT name FROM organisations WHERE org_id = ?", [org_id]).fetchall()
    return rows[0][0] if rows else None


@contextmanager
def pending(cur, action: str, detail: str, org_id: int | None) -> Iterator[None]:
    """The entry of one transaction (Store.transaction): written on cur when the body ends without
    an error, before the commit. The organisation's name is read at the start (an off-boarding
    deletes it) or, for one made inside, at the end."""
    entry: dict[str, Any] = {
        "action": action,
        "detail": detail,
        "org_id": org_id,
        "org_name": _org_name(cur, org_id),
        "skip": False,
    }
    token = _pending.set(entry)
    try:
        yield
        if not entry["skip"]:
            if entry["org_name"] is None:
                entry["org_name"] = _org_name(cur, entry["org_id"])
            write(cur, entry["action"], entry["detail"], entry["org_id"], entry["org_name"])
    finally:
        _pending.reset(token)


def note(*, detail: str | None = None, org_id: int | None = None, action: str | None = None) -> None:
    """Complete the running transaction's entry with what is known only inside it (counts, the id
    of an organisation just made, which of two actions it was)."""
    entry = _pending.get()
    if entry is None:
        raise RuntimeError("audit.note outside a transaction with an action")
    if detail is not None:
        entry["detail"] = detail
    if org_id is not None:
        entry["org_id"] = org_id
    if action is not None:
        entry["action"] = action


def nothing_written() -> None:
    """The running transaction changed nothing (an evaluation with no change): no entry."""
    entry = _pending.get()
    if entry is not None:
        entry["skip"] = True


def write(cur, action: str, detail: str = "", org_id: int | None = None, org_name: str | None = None) -> None:
    """One entry on cur, by the current actor."""
    actor = current()
    cur.execute(
        "INSERT INTO audit_log (who, place, org_id, org_name, action, detail) VALUES (?, ?, ?, ?, ?, ?)",
        [actor.who, actor.where, org_id, org_name, action, detail],
    )
