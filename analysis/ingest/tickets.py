"""Tickets: rows of a company mapped to another organisation set aside, several rows of one ticket
collapsed into one, and the merge that keeps each replaced version in ticket_history."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pandas as pd

from analysis import formats, left_out, presets, values
from analysis import same_system as same_system_module
from analysis.files import Table
from analysis.ingest.merge import stage
from analysis.ingest.results import LoadResult, Reject, plural, raw_line
from analysis.scope import Scope

TICKET_FIELDS = (
    "created_at",
    "requester",
    "subject",
    "status",
    "priority",
    "category",
    "company",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "resolved_approx",
    "reopened",
    "satisfaction",
)


def split_companies(
    scope: Scope, table: Table, choice: formats.Choice, parsed: list[dict], rejects: list[Reject], messages: list[str]
) -> list[dict]:
    """The rows of an export covering several clients that are this organisation's: those of a
    company mapped to it, and those with no company. Rows of a company mapped to another
    organisation, or to none yet, are left out (counted as rejected, named in the message)."""
    if not any(row["company"] for row in parsed):
        return parsed
    owners = presets.company_owners(scope.store)
    column = table.header[choice.columns["company"]]
    raw_of = dict(zip(table.lines, table.rows))
    kept: list[dict] = []
    left: Counter[tuple[str, bool]] = Counter()
    spelling: dict[str, str] = {}
    for row in parsed:
        company = row["company"]
        owner = owners.get(presets.company_key(company)) if company else scope.org_id
        if owner == scope.org_id:
            kept.append(row)
            continue
        reason = left_out.company_reason(scope.principal, company, mapped_elsewhere=owner is not None)
        left[(presets.company_key(company), owner is None)] += 1
        spelling.setdefault(presets.company_key(company), company.strip())
        rejects.append(
            Reject(row["line"], column, reason, raw_line(raw_of.get(row["line"], []), table.delimiter), left_out=True)
        )
    if left:
        shown = [(spelling[c], n, unmapped) for (c, unmapped), n in left.most_common(5)]
        messages.append(left_out.companies_summary(scope.principal, sum(left.values()), shown, max(len(left) - 5, 0)))
    return kept


def collapse_tickets(parsed: list[dict], event_log: bool = False) -> list[dict]:
    """Several rows of one ticket in a file become one ticket (docs/metrics.md#loading-rules): created at
    the earliest created_at, resolved at its first row in a resolved state, every other field
    from its latest row (by updated_at, else file order).

    In an event log (event_log: the format says each row is an event), the updated_at of the first
    row in a resolved state is the exact time of resolution, whatever the rows' resolved_at says
    (event logs repeat the ticket's final resolved_at and closed_at on every row); elsewhere a
    resolution taken from updated_at is approximate. In an event log the latest state decides
    whether a ticket is open, even on a ticket's only row. When a ticket's rows
    have no updated_at but different created_at, each row's created_at is its event time (an event
    log mapped with one time column). A file that lists each ticket's events newest first (seen
    from rows whose times differ) is read in that order when times are equal."""
    groups: dict[tuple, list[dict]] = {}
    for row in parsed:
        groups.setdefault((row["source"], row["ticket_id"]), []).append(row)
    step = -1 if newest_first(groups.values()) else 1
    tickets = []
    for rows in groups.values():
        events = event_log and len(rows) > 1
        if len(rows) > 1 and not any(r["updated_at"] for r in rows) and len({r["created_at"] for r in rows}) > 1:
            for r in rows:
                r["updated_at"] = r["created_at"]
            events = True
        ordered = (
            sorted(rows, key=lambda r: (r["updated_at"] is None, r["updated_at"] or datetime.min, step * r["line"]))
            if any(r["updated_at"] for r in rows)
            else rows
        )
        latest = dict(ordered[-1])
        latest["rows"] = len(rows)
        latest["created_at"] = min(r["created_at"] for r in rows)
        first_resolution = None
        if events:  # rows are events: the first in a resolved state is when it was resolved
            first_resolution = next(
                (r for r in ordered if values.is_resolved_state(r["status"]) and r["updated_at"] is not None), None
            )
        for r in ordered if first_resolution is None else ():
            if r["resolved_at"] is not None or values.is_resolved_state(r["status"]):
                first_resolution = r
                break
        latest["first_response_at"] = min(
            (r["first_response_at"] for r in rows if r["first_response_at"]), default=None
        )
        latest_open = (
            latest["status"] is not None
            and not values.is_resolved_state(latest["status"])
            and (latest["resolved_at"] is None or len(rows) > 1 or event_log)
        )
        latest["resolved_approx"] = False
        if first_resolution is None or latest_open:
            latest["resolved_at"] = None
        elif events and values.is_resolved_state(first_resolution["status"]) and first_resolution["updated_at"]:
            latest["resolved_at"] = first_resolution["updated_at"]
        elif first_resolution["resolved_at"] is not None:
            latest["resolved_at"] = first_resolution["resolved_at"]
        else:
            latest["resolved_at"] = first_resolution["updated_at"] or datetime.now().replace(microsecond=0)
            latest["resolved_approx"] = not (events and first_resolution["updated_at"])
        tickets.append(latest)
    return tickets


def newest_first(groups) -> bool:
    """True when, within tickets, later lines hold earlier times more often than later ones."""
    earlier = later = 0
    for rows in groups:
        for a, b in zip(rows, rows[1:]):
            if a["updated_at"] and b["updated_at"] and a["updated_at"] != b["updated_at"]:
                if b["updated_at"] < a["updated_at"]:
                    earlier += 1
                else:
                    later += 1
    return earlier > later


def same_value(a, b) -> bool:
    if a is None or (isinstance(a, float) and pd.isna(a)) or a is pd.NaT:
        return b is None or (isinstance(b, float) and pd.isna(b)) or b is pd.NaT
    return a == b


def stable_opening(choice: formats.Choice) -> bool:
    """Whether created_at is when a ticket was opened, the same in every export: not when it is
    read from the event time (an event log such as VINST, whose later exports start later)."""
    return choice.columns.get("created_at") != choice.columns.get("updated_at")


def merge_tickets(
    cur,
    org_id,
    upload_id,
    parsed,
    result: LoadResult,
    event_log: bool = False,
    same_system: bool = False,
    opening: bool = True,
) -> str | None:
    """Merge; the question to ask instead (nothing merged) when tickets of the file share numbers
    with loaded tickets that differ in opening day (opening: when created_at is stable) or subject
    and same_system is not confirmed."""
    tickets = collapse_tickets(parsed, event_log)
    keys = pd.DataFrame([(t["source"], t["ticket_id"]) for t in tickets], columns=["source", "ticket_id"])
    stage(cur, keys)
    existing = {
        (row[0], row[1]): dict(zip(TICKET_FIELDS, row[2:]))
        for row in cur.execute(
            f"SELECT t.source, t.ticket_id, {', '.join('t.' + f for f in TICKET_FIELDS)} FROM tickets t "  # noqa: S608 -- column names from TICKET_FIELDS, values bound
            "JOIN staged k USING (source, ticket_id) WHERE t.org_id = ?",
            [org_id],
        ).fetchall()
    }
    cur.unregister("staged")
    clashes = [
        (t["ticket_id"], old, t)
        for t in tickets
        if (old := existing.get((t["source"], t["ticket_id"]))) is not None
        and same_system_module.differs(old, t, opening=opening)
    ]
    if clashes and not same_system:
        return same_system_module.question(clashes, opening)
    if clashes:
        result.messages.append(
            f"{plural(len(clashes), 'ticket')} with the numbers of loaded tickets but other opening "
            "dates or subjects were updated: confirmed as the same system"
        )
    new, changed = [], []
    for t in tickets:
        old = existing.get((t["source"], t["ticket_id"]))
        if old is not None and t["resolved_approx"] and old["resolved_approx"] and old["resolved_at"] is not None:
            # an approximate resolution keeps the time it was first seen, so re-loading changes nothing
            t["resolved_at"] = python_value(old["resolved_at"])
        # a ticket's further rows in this file count as updated, or as duplicates when the ticket
        # is unchanged (re-loading an event log adds nothing)
        if old is None:
            new.append(t)
            result.rows_loaded += 1
            result.rows_updated += t["rows"] - 1
        elif all(same_value(python_value(old[f]), t[f]) for f in TICKET_FIELDS):
            result.rows_duplicate += t["rows"]
        else:
            changed.append(t)
            result.rows_updated += t["rows"]
    columns = ["source", "ticket_id", *TICKET_FIELDS]
    if changed:
        frame = pd.DataFrame([[t[c] for c in columns] for t in changed], columns=columns)
        stage(cur, frame)
        cur.execute(
            "INSERT INTO ticket_history SELECT $upload, true, t.org_id, t.source, t.ticket_id, "  # noqa: S608 -- column names from TICKET_FIELDS, values bound
            f"{', '.join('t.' + f for f in TICKET_FIELDS)}, t.upload_id FROM tickets t "
            "JOIN staged s USING (source, ticket_id) WHERE t.org_id = $org",
            {"upload": upload_id, "org": org_id},
        )
        cur.execute(
            "DELETE FROM tickets t WHERE t.org_id = $org AND EXISTS (SELECT 1 FROM staged s "
            "WHERE s.source = t.source AND s.ticket_id = t.ticket_id)",
            {"org": org_id},
        )
        cur.unregister("staged")
    rows = new + changed
    if rows:
        frame = pd.DataFrame([[t[c] for c in columns] for t in rows], columns=columns)
        for col in ("created_at", "updated_at", "first_response_at", "resolved_at"):
            frame[col] = pd.to_datetime(frame[col])
        stage(cur, frame)
        # column names from TICKET_FIELDS, values bound
        cur.execute(
            f"INSERT INTO tickets (org_id, source, ticket_id, {', '.join(TICKET_FIELDS)}, upload_id) "  # noqa: S608
            f"SELECT $org, source, ticket_id, {', '.join(TICKET_FIELDS)}, $upload FROM staged",
            {"org": org_id, "upload": upload_id},
        )
        cur.unregister("staged")
    return None


def python_value(value):
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value
