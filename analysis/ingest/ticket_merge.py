"""The file's tickets (t_collapsed: analysis/ingest/ticket_collapse.py) merged set-based into
tickets, each replaced version kept in ticket_history (undo puts it back).

Only the stored tickets whose keys the file shares are read (t_stored), and of those only the
ones whose opening day or subject may differ reach Python, for analysis.same_system's question.
When none is stored (a first load of these tickets, or a load after its undo), the file's tickets
are inserted as they are.
"""

from __future__ import annotations

from analysis import same_system as same_system_module
from analysis.ingest import ticket_collapse
from analysis.ingest.results import LoadResult
from analysis.ingest.tickets import TICKET_FIELDS
from analysis.words import plural

_SAME = " AND ".join(f"n.{f} IS NOT DISTINCT FROM o.{f}" for f in TICKET_FIELDS)
_FIELDS = ", ".join(TICKET_FIELDS)


def merge(cur, org_id: int, upload_id: int | None, result: LoadResult, same_system: bool, opening: bool) -> str | None:
    """Merge; the question to ask instead (nothing merged) when tickets of the file share numbers
    with loaded tickets that differ in opening day (opening: when created_at is stable) or subject
    and same_system is not confirmed."""
    params = {"org": org_id}
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE t_stored AS SELECT t.source, t.ticket_id, {', '.join('t.' + f for f in TICKET_FIELDS)}, "  # noqa: S608
        "t.upload_id FROM tickets t JOIN t_groups n USING (source, ticket_id) WHERE t.org_id = $org",
        params,
    )
    if not cur.execute("SELECT count(*) FROM t_stored").fetchall()[0][0]:
        _insert_new(cur, org_id, upload_id, result)  # no ticket of the file is stored yet
        return None
    ticket_collapse.materialize(cur)  # t_tickets, which the steps below read and change
    clashes = _clashes(cur, opening)
    if clashes and not same_system:
        return same_system_module.question(clashes, opening)
    if clashes:
        result.messages.append(
            f"{plural(len(clashes), 'ticket')} with the numbers of loaded tickets but other opening "
            "dates or subjects were updated: confirmed as the same system"
        )
    # an approximate resolution keeps the time it was first seen, so re-loading changes nothing
    cur.execute(
        "UPDATE t_tickets n SET resolved_at = o.resolved_at FROM t_stored o "
        "WHERE o.source = n.source AND o.ticket_id = n.ticket_id AND n.resolved_approx AND o.resolved_approx "
        "AND o.resolved_at IS NOT NULL"
    )
    # a ticket's further rows in this file count as updated, or as duplicates when the ticket is
    # unchanged (re-loading an event log adds nothing)
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE t_fate AS SELECT n.source, n.ticket_id, n.row_count, "  # noqa: S608
        f"CASE WHEN o.ticket_id IS NULL THEN 'new' WHEN {_SAME} THEN 'same' ELSE 'changed' END AS fate "
        "FROM t_tickets n LEFT JOIN t_stored o USING (source, ticket_id)"
    )
    loaded, updated, duplicate = cur.execute(
        "SELECT count(*) FILTER (fate = 'new'), coalesce(sum(CASE fate WHEN 'new' THEN row_count - 1 "
        "WHEN 'changed' THEN row_count ELSE 0 END), 0), coalesce(sum(row_count) FILTER (fate = 'same'), 0) FROM t_fate"
    ).fetchall()[0]
    result.rows_loaded += int(loaded)
    result.rows_updated += int(updated)
    result.rows_duplicate += int(duplicate)
    cur.execute(
        # named columns: those added by later migrations (023) come after upload_id in the table
        f"INSERT INTO ticket_history (replaced_by_upload, existed, org_id, source, ticket_id, {_FIELDS}, upload_id) "  # noqa: S608
        f"SELECT $upload, true, $org, o.source, o.ticket_id, {_FIELDS}, o.upload_id "
        "FROM t_stored o JOIN t_fate f USING (source, ticket_id) WHERE f.fate = 'changed'",
        {"upload": upload_id, **params},
    )
    cur.execute(
        "DELETE FROM tickets t WHERE t.org_id = $org AND EXISTS (SELECT 1 FROM t_fate f "
        "WHERE f.fate = 'changed' AND f.source = t.source AND f.ticket_id = t.ticket_id)",
        params,
    )
    cur.execute(
        f"INSERT INTO tickets (org_id, source, ticket_id, {_FIELDS}, upload_id) "  # noqa: S608
        f"SELECT $org, n.source, n.ticket_id, {', '.join('n.' + f for f in TICKET_FIELDS)}, $upload "
        "FROM t_tickets n JOIN t_fate f USING (source, ticket_id) WHERE f.fate <> 'same' ORDER BY n.first_line",
        {"upload": upload_id, **params},
    )
    return None


def _insert_new(cur, org_id: int, upload_id: int | None, result: LoadResult) -> None:
    """Every ticket of the file is new (none is stored): each loaded, its further rows updated,
    nothing replaced; the fates, the history and the join on them are left out."""
    loaded, updated = cur.execute("SELECT count(*), coalesce(sum(n - 1), 0) FROM t_groups").fetchall()[0]
    result.rows_loaded += int(loaded)
    result.rows_updated += int(updated)
    cur.execute(
        f"INSERT INTO tickets (org_id, source, ticket_id, {_FIELDS}, upload_id) "  # noqa: S608
        f"SELECT $org, source, ticket_id, {_FIELDS}, $upload FROM t_collapsed ORDER BY first_line",
        {"org": org_id, "upload": upload_id},
    )


def _clashes(cur, opening: bool) -> list[tuple[str, dict, dict]]:
    """(ticket_id, stored, in the file) for the file's tickets that analysis.same_system says are
    other tickets with the same numbers, in the order of the file."""
    rows = cur.execute(
        "SELECT n.ticket_id, o.created_at, o.subject, n.created_at, n.subject FROM t_tickets n "
        "JOIN t_stored o USING (source, ticket_id) "
        "WHERE ($opening AND CAST(o.created_at AS DATE) <> CAST(n.created_at AS DATE)) "
        "OR (o.subject IS NOT NULL AND n.subject IS NOT NULL AND o.subject <> n.subject) ORDER BY n.first_line",
        {"opening": opening},
    ).fetchall()
    clashes = []
    for ticket_id, old_created, old_subject, new_created, new_subject in rows:
        old = {"created_at": old_created, "subject": old_subject}
        new = {"created_at": new_created, "subject": new_subject}
        if same_system_module.differs(old, new, opening=opening):
            clashes.append((ticket_id, old, new))
    return clashes


def drop(cur) -> None:
    for table in ("t_stored", "t_fate"):
        cur.execute(f"DROP TABLE IF EXISTS {table}")  # noqa: S608 (this module's own tables)
