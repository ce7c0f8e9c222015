"""One ingest path for every upload (command line, Data page, inbox):

file -> table -> columns matched -> rows validated -> merged, in one transaction.

A file that cannot be what it claims is refused whole (FileRefused). Otherwise each bad row is
rejected alone with its line, column and reason, and the rest loads. Every load records its
counts, with rows_read = rows_loaded + rows_updated + rows_rejected + rows_duplicate.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from analysis import values
from analysis.canonical import KINDS, column_map
from analysis.files import FileRefused, Table, read_table
from analysis.scope import Scope

Progress = Callable[[float, str], None]
TICKET_FIELDS = ("created_at", "requester", "subject", "status", "priority", "category", "company",
                 "updated_at", "first_response_at", "resolved_at", "resolved_approx", "reopened",
                 "satisfaction")


@dataclass
class Reject:
    line: int
    column: str | None
    reason: str
    raw: str
    user: str | None = None  # the person the row names, where it names one


@dataclass
class LoadResult:
    upload_id: int | None
    format: str
    rows_read: int
    rows_loaded: int = 0
    rows_updated: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    unknown_people: int = 0
    messages: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("rejects")
        return data


class _RowError(ValueError):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column


def load_file(scope: Scope, kind: str, file_name: str, data: bytes, rollout: str | int | None = None,
              dry_run: bool = False, progress: Progress | None = None) -> LoadResult:
    """Load one file of the canonical contract for scope's organisation.

    dry_run runs the whole load, reports what it would do, and rolls it back (the Data page's
    preview). Raises FileRefused when the file is refused whole; nothing is stored then.
    """
    scope.require("upload")
    step = progress or (lambda fraction, text: None)
    if kind not in KINDS:
        raise FileRefused(file_name, f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")
    rollout_id = scope.rollout_id(rollout) if rollout not in (None, "") else None
    if kind == "roster" and rollout_id is None:
        raise FileRefused(file_name, "a roster belongs to a rollout: choose the rollout")
    step(0.05, "Reading the file")
    table = read_table(file_name, data)
    settings = _org_settings(scope)
    columns = column_map(table, kind, needs_activity=(kind == "usage" and rollout_id is None))
    step(0.25, f"Checking {len(table.rows):,} rows")
    context = {"tz": ZoneInfo(settings["time_zone"]), "foreign_domains": _foreign_domains(scope),
               "rollout_id": rollout_id}
    if kind == "roster":
        context["cohorts"] = _cohorts(scope, rollout_id)
    if kind == "usage" and "activity" not in columns:
        context["default_activity"] = _rollout_name(scope, rollout_id).strip().lower()
    parsed, rejects = _validate(table, kind, columns, context)
    if len(rejects) * 2 > len(table.rows):
        first = rejects[0]
        where = f"line {first.line}" + (f", column {first.column}" if first.column else "")
        raise FileRefused(file_name, f"{len(rejects)} of {len(table.rows)} rows would be rejected "
                          f"(more than half), so nothing was loaded. First: {where}: {first.reason}. "
                          "Check that this is the right file and kind")
    result = LoadResult(None, "canonical", rows_read=len(table.rows), rows_rejected=len(rejects),
                        rejects=rejects)
    step(0.5, "Merging into the database")
    sha = hashlib.sha256(data).hexdigest()
    try:
        with scope.store.transaction() as cur:
            # a preview takes no id from the sequence, so load ids run on without gaps
            upload_id = -1 if dry_run else cur.execute("SELECT nextval('upload_id_seq')").fetchall()[0][0]
            result.upload_id = upload_id
            merge = {"roster": _merge_roster, "usage": _merge_usage, "tickets": _merge_tickets}[kind]
            merge(cur, scope.org_id, rollout_id, upload_id, parsed, result)
            step(0.85, "Recording the load")
            _record(cur, scope, rollout_id, kind, file_name, sha, result)
            if dry_run:
                raise _DryRun  # roll the whole load back: the preview stores nothing
    except _DryRun:
        result.upload_id = None
    step(1.0, "Done")
    return result


class _DryRun(Exception):
    pass


# -- settings -------------------------------------------------------------------------------------

def _org_settings(scope: Scope) -> dict:
    row = scope.store.cursor().execute(
        "SELECT time_zone, email_domains FROM organisations WHERE org_id = ?", [scope.org_id]
    ).fetchall()[0]
    return {"time_zone": row[0], "email_domains": row[1]}


def _foreign_domains(scope: Scope) -> set[str]:
    rows = scope.store.cursor().execute(
        "SELECT DISTINCT lower(unnest(email_domains)) FROM organisations WHERE org_id <> ?",
        [scope.org_id],
    ).fetchall()
    own = {d.lower() for d in _org_settings(scope)["email_domains"]}
    return {r[0] for r in rows} - own


def _cohorts(scope: Scope, rollout_id: int) -> dict[str, str]:
    rows = scope.store.cursor().execute(
        "SELECT c.cohort FROM cohorts c JOIN rollouts r USING (rollout_id) "
        "WHERE r.org_id = ? AND c.rollout_id = ?", [scope.org_id, rollout_id]).fetchall()
    return {r[0].lower(): r[0] for r in rows}


def _rollout_name(scope: Scope, rollout_id: int) -> str:
    return scope.store.cursor().execute(
        "SELECT name FROM rollouts WHERE org_id = ? AND rollout_id = ?", [scope.org_id, rollout_id]
    ).fetchall()[0][0]


# -- validation -----------------------------------------------------------------------------------

def _validate(table: Table, kind: str, columns: dict[str, int], context: dict):
    parse_row = {"roster": _roster_row, "usage": _usage_row, "tickets": _ticket_row}[kind]
    width = len(table.header)
    parsed, rejects = [], []
    for line, raw in zip(table.lines, table.rows):
        if len(raw) != width:
            rejects.append(Reject(line, None, f"the row has {len(raw)} fields where the header has "
                                  f"{width}", _raw(raw, table.delimiter)))
            continue
        cell = {name: raw[index] for name, index in columns.items()}
        try:
            row = parse_row(cell, context)
        except _RowError as exc:
            user = values.normalise_user(cell.get("user_id", "")) or None
            rejects.append(Reject(line, exc.column, str(exc), _raw(raw, table.delimiter), user))
            continue
        row["line"] = line
        parsed.append(row)
    return parsed, rejects


def _raw(raw: list[str], delimiter: str) -> str:
    return delimiter.join(raw)[:2000]


def _check(column: str, parse, cell: str, *args):
    try:
        return parse(cell, *args)
    except ValueError as exc:
        raise _RowError(column, str(exc)) from None


def _user(cell: dict, context: dict, column: str = "user_id") -> str:
    user = values.normalise_user(cell.get(column, ""))
    if not user:
        raise _RowError(column, "the user id is empty")
    domain = user.rsplit("@", 1)[1] if "@" in user else None
    if domain and domain in context["foreign_domains"]:
        raise _RowError(column, f"the domain {domain} belongs to another organisation: "
                        "this row is not for this organisation")
    return user


def _text(cell: dict, name: str) -> str | None:
    value = cell.get(name)
    return None if value is None or values.is_missing(value) else value.strip()


def _roster_row(cell: dict, context: dict) -> dict:
    user = _user(cell, context)
    cohort_text = (cell.get("cohort") or "").strip()
    cohort = context["cohorts"].get(cohort_text.lower())
    if cohort is None:
        known = ", ".join(sorted(context["cohorts"].values()))
        raise _RowError("cohort", f"{cohort_text!r} is not a cohort of this rollout ({known})")
    return {
        "user_id": user,
        "display_name": _text(cell, "display_name"),
        "department": _text(cell, "department") or "Unassigned",
        "cohort": cohort,
        "licensed": _check("licensed", values.parse_flag, cell.get("licensed", "")),
    }


def _usage_row(cell: dict, context: dict) -> dict:
    user = _user(cell, context)
    tz = context["tz"]
    if "timestamp" in cell and not values.is_missing(cell["timestamp"]):
        event_at = _check("timestamp", values.parse_timestamp, cell["timestamp"], tz)
    elif "date" in cell and not values.is_missing(cell["date"]):
        day = _check("date", values.parse_date, cell["date"])
        event_at = datetime.combine(day, datetime.min.time())
    else:
        raise _RowError("date" if "date" in cell else "timestamp", "the date is missing")
    if "activity" in cell:
        activity = cell["activity"].strip().lower()
        if not activity:
            raise _RowError("activity", "the activity is empty")
    else:
        activity = context["default_activity"]
    count_cell = cell.get("count", "")
    count = 1 if count_cell is None or count_cell.strip() == "" else _check("count", values.parse_count, count_cell)
    return {"user_id": user, "event_at": event_at, "day": event_at.date(), "activity": activity,
            "events": count}


def _timestamp(cell: dict, name: str, tz: ZoneInfo) -> datetime | None:
    value = cell.get(name)
    if value is None or values.is_missing(value):
        return None
    return _check(name, values.parse_timestamp, value, tz)


def _ticket_row(cell: dict, context: dict) -> dict:
    tz = context["tz"]
    ticket_id = (cell.get("ticket_id") or "").strip()
    if not ticket_id:
        raise _RowError("ticket_id", "the ticket id is empty")
    created = _timestamp(cell, "created_at", tz)
    if created is None:
        raise _RowError("created_at", "the creation time is missing")
    resolved = _timestamp(cell, "resolved_at", tz)
    closed = _timestamp(cell, "closed_at", tz)
    first_response = _timestamp(cell, "first_response_at", tz)
    for name, value in (("resolved_at", resolved), ("closed_at", closed),
                        ("first_response_at", first_response)):
        if value is not None and value < created:
            raise _RowError(name, f"{name} {value:%Y-%m-%d %H:%M} is before created_at "
                            f"{created:%Y-%m-%d %H:%M}")
    reopened_cell = cell.get("reopened")
    reopened = 0 if reopened_cell is None or values.is_missing(reopened_cell) else \
        _check("reopened", values.parse_count, reopened_cell)
    requester = _text(cell, "requester")
    return {
        "source": (_text(cell, "source") or "canonical").lower(),
        "ticket_id": ticket_id,
        "created_at": created,
        "requester": requester.lower() if requester and "@" in requester else requester,
        "subject": _text(cell, "subject"),
        "status": _text(cell, "status"),
        "priority": _text(cell, "priority"),
        "category": _text(cell, "category"),
        "company": _text(cell, "company"),
        "updated_at": _timestamp(cell, "updated_at", tz),
        "first_response_at": first_response,
        "resolved_at": resolved or closed,
        "reopened": reopened,
        "satisfaction": values.parse_satisfaction(cell.get("satisfaction") or ""),
    }


# -- merging --------------------------------------------------------------------------------------

def _stage(cur, frame: pd.DataFrame) -> None:
    """Make frame readable as the view 'staged' on this thread's cursor (names are per cursor)."""
    cur.register("staged", frame)


def _merge_roster(cur, org_id, rollout_id, upload_id, parsed, result: LoadResult) -> None:
    previous = {
        row[0]: row[1:] for row in cur.execute(
            "SELECT user_id, display_name, department, cohort, licensed "
            "FROM current_roster(?, ?)", [org_id, rollout_id]).fetchall()
    }
    first_line: dict[str, int] = {}
    snapshot: dict[str, tuple] = {}
    for row in parsed:
        key = row["user_id"]
        entry = (row["display_name"], row["department"], row["cohort"], row["licensed"])
        if key in snapshot:
            if snapshot[key] == entry:
                result.rows_duplicate += 1
            else:
                result.rows_rejected += 1
                result.rejects.append(Reject(row["line"], "user_id", f"{key} is listed again with "
                                      f"different values; the first listing (line {first_line[key]}) is kept",
                                      ""))
            continue
        first_line[key] = row["line"]
        snapshot[key] = entry
        if key not in previous:
            result.rows_loaded += 1
        elif previous[key] == entry:
            result.rows_duplicate += 1
        else:
            result.rows_updated += 1
    # A person whose row was rejected keeps their previous entry: a bad row never removes anyone.
    rejected_people = {r.user for r in result.rejects if r.user}
    for key in rejected_people:
        if key in previous and key not in snapshot:
            snapshot[key] = previous[key]
    frame = pd.DataFrame(
        [(upload_id, org_id, rollout_id, k, *v) for k, v in snapshot.items()],
        columns=["upload_id", "org_id", "rollout_id", "user_id", "display_name", "department",
                 "cohort", "licensed"],
    )
    _stage(cur, frame)
    cur.execute("INSERT INTO roster SELECT * FROM staged")
    cur.unregister("staged")
    left = len(set(previous) - set(snapshot))
    if left:
        result.messages.append(f"{left} people on the previous roster are not in this file: "
                               "they have left the rollout (undo this load to bring them back)")


def _merge_usage(cur, org_id, rollout_id, upload_id, parsed, result: LoadResult) -> None:
    frame = pd.DataFrame(parsed, columns=["user_id", "event_at", "day", "activity", "events", "line"])
    within = frame.duplicated(["user_id", "event_at", "activity"], keep="first")
    result.rows_duplicate += int(within.sum())
    frame = frame.loc[~within]
    frame["event_at"] = pd.to_datetime(frame["event_at"])
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    _stage(cur, frame)
    stored = cur.execute(
        "SELECT count(*) FROM staged s WHERE EXISTS (SELECT 1 FROM usage_events e WHERE "
        "e.org_id = $org AND e.user_id = s.user_id AND e.event_at = s.event_at "
        "AND e.activity = s.activity)", {"org": org_id}).fetchall()[0][0]
    result.rows_duplicate += stored
    result.rows_loaded += len(frame) - stored
    cur.execute(
        "INSERT INTO usage_events SELECT $org, s.user_id, s.event_at, s.day, s.activity, s.events, "
        "$upload FROM staged s WHERE NOT EXISTS (SELECT 1 FROM usage_events e WHERE "
        "e.org_id = $org AND e.user_id = s.user_id AND e.event_at = s.event_at "
        "AND e.activity = s.activity)", {"org": org_id, "upload": upload_id})
    # only the rows this load inserted change the daily summary
    cur.execute("CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT user_id, day, activity FROM usage_events "
                "WHERE org_id = $org AND upload_id = $upload", {"org": org_id, "upload": upload_id})
    refresh_daily(cur, org_id)
    unknown = cur.execute(
        "SELECT DISTINCT s.user_id FROM staged s WHERE NOT EXISTS ("
        "  SELECT 1 FROM rollouts r, current_roster($org, r.rollout_id) p"
        "  WHERE r.org_id = $org AND ($rollout IS NULL OR r.rollout_id = $rollout)"
        "    AND p.user_id = s.user_id) ORDER BY 1",
        {"org": org_id, "rollout": rollout_id}).fetchall()
    cur.unregister("staged")
    result.unknown_people = len(unknown)
    if unknown:
        sample = ", ".join(u[0] for u in unknown[:3])
        result.messages.append(f"{len(unknown)} people in this file are not on the roster (e.g. "
                               f"{sample}): their use is stored and reported as unknown people, "
                               "not counted as licensed")


def refresh_daily(cur, org_id: int) -> None:
    """Recompute usage_daily for the (person, day, activity) keys in the temp table touched."""
    cur.execute("DELETE FROM usage_daily d WHERE d.org_id = ? AND EXISTS (SELECT 1 FROM touched t "
                "WHERE t.user_id = d.user_id AND t.day = d.day AND t.activity = d.activity)", [org_id])
    cur.execute("INSERT INTO usage_daily SELECT e.org_id, e.user_id, e.day, e.activity, sum(e.events) "
                "FROM usage_events e JOIN touched t USING (user_id, day, activity) "
                "WHERE e.org_id = ? GROUP BY ALL", [org_id])
    cur.execute("DROP TABLE touched")


def _collapse_tickets(parsed: list[dict], result: LoadResult) -> list[dict]:
    """Several rows of one ticket in a file become one ticket (METRICS.md section 1)."""
    groups: dict[tuple, list[dict]] = {}
    for row in parsed:
        groups.setdefault((row["source"], row["ticket_id"]), []).append(row)
    tickets = []
    for rows in groups.values():
        result.rows_updated += len(rows) - 1   # further rows of a ticket seen in this file
        ordered = sorted(rows, key=lambda r: (r["updated_at"] is None, r["updated_at"] or datetime.min, r["line"])) \
            if any(r["updated_at"] for r in rows) else rows
        latest = dict(ordered[-1])
        latest["created_at"] = min(r["created_at"] for r in rows)
        first_resolution = None
        for r in ordered:
            if r["resolved_at"] is not None or values.is_resolved_state(r["status"]):
                first_resolution = r
                break
        latest["first_response_at"] = min((r["first_response_at"] for r in rows if r["first_response_at"]),
                                          default=None)
        latest_open = latest["status"] is not None and not values.is_resolved_state(latest["status"]) \
            and (latest["resolved_at"] is None or len(rows) > 1)
        latest["resolved_approx"] = False
        if first_resolution is None or latest_open:
            latest["resolved_at"] = None
        elif first_resolution["resolved_at"] is not None:
            latest["resolved_at"] = first_resolution["resolved_at"]
        else:
            latest["resolved_at"] = first_resolution["updated_at"] or datetime.now().replace(microsecond=0)
            latest["resolved_approx"] = True
        tickets.append(latest)
    return tickets


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and pd.isna(a)) or a is pd.NaT:
        return b is None or (isinstance(b, float) and pd.isna(b)) or b is pd.NaT
    return a == b


def _merge_tickets(cur, org_id, rollout_id, upload_id, parsed, result: LoadResult) -> None:
    tickets = _collapse_tickets(parsed, result)
    keys = pd.DataFrame([(t["source"], t["ticket_id"]) for t in tickets], columns=["source", "ticket_id"])
    _stage(cur, keys)
    existing = {
        (row[0], row[1]): dict(zip(TICKET_FIELDS, row[2:]))
        for row in cur.execute(
            f"SELECT t.source, t.ticket_id, {', '.join('t.' + f for f in TICKET_FIELDS)} FROM tickets t "
            "JOIN staged k USING (source, ticket_id) WHERE t.org_id = ?", [org_id]).fetchall()
    }
    cur.unregister("staged")
    new, changed = [], []
    for t in tickets:
        old = existing.get((t["source"], t["ticket_id"]))
        if old is not None and t["resolved_approx"] and old["resolved_approx"] and old["resolved_at"] is not None:
            # an approximate resolution keeps the time it was first seen, so re-loading changes nothing
            t["resolved_at"] = _py(old["resolved_at"])
        if old is None:
            new.append(t)
        elif all(_same(_py(old[f]), t[f]) for f in TICKET_FIELDS):
            result.rows_duplicate += 1
        else:
            changed.append(t)
    result.rows_loaded += len(new)
    result.rows_updated += len(changed)
    columns = ["source", "ticket_id", *TICKET_FIELDS]
    if changed:
        frame = pd.DataFrame([[t[c] for c in columns] for t in changed], columns=columns)
        _stage(cur, frame)
        cur.execute(
            "INSERT INTO ticket_history SELECT $upload, true, t.org_id, t.source, t.ticket_id, "
            f"{', '.join('t.' + f for f in TICKET_FIELDS)}, t.upload_id FROM tickets t "
            "JOIN staged s USING (source, ticket_id) WHERE t.org_id = $org",
            {"upload": upload_id, "org": org_id})
        cur.execute("DELETE FROM tickets t WHERE t.org_id = $org AND EXISTS (SELECT 1 FROM staged s "
                    "WHERE s.source = t.source AND s.ticket_id = t.ticket_id)", {"org": org_id})
        cur.unregister("staged")
    rows = new + changed
    if rows:
        frame = pd.DataFrame([[t[c] for c in columns] for t in rows], columns=columns)
        for col in ("created_at", "updated_at", "first_response_at", "resolved_at"):
            frame[col] = pd.to_datetime(frame[col])
        _stage(cur, frame)
        cur.execute(f"INSERT INTO tickets (org_id, source, ticket_id, {', '.join(TICKET_FIELDS)}, upload_id) "
                    f"SELECT $org, source, ticket_id, {', '.join(TICKET_FIELDS)}, $upload FROM staged",
                    {"org": org_id, "upload": upload_id})
        cur.unregister("staged")


def _py(value):
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _record(cur, scope: Scope, rollout_id, kind, file_name, sha, result: LoadResult) -> None:
    assert result.rows_read == (result.rows_loaded + result.rows_updated + result.rows_rejected
                                + result.rows_duplicate), "counts do not reconcile"
    cur.execute(
        "INSERT INTO uploads (upload_id, org_id, rollout_id, kind, file_name, sha256, format, loaded_by, "
        "rows_read, rows_loaded, rows_updated, rows_rejected, rows_duplicate, unknown_people, messages) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [result.upload_id, scope.org_id, rollout_id, kind, file_name, sha, result.format,
         scope.principal.name, result.rows_read, result.rows_loaded, result.rows_updated,
         result.rows_rejected, result.rows_duplicate, result.unknown_people, result.messages])
    if result.rejects:
        frame = pd.DataFrame([(result.upload_id, r.line, r.column, r.reason, r.raw) for r in result.rejects],
                             columns=["upload_id", "line", "column_name", "reason", "raw"])
        _stage(cur, frame)
        cur.execute("INSERT INTO rejected_rows SELECT * FROM staged")
        cur.unregister("staged")
    if result.rows_rejected:
        result.messages.append(f"{result.rows_rejected} rows were rejected: download them from the "
                               "load history to see each line, column and reason")
