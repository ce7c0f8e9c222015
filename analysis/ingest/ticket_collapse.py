"""Several rows of one ticket in a file become one ticket (docs/metrics.md#loading-rules), in SQL
over the rows kept in t_parsed (analysis/ingest/ticket_cells.py), into the temp table t_tickets.

A ticket is created at its earliest created_at, resolved at its first row in a resolved state,
and takes every other field from its latest row (by updated_at, else file order; rows without an
updated_at come after those with one).

In an event log (the format says each row is an event), the updated_at of the first row in a
resolved state is the exact time of resolution, whatever the rows' resolved_at says (event logs
repeat the ticket's final resolved_at and closed_at on every row); elsewhere a resolution taken
from updated_at is approximate. In an event log the latest state decides whether a ticket is
open, even on a ticket's only row. When a ticket's rows have no updated_at but different
created_at, each row's created_at is its event time (an event log mapped with one time column).
A file that lists each ticket's events newest first (seen from rows whose times differ: within
tickets, later lines holding earlier times more often than later ones) is read in that order
when times are equal.
"""

from __future__ import annotations

from datetime import datetime


def newest_first(cur) -> bool:
    """True when, within tickets, later lines hold earlier times more often than later ones."""
    earlier, later = cur.execute(
        "SELECT count(*) FILTER (b < a), count(*) FILTER (b > a) FROM ("
        "  SELECT updated_at AS b, lag(updated_at) OVER (PARTITION BY source, ticket_id ORDER BY line) AS a"
        "  FROM t_parsed WHERE reason IS NULL)"
    ).fetchall()[0]
    return earlier > later


def collapse(cur, event_log: bool, now: datetime | None = None) -> None:
    """t_tickets: one row per (source, ticket_id) of the kept rows, with rows (how many rows it
    had) and first_line (the first line it is on). now: the time of an approximate resolution
    with no time at all (a row in a resolved state without resolved_at or updated_at)."""
    now = now or datetime.now().replace(microsecond=0)
    step = -1 if newest_first(cur) else 1
    params = {"event_log": event_log}
    # subst: rows without updated_at but with different created_at are events at their created_at
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE t_groups AS SELECT *, "
        "  ($event_log AND n > 1) OR subst AS events, n_upd > 0 OR subst AS has_upd FROM ("
        "  SELECT source, ticket_id, count(*) AS n, count(updated_at) AS n_upd, min(created_at) AS created_at, "
        "    min(first_response_at) AS first_response_at, min(line) AS first_line, "
        "    count(*) > 1 AND count(updated_at) = 0 AND min(created_at) <> max(created_at) AS subst "
        "  FROM t_parsed WHERE reason IS NULL GROUP BY source, ticket_id)",
        params,
    )
    # pos: the row's place in the ticket's order (the latest is pos = n)
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE t_ranked AS SELECT *, row_number() OVER (PARTITION BY source, ticket_id "
        "  ORDER BY upd IS NULL, upd, CASE WHEN has_upd THEN $step * line ELSE line END) AS pos FROM ("
        "  SELECT p.line, p.source, p.ticket_id, p.requester, p.subject, p.status, p.priority, p.category, "
        "    p.company, p.resolved_at, p.reopened, p.satisfaction, p.resolved_state, g.has_upd, "
        "    CASE WHEN g.subst THEN p.created_at ELSE p.updated_at END AS upd "
        "  FROM t_parsed p JOIN t_groups g USING (source, ticket_id) WHERE p.reason IS NULL)",
        {"step": step},
    )
    # the first resolution: in a ticket of events, its first row in a resolved state with a time;
    # else (or when there is none) its first row with resolved_at or in a resolved state
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE t_firsts AS SELECT g.source, g.ticket_id, "
        "  CASE WHEN g.events THEN coalesce(x.by_event, x.by_any) ELSE x.by_any END AS pos "
        "FROM t_groups g JOIN (SELECT source, ticket_id, "
        "    min(pos) FILTER (resolved_state AND upd IS NOT NULL) AS by_event, "
        "    min(pos) FILTER (resolved_at IS NOT NULL OR resolved_state) AS by_any "
        "  FROM t_ranked GROUP BY source, ticket_id) x USING (source, ticket_id)"
    )
    open_ = "(l.status IS NOT NULL AND NOT l.resolved_state AND (l.resolved_at IS NULL OR g.n > 1 OR $event_log))"
    exact = "(g.events AND f.resolved_state AND f.upd IS NOT NULL)"
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE t_tickets AS SELECT g.source, g.ticket_id, g.created_at, l.requester, "  # noqa: S608
        "  l.subject, l.status, l.priority, l.category, l.company, l.upd AS updated_at, g.first_response_at, "
        f"  CASE WHEN f.pos IS NULL OR {open_} THEN NULL WHEN {exact} THEN f.upd "
        "    WHEN f.resolved_at IS NOT NULL THEN f.resolved_at ELSE coalesce(f.upd, $now) END AS resolved_at, "
        f"  CASE WHEN f.pos IS NULL OR {open_} OR {exact} OR f.resolved_at IS NOT NULL THEN false "
        "    ELSE NOT (g.events AND f.upd IS NOT NULL) END AS resolved_approx, "
        "  l.reopened, l.satisfaction, g.n AS row_count, g.first_line "
        "FROM t_groups g JOIN t_firsts x USING (source, ticket_id) "
        "JOIN t_ranked l ON l.source = g.source AND l.ticket_id = g.ticket_id AND l.pos = g.n "
        "LEFT JOIN t_ranked f ON f.source = g.source AND f.ticket_id = g.ticket_id AND f.pos = x.pos",
        {"event_log": event_log, "now": now},
    )
    for table in ("t_groups", "t_ranked", "t_firsts"):
        cur.execute(f"DROP TABLE {table}")  # noqa: S608 (this module's own tables)


def drop(cur) -> None:
    for table in ("t_tickets", "t_groups", "t_ranked", "t_firsts"):
        cur.execute(f"DROP TABLE IF EXISTS {table}")  # noqa: S608 (this module's own tables)
