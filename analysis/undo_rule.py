"""Who may undo a load, and why not: one rule for analysis/uploads.undo and the Data page (which
says why instead of hiding the button), and the state of a load in words for the load history."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.access import Principal
from analysis.words import moment

NOT_YOURS = "Only the person who loaded it or your provider can undo this load."


@dataclass(frozen=True)
class UndoAllowed:
    allowed: bool
    reason: str  # why not, in the person's terms; "" when allowed

    def __bool__(self) -> bool:
        return self.allowed


def may_undo(
    who: Principal, org_id: int, loaded_by: str | None, undone_at=None, undone_by: str | None = None
) -> UndoAllowed:
    """Whether who may undo a load of organisation org_id that loaded_by made, and why not. The
    provider's roles may undo any load of their organisations; a client_uploader only their own.
    Example: uploader "ann" and a load by "bob" -> (False, NOT_YOURS); by "ann" -> (True, "")."""
    if undone_at is not None and not pd.isna(undone_at):
        state = load_state(undone_at, undone_by)
        return UndoAllowed(False, f"Already {state[:1].lower()}{state[1:]}.")
    if not who.may("undo", org_id):
        return UndoAllowed(False, "Your role cannot undo loads.")
    if who.role == "client_uploader" and loaded_by != who.name:
        return UndoAllowed(False, NOT_YOURS)
    return UndoAllowed(True, "")


def load_state(undone_at, undone_by: str | None) -> str:
    """A load's state as the load history's first column: "Active", or "Undone by X on D".
    Example: (2026-12-04 07:20, "ann@x.test") -> "Undone by ann@x.test on 4 Dec 2026 07:20"."""
    if undone_at is None or pd.isna(undone_at):
        return "Active"
    return f"Undone by {undone_by or 'someone'} on {moment(undone_at)}"
