"""Several rows of one ticket in a file become one ticket (docs/metrics.md#loading-rules), in SQL
over the rows kept in t_parsed (analysis/ingest/ticket_cells.py): one aggregate per ticket
(t_orders) finds its latest row and first resolution, and the view t_collapsed reads their fields.

A ticket is created at its earliest created_at, resolved at its first row in a resolved state,
and takes every other field (the SLA flag and business-hours resolution too) from its latest row (by updated_at, else file order; rows without an
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
    """The view t_collapsed: one row per (source, ticket_id) of the kept rows, with row_count (how
    many rows it had) and first_line (the first line it is on), over t_groups (its keys, one row
    per ticket). A view, as a first load reads it once (analysis/ingest/ticket_merge.py); a merge
    that changes it makes the table t_tickets of it (materialize). now: the time of an approximate
    resolution with no time at all (a row in a resolved state without resolved_at or updated_at)."""
    now = now or datetime.now().replace(microsecond=0)
    # A ticket's rows in order: by updated_at, rows without one last, equal times by line (or
    # against it, newest first); or, when its rows are events at their created_at (subst), by
    # created_at likewise; or, with no time at all, by line. Its latest row and first resolution
    # are taken in each order, and the ticket's own order chooses (one pass over the rows).
    # Each order as one number: the time in microseconds, shifted past any line number, plus the
    # line (equal times: the later line is the later row) or minus it (the earlier line is); rows
    # without updated_at after every time. The line is read back from the number's low bits.
    # Both readings of equal times are taken, so whether the file lists events newest first (a
    # window over every row) is asked only when some ticket has equal times where it matters.
    shift = "(1::HUGEINT << 62)"  # past any negative epoch
    by_update = (
        f"CASE WHEN updated_at IS NULL THEN 1::HUGEINT << 110 ELSE (epoch_us(updated_at)::HUGEINT + {shift}) << 40 END"
    )
    by_created = f"(epoch_us(created_at)::HUGEINT + {shift}) << 40"
    resolved = "(resolved_at IS NOT NULL OR resolved_state)"
    orders = {  # name: (max or min, the time part of the number, which rows)
        "latest_u": ("max", "ku", "true"),
        "any_u": ("min", "ku", resolved),
        "event_u": ("min", "ku", "resolved_state AND updated_at IS NOT NULL"),
        "latest_s": ("max", "kc", "true"),
        "event_s": ("min", "kc", "resolved_state"),
        "any_s": ("min", "kc", resolved),
    }
    # only the orders a ticket can have: by created_at or by line only when some row has no
    # updated_at; the first resolved event by updated_at only in an event log
    timeless = cur.execute("SELECT count(*) FROM t_parsed WHERE reason IS NULL AND updated_at IS NULL").fetchall()[0][0]
    needed = {"latest_u", "any_u"} | ({"event_u"} if event_log else set())
    needed |= {"latest_s", "event_s", "any_s"} if timeless else set()
    picks = [
        f"{agg}(CASE WHEN {rows} THEN {key} {sign} line END) AS {name}{suffix}"
        for name, (agg, key, rows) in orders.items()
        if name in needed
        for sign, suffix in (("+", "_up"), ("-", "_down"))
    ]
    # with no row lacking updated_at, every ticket has n_upd = n and is not a ticket of events at
    # their created_at (subst): the counts and the latest created_at they take are not needed
    picks += (
        ["max(line) AS latest_f", f"min(line) FILTER ({resolved}) AS any_f"]
        + ["count(updated_at) AS n_upd", "max(created_at) AS created_max"]
        if timeless
        else []
    )
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE t_orders AS "  # noqa: S608 (this module's SQL)
        "SELECT source, ticket_id, count(*) AS n, min(created_at) AS created_at, "
        "  min(first_response_at) AS first_response_at, min(line) AS first_line, "
        f"  {', '.join(picks)} FROM (SELECT *, {by_update} AS ku, {by_created} AS kc FROM t_parsed WHERE reason IS NULL) "
        "GROUP BY source, ticket_id"
    )
    # a line from its number: the low 40 bits (plus the line), or 2^40 less them (minus it); a
    # bitwise and, as a HUGEINT's % costs fifty times more
    up = "CAST({n}_up & 1099511627775 AS BIGINT)"
    down = "1099511627776 - CAST({n}_down & 1099511627775 AS BIGINT)"
    ties = " OR ".join(f"{up.format(n=n)} IS DISTINCT FROM {down.format(n=n)}" for n in orders if n in needed)
    tied = cur.execute(f"SELECT coalesce(bool_or({ties}), false) FROM t_orders").fetchall()[0][0]  # noqa: S608
    reading = down if tied and newest_first(cur) else up
    lines = ", ".join(f"{reading.format(n=n) if n in needed else 'NULL::BIGINT'} AS {n}" for n in orders)
    timeless_lines = "latest_f, any_f" if timeless else "NULL::BIGINT AS latest_f, NULL::BIGINT AS any_f"
    counts = (
        "n_upd, n > 1 AND n_upd = 0 AND created_at <> created_max AS subst"
        if timeless
        else "n AS n_upd, false AS subst"
    )
    cur.execute(
        "CREATE OR REPLACE TEMP VIEW t_groups AS SELECT *, "  # noqa: S608 (this module's SQL)
        f"  ({str(event_log).lower()} AND n > 1) OR subst AS events, "  # our bool: a view takes no parameters
        "  CASE WHEN subst THEN latest_s WHEN n_upd > 0 THEN latest_u ELSE latest_f END AS latest_line, "
        "  CASE WHEN subst THEN event_s WHEN n_upd > 0 THEN event_u END AS event_line, "
        "  CASE WHEN subst THEN any_s WHEN n_upd > 0 THEN any_u ELSE any_f END AS any_line FROM ("
        "  SELECT source, ticket_id, n, created_at, first_response_at, first_line, "
        f"    {counts}, {lines}, {timeless_lines} FROM t_orders)"
    )
    # the first resolution: in a ticket of events, its first row in a resolved state with a time;
    # else (or when there is none) its first row with resolved_at or in a resolved state
    log = str(event_log).lower()  # a view takes no parameters: this bool, and now from k_now
    latest_open = f"(l.status IS NOT NULL AND NOT l.resolved_state AND (l.resolved_at IS NULL OR g.n > 1 OR {log}))"
    upd = "CASE WHEN g.subst THEN f.created_at ELSE f.updated_at END"
    exact = f"(g.events AND f.resolved_state AND {upd} IS NOT NULL)"
    cur.execute("CREATE OR REPLACE TEMP TABLE k_now AS SELECT CAST($now AS TIMESTAMP) AS now", {"now": now})
    cur.execute(
        "CREATE OR REPLACE TEMP VIEW t_collapsed AS SELECT g.source, g.ticket_id, g.created_at, l.requester, "  # noqa: S608
        "  l.subject, l.status, l.priority, l.category, l.company, "
        "  CASE WHEN g.subst THEN l.created_at ELSE l.updated_at END AS updated_at, g.first_response_at, "
        f"  CASE WHEN f.line IS NULL OR {latest_open} THEN NULL WHEN {exact} THEN {upd} "
        f"    WHEN f.resolved_at IS NOT NULL THEN f.resolved_at ELSE coalesce({upd}, k_now.now) END AS resolved_at, "
        f"  CASE WHEN f.line IS NULL OR {latest_open} OR {exact} OR f.resolved_at IS NOT NULL THEN false "
        f"    ELSE NOT (g.events AND {upd} IS NOT NULL) END AS resolved_approx, "
        "  l.reopened, l.satisfaction, l.sla_met, l.business_resolution_hours, g.n AS row_count, g.first_line "
        "FROM t_groups g JOIN t_parsed l ON l.line = g.latest_line "
        "LEFT JOIN t_parsed f ON f.line = CASE WHEN g.events AND g.event_line IS NOT NULL THEN g.event_line "
        "  ELSE g.any_line END CROSS JOIN k_now"
    )


def materialize(cur) -> None:
    """t_tickets: the table of t_collapsed's rows, for a merge that changes them."""
    cur.execute("CREATE OR REPLACE TEMP TABLE t_tickets AS SELECT * FROM t_collapsed")


def drop(cur) -> None:
    for view in ("t_collapsed", "t_groups"):
        cur.execute(f"DROP VIEW IF EXISTS {view}")  # noqa: S608 (this module's own views)
    for table in ("k_now", "t_orders", "t_tickets"):
        cur.execute(f"DROP TABLE IF EXISTS {table}")  # noqa: S608 (this module's own tables)
