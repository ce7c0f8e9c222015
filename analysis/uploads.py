"""The load history: listing loads, their rejected rows, and undo."""

from __future__ import annotations

import pandas as pd

from analysis.scope import Scope
from analysis.undo_rule import load_state, may_undo

TICKET_COLUMNS = (
    "created_at, requester, subject, status, priority, category, company, updated_at, "
    "first_response_at, resolved_at, resolved_approx, reopened, satisfaction, upload_id, "
    "sla_met, business_resolution_hours"  # 023's columns follow upload_id in ticket_history too
)


def data_version(scope: Scope) -> tuple:
    """Changes whenever a load or an undo changes the organisation's data (a cache key)."""
    row = (
        scope.store.cursor()
        .execute("SELECT count(*), max(upload_id), max(undone_at) FROM uploads WHERE org_id = ?", [scope.org_id])
        .fetchall()[0]
    )
    return tuple(str(v) for v in row)


def history(scope: Scope) -> pd.DataFrame:
    """The loads, newest first; the first column, state, says "Active" or "Undone by X on D"."""
    frame = scope.df("upload_history")
    frame.insert(0, "state", [load_state(at, by) for at, by in zip(frame["undone_at"], frame["undone_by"])])
    return frame


def rejected_rows(scope: Scope, upload_id: int) -> pd.DataFrame:
    return scope.df("rejected_rows", upload_id=upload_id)


class UndoError(ValueError):
    pass


def undo(scope: Scope, upload_id: int) -> dict:
    """Undo one load: its new rows go, rows it updated return to their previous version, a
    roster it replaced comes back. Under newer loads it undoes only what is still its own.
    Returns what was undone."""
    # imported here: analysis.ingest brings the file readers, which listing loads (kpis start-up) never needs
    from analysis.ingest import refresh_daily

    scope.require("undo")
    with scope.store.transaction("undo a load", detail=f"load {upload_id}", org_id=scope.org_id) as cur:
        row = cur.execute(
            "SELECT kind, undone_at, loaded_by, undone_by, events_removed_at FROM uploads "
            "WHERE upload_id = ? AND org_id = ?",
            [upload_id, scope.org_id],
        ).fetchall()
        if not row:
            raise UndoError(f"no load {upload_id} in this organisation")
        kind, undone_at, owner, undone_by, removed_at = row[0]
        if removed_at is not None and undone_at is None:  # analysis/retention.py
            raise UndoError(
                f"load {upload_id}: some of its raw usage events were removed under the organisation's retention "
                "setting, so its share of the daily figures can no longer be taken out"
            )
        allowed = may_undo(scope.principal, scope.org_id, owner, undone_at, undone_by)  # the page's rule
        if not allowed:
            raise UndoError(f"load {upload_id}: {allowed.reason[:1].lower()}{allowed.reason[1:].rstrip('.')}")
        params = {"org": scope.org_id, "upload": upload_id}
        removed = 0
        if kind == "usage":
            cur.execute(
                "CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT user_id, day, activity "
                "FROM usage_events WHERE org_id = $org AND upload_id = $upload",
                params,
            )
            removed = cur.execute(
                "SELECT count(*) FROM usage_events WHERE org_id = $org AND upload_id = $upload", params
            ).fetchall()[0][0]
            cur.execute("DELETE FROM usage_events WHERE org_id = $org AND upload_id = $upload", params)
            refresh_daily(cur, scope.org_id)
        elif kind == "tickets":
            removed = _undo_tickets(cur, params)
        cur.execute(
            "UPDATE uploads SET undone_at = current_timestamp, undone_by = ? WHERE upload_id = ?",
            [scope.principal.name, upload_id],
        )
    return {"upload_id": upload_id, "kind": kind, "rows_removed_or_restored": removed}


def _undo_tickets(cur, params: dict) -> int:
    # 1. Tickets whose current version is this load's: back to the version before, or gone.
    current = cur.execute(
        "SELECT count(*) FROM tickets WHERE org_id = $org AND upload_id = $upload", params
    ).fetchall()[0][0]
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE restore AS SELECT h.* FROM ticket_history h JOIN tickets t "
        "USING (org_id, source, ticket_id) WHERE h.replaced_by_upload = $upload AND t.upload_id = $upload "
        "AND h.org_id = $org AND h.existed",
        params,
    )
    cur.execute("DELETE FROM tickets WHERE org_id = $org AND upload_id = $upload", params)
    # S608 (here and below): only TICKET_COLUMNS, this module's fixed column list, is formatted in; values are bound
    cur.execute(
        f"INSERT INTO tickets (org_id, source, ticket_id, {TICKET_COLUMNS}) "  # noqa: S608
        f"SELECT org_id, source, ticket_id, {TICKET_COLUMNS} FROM restore"
    )
    cur.execute("DROP TABLE restore")
    # 2. Versions this load wrote that a later load replaced: splice them out of the chain, so
    #    undoing the later load brings back what stood before this one.
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE splice AS SELECT later.replaced_by_upload AS later_upload, "  # noqa: S608
        "later.org_id, later.source, later.ticket_id, before.replaced_by_upload IS NOT NULL AND before.existed "
        f"AS existed, {', '.join('before.' + c.strip() for c in TICKET_COLUMNS.split(','))} "
        "FROM ticket_history later LEFT JOIN ticket_history before "
        "ON before.replaced_by_upload = $upload AND before.org_id = later.org_id "
        "AND before.source = later.source AND before.ticket_id = later.ticket_id "
        "WHERE later.upload_id = $upload AND later.org_id = $org AND later.existed",
        params,
    )
    cur.execute(
        "DELETE FROM ticket_history h WHERE EXISTS (SELECT 1 FROM splice s WHERE "
        "s.later_upload = h.replaced_by_upload AND s.org_id = h.org_id AND s.source = h.source "
        "AND s.ticket_id = h.ticket_id)"
    )
    cur.execute(
        f"INSERT INTO ticket_history SELECT later_upload, existed, org_id, source, ticket_id, "  # noqa: S608
        f"{TICKET_COLUMNS} FROM splice"
    )
    cur.execute("DROP TABLE splice")
    cur.execute("DELETE FROM ticket_history WHERE org_id = $org AND replaced_by_upload = $upload", params)
    return current
