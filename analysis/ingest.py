"""One ingest path for every upload (command line, Data page, inbox):

file -> table -> format recognised (or canonical, or mapped by hand) -> rows converted to the
canonical fields -> dates read per column -> rows validated -> merged, in one transaction.

A file that cannot be what it claims is refused whole (FileRefused). Otherwise each bad row is
rejected alone with its line, column and reason, and the rest loads. Every load records its
counts, with rows_read = rows_loaded + rows_updated + rows_rejected + rows_duplicate. For a
snapshot report (Microsoft 365) a row can give several events: rows_read counts the events.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from analysis import canonical, file_kind, formats, left_out, presets, roster_import, values
from analysis import same_system as same_system_module
from analysis.canonical import DATE_FIELDS, KINDS
from analysis.files import FileRefused, Table, read_head, read_table
from analysis.load_slots import load_slot
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
    left_out: bool = False   # a row of another client's company: not this organisation's, not bad
    system: bool = False     # a row of the tool itself (administrator, cron): set aside, not bad


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
    system_rows: int = 0        # of rows_rejected: system activity, not people (formats.SystemActivity)
    repeated_in_file: int = 0   # of rows_duplicate: repeated within this file (not loaded before)
    cohorts_to_map: list[str] = field(default_factory=list)   # roster cohort values no cohort takes
    people_left: int = 0        # roster: people of the previous roster not in this file
    already_loaded: bool = False   # the same bytes were loaded before and changed nothing: no load recorded
    messages: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)   # the first rows as they will be stored

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("rejects")
        data.pop("preview")
        return data


class _RowError(ValueError):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column


def load_file(scope: Scope, kind: str, file_name: str, data: bytes, rollout: str | int | None = None,
              dry_run: bool = False, progress: Progress | None = None, format: str = "auto",
              mapping: dict[str, str] | None = None, dayfirst: bool | None = None,
              table: Table | None = None, cohort_values: dict[str, str] | None = None,
              same_system: bool = False) -> LoadResult:
    """Load one file for scope's organisation.

    format: "auto" (recognise the export by its header, else the canonical contract),
    "canonical", a format name (analysis.formats) or a preset saved for the organisation.
    mapping {field: column} names the source column of canonical fields by hand. dayfirst
    settles d/m/y date columns that their own values leave ambiguous (True: day first, False:
    month first); without it such a file is refused. dry_run runs the whole load, reports what
    it would do, and rolls it back (the Data page's preview). cohort_values {value: cohort} reads
    a roster's cohort values as the rollout's cohorts (analysis.roster_import). same_system
    confirms that tickets sharing numbers with loaded ones but opened on other days (or with
    other subjects) are the same tickets (analysis.same_system). A file already loaded (same
    bytes) that changes nothing records no load: the result says which load it was (upload_id
    None). Raises FileRefused when the file is refused whole; nothing is stored then. table: the
    file already read by read_table (the Data page reads each upload once). One load at a time
    per organisation (analysis/load_slots.py): a second one raises LoadBusy.
    """
    scope.require("upload")
    with load_slot(scope.org_id, file_name):
        return _load(scope, kind, file_name, data, rollout, dry_run, progress, format, mapping, dayfirst, table,
                     cohort_values, same_system)


def _load(scope: Scope, kind: str, file_name: str, data: bytes, rollout, dry_run: bool, progress, format: str,
          mapping, dayfirst, table: Table | None, cohort_values: dict[str, str] | None,
          same_system: bool) -> LoadResult:
    step = progress or (lambda fraction, text: None)
    if kind not in KINDS:
        raise FileRefused(file_name, f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")
    rollout_id = scope.rollout_id(rollout) if rollout not in (None, "") else None
    if kind == "roster" and rollout_id is None:
        raise FileRefused(file_name, "a roster belongs to a rollout: choose the rollout")
    step(0.05, "Reading the file")
    table = table if table is not None else read_table(file_name, data)
    sha = hashlib.sha256(data).hexdigest()
    # a mapping or cohort values given by hand with format auto are remembered for these columns
    remember = bool(mapping or cohort_values) and (format or "auto").strip().lower() == "auto"
    format, mapping, dayfirst, cohort_values, preset_name, guessed = roster_import.mapping_for(
        scope, kind, table, format, mapping, dayfirst, cohort_values)
    if preset_name is None:
        format, mapping, dayfirst, preset_name = _preset(scope, kind, file_name, format, mapping, dayfirst)
    settings = _org_settings(scope)
    choice = file_kind.choose(table, kind, format, mapping, needs_activity=(kind == "usage" and rollout_id is None))
    if guessed:
        choice.messages = ["Read as a roster by its column names: "
                           + ", ".join(f"{f} = {c!r}" for f, c in guessed.items())]
    messages = [*choice.messages, *table.notes]
    if preset_name:
        choice.name = f"preset {preset_name}"
    if choice.format is not None and choice.format.inspect is not None:
        messages += choice.format.inspect(table, choice.columns)
    step(0.25, f"Checking {len(table.rows):,} rows")
    tz = ZoneInfo(settings["time_zone"])
    own = {d.lower() for d in settings["email_domains"]}
    context = {"tz": tz, "domain_check": left_out.domain_check(scope.principal, own, _foreign_domains(scope)),
               "rollout_id": rollout_id,
               "source": (choice.format.source if choice.format else None) or "canonical",
               "day_offset": dict(choice.format.day_offset) if choice.format else {}}
    cohorts_to_map = []
    if kind == "roster":
        context["cohorts"] = roster_import.cohort_lookup(_cohorts(scope, rollout_id), cohort_values)
        if "cohort" in choice.columns:
            index = choice.columns["cohort"]
            cohorts_to_map = roster_import.unknown_cohorts([r[index] for r in table.rows if index < len(r)],
                                                           context["cohorts"])
    if kind == "usage" and "activity" not in choice.columns and not (
            choice.format and ("activity" in choice.format.constants or choice.format.expand)):
        context["default_activity"] = _rollout_name(scope, rollout_id).strip().lower()
    parsed, rejects = _validate(table, kind, choice, context, dayfirst, messages)
    if kind == "tickets":
        parsed = _split_companies(scope, table, choice, parsed, rejects, messages)
    try:
        _refuse_if_mostly_bad(file_name, len(parsed) + len(rejects), rejects)
    except FileRefused as exc:
        exc.cohorts_to_map = cohorts_to_map   # the Data page asks for these
        raise
    system = sum(1 for r in rejects if r.system)
    if system:
        messages.append(f"{_n(system, 'row')} {'is' if system == 1 else 'are'} system or administrator activity "
                        "(not a person): set aside and not counted as people")
    result = LoadResult(None, choice.name, rows_read=len(parsed) + len(rejects), rows_rejected=len(rejects),
                        rejects=rejects, messages=messages, system_rows=system, cohorts_to_map=cohorts_to_map,
                        preview=[{k: v for k, v in row.items() if k != "line"} for row in parsed[:5]])
    step(0.5, "Merging into the database")
    try:
        with scope.store.transaction() as cur:
            # a preview takes no id from the sequence, so load ids run on without gaps
            upload_id = -1 if dry_run else cur.execute("SELECT nextval('upload_id_seq')").fetchall()[0][0]
            result.upload_id = upload_id
            if kind == "tickets":
                clash = _merge_tickets(cur, scope.org_id, rollout_id, upload_id, parsed, result,
                                       event_log=bool(choice.format and choice.format.event_log),
                                       same_system=same_system, opening=_stable_opening(choice))
                if clash:
                    raise FileRefused(file_name, clash)   # rolls the load back: nothing is stored
            else:
                merge = {"roster": _merge_roster, "usage": _merge_usage}[kind]
                merge(cur, scope.org_id, rollout_id, upload_id, parsed, result)
            step(0.85, "Recording the load")
            earlier = file_kind.already_loaded(cur, scope.org_id, sha)
            if earlier and not (result.rows_loaded or result.rows_updated or result.people_left):
                result.messages.insert(0, f"This file was already loaded as {earlier}: nothing new, so no load "
                                       "was recorded")
                result.already_loaded = True
                raise _DryRun   # an empty load would only clutter the history
            _record(cur, scope, rollout_id, kind, file_name, sha, result)
            if remember:
                roster_import.remember(cur, scope, kind, file_name, table.header, mapping, cohort_values, dayfirst)
            if dry_run:
                raise _DryRun  # roll the whole load back: the preview stores nothing
    except _DryRun:
        result.upload_id = None
    step(1.0, "Done")
    return result


def _preset(scope: Scope, kind: str, file_name: str, format: str, mapping, dayfirst):
    """(format, mapping, dayfirst, preset name): a saved preset's mapping under any given by hand."""
    name = (format or "auto").strip()
    if name.lower() in ("auto", "canonical") or formats.by_name(name) is not None:
        return name, mapping, dayfirst, None
    try:
        saved = presets.preset(scope, name)
    except LookupError:
        known = ", ".join(p.name for p in presets.presets(scope)) or "none saved yet"
        raise FileRefused(file_name, f"unknown format or preset {name!r}: choose auto, canonical, one of "
                          f"{', '.join(f.name for f in formats.registry())}, or a preset saved for this "
                          f"organisation ({known})") from None
    if saved.kind != kind:
        raise FileRefused(file_name, f"the preset {saved.name!r} is for {saved.kind} files, not {kind}: "
                          f"load the file as {saved.kind}, or choose another preset")
    return "auto", {**saved.mapping, **(mapping or {})}, saved.dayfirst if dayfirst is None else dayfirst, saved.name


def _refuse_if_mostly_bad(file_name: str, read: int, rejects: list[Reject]) -> None:
    """More than half the rows rejected: refuse the file. Rows left out because they belong to
    another client's company are not bad rows and do not count."""
    bad = [r for r in rejects if not r.left_out]
    ours = read - (len(rejects) - len(bad))
    if ours == 0 and rejects and all(r.system for r in rejects):
        raise FileRefused(file_name, "every row is system or administrator activity, not a person's: "
                          "nothing to load")
    if ours == 0:
        raise FileRefused(file_name, "no row of this export is for this organisation: every row belongs to a "
                          "company mapped to another organisation or not mapped yet (map companies on the "
                          "Data page), so nothing was loaded")
    if len(bad) * 2 > ours:
        first = bad[0]
        where = f"line {first.line}" + (f", column {first.column}" if first.column else "")
        raise FileRefused(file_name, f"{len(bad)} of {ours} rows would be rejected "
                          f"(more than half), so nothing was loaded. First: {where}: {first.reason}. "
                          "Check that this is the right file and kind")


def likely_kind(file_name: str, data: bytes, scope: Scope | None = None) -> str | None:
    """What a file probably holds (roster, usage or tickets) by its header and first rows: the kind
    of the export format it is recognised as, else of the canonical columns it has, else of a
    mapping remembered for its columns (with scope), else a roster when its column names read as
    one; None when
    unclear or unreadable."""
    try:
        return table_kind(read_head(file_name, data), scope)
    except FileRefused:
        return None


def table_kind(table: Table, scope: Scope | None = None) -> str | None:
    """likely_kind of a file already read."""
    found = formats.detect(table)
    if found is not None:
        return found.format.kind
    header = {h.strip().lower() for h in table.header}
    kinds = [k for k in KINDS if set(canonical.REQUIRED[k]) <= header and header & canonical.TELLTALES[k]]
    if len(kinds) == 1:
        return kinds[0]
    saved = [k for k in KINDS if scope is not None and roster_import.remembered(scope, k, table.header)]
    if len(saved) == 1:
        return saved[0]
    if not kinds and set(canonical.REQUIRED["roster"]) <= set(roster_import.guess_mapping(table.header)):
        return "roster"
    return None


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

def _validate(table: Table, kind: str, choice: formats.Choice, context: dict, dayfirst: bool | None,
              messages: list[str]):
    """Parsed rows and rejects. Each row is first converted to canonical text cells (a format may
    transform cells, add constant fields or turn one row into several), then parsed."""
    parse_row = {"roster": _roster_row, "usage": _usage_row, "tickets": _ticket_row}[kind]
    headers = {name: table.header[index] for name, index in choice.columns.items()}
    parsed, rejects = [], []
    fmt = choice.format
    if fmt is not None and fmt.expand is not None:
        rows = list(_cells(table, choice, headers, rejects, messages))
        seen = _unique_dates({name for name in DATE_FIELDS}, (cell for _, _, cell in rows))
    else:
        rows = _cells(table, choice, headers, rejects, messages)
        width = len(table.header)
        seen = {name: {raw[index] for raw in table.rows if len(raw) == width}
                for name, index in choice.columns.items() if name in DATE_FIELDS}
    context["dates"] = _date_readers(table, choice, headers, seen, context["tz"], dayfirst, messages)
    for line, raw, cell in rows:
        try:
            row = parse_row(cell, context)
        except _RowError as exc:
            user = values.normalise_user(cell.get("user_id", "")) or None
            column = cell.get(f"_column:{exc.column}") or headers.get(exc.column, exc.column)
            rejects.append(Reject(line, column, str(exc), _raw(raw, table.delimiter), user))
            continue
        row["line"] = line
        parsed.append(row)
    return parsed, rejects


def _cells(table: Table, choice: formats.Choice, headers: dict[str, str], rejects: list[Reject],
           messages: list[str]) -> Iterator[tuple[int, list[str], dict]]:
    """(line, raw row, canonical text cells) for each row, in file order."""
    fmt = choice.format
    columns = list(choice.columns.items())
    width = len(table.header)
    transforms = {k: f for k, f in fmt.values.items() if k in choice.columns} if fmt else {}
    constants = {k: v for k, v in fmt.constants.items() if k not in choice.columns} if fmt else {}
    expand = fmt.expand if fmt else None
    index = formats.header_index(table.header) if expand else {}
    plain = not (transforms or constants or expand)
    rows_in = events = empty = 0
    for line, raw in zip(table.lines, table.rows):
        if len(raw) != width:
            rejects.append(Reject(line, None, f"the row has {len(raw)} fields where the header has "
                                  f"{width}", _raw(raw, table.delimiter)))
            continue
        cell = {name: raw[index] for name, index in columns}
        if plain:
            yield line, raw, cell
            continue
        name = None
        try:
            for name, transform in transforms.items():
                cell[name] = transform(cell[name])
            name = None
            cell.update(constants)
            out = expand(cell, formats.Row(raw, index)) if expand else [cell]
        except ValueError as exc:
            column = headers.get(name) if name else headers.get(getattr(exc, "field", "user_id"))
            system = isinstance(exc, formats.SystemActivity)
            rejects.append(Reject(line, column, str(exc), _raw(raw, table.delimiter),
                                  None if system else values.normalise_user(cell.get("user_id", "")) or None,
                                  left_out=system, system=system))
            continue
        rows_in += 1
        events += len(out)
        empty += not out
        for one in out:
            yield line, raw, one
    if expand:
        messages.append(f"{_n(rows_in, 'row')} gave {_n(events, 'event')} (one per product used, on its "
                        "last-activity date)" + (f"; {_n(empty, 'person', 'people')} had no activity date in the "
                                                 "report, so there is nothing to load for them" if empty else ""))


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else many or one + 's'}"


def _unique_dates(names: set[str], cells) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    for cell in cells:
        for name in names & cell.keys():
            seen.setdefault(name, set()).add(cell[name])
    return seen


def _date_readers(table: Table, choice: formats.Choice, headers: dict[str, str], seen: dict[str, set[str]],
                  tz: ZoneInfo, dayfirst: bool | None, messages: list[str]) -> dict[str, values.DateReader]:
    """One reader per date field. A column's own values decide whether d/m/y dates are day or
    month first; a column they leave open follows the other date columns of the file when those
    agree, else dayfirst; with neither the file is refused: the order is never guessed."""
    orders = {name: values.date_order(cells) for name, cells in seen.items()}
    decided = {order for order, _, _ in orders.values() if order in (values.DAY_FIRST, values.MONTH_FIRST)}
    utc = choice.format.utc if choice.format else frozenset()
    latest = values.future_limit(tz)
    readers = {}
    for name in DATE_FIELDS:
        order, example, other = orders.get(name, (values.EITHER, None, None))
        column = headers.get(name, name)
        first = None
        if order in (values.MIXED, values.AMBIGUOUS):   # examples from the first lines that show it
            example, other = _first(table, choice, name, values.DAY_FIRST if order == values.MIXED else order,
                                    example), _first(table, choice, name, values.MONTH_FIRST, other)
        if order == values.MIXED:
            raise FileRefused(table.file_name, f"line {_line_of(table, choice, name, example)}, column {column}: "
                              f"the dates mix day-first ({example}) and month-first ({other}, line "
                              f"{_line_of(table, choice, name, other)}) orders: correct the file so that one "
                              "order is used, and load again")
        if order in (values.DAY_FIRST, values.MONTH_FIRST):
            first = order == values.DAY_FIRST
            if dayfirst is not None and dayfirst != first:
                messages.append(f"Column {column} is {order} by its own values (e.g. {example}): "
                                f"{'--dayfirst' if dayfirst else '--monthfirst'} was not applied to it")
        elif order == values.AMBIGUOUS:
            if dayfirst is not None:
                first = dayfirst
            elif len(decided) == 1:
                first = decided == {values.DAY_FIRST}
                messages.append(f"Column {column} reads its dates {next(iter(decided))}, like the other "
                                "dates of this file")
            else:
                raise FileRefused(table.file_name, f"line {_line_of(table, choice, name, example)}, column "
                                  f"{column}: dates such as {example} could be day-first or month-first, and "
                                  "no date in the column decides: load again with --dayfirst or --monthfirst "
                                  "(on the Data page, choose the order)")
        readers[name] = values.DateReader(tz, first if first is not None else dayfirst, latest, utc=name in utc)
    return readers


def _first(table: Table, choice: formats.Choice, name: str, order: str, default: str | None) -> str | None:
    """The first value in the file, in line order, of a date field whose own order is `order`."""
    index = choice.columns.get(name)
    if index is None or default is None:
        return default
    width = len(table.header)
    return next((raw[index] for raw in table.rows if len(raw) == width
                 and values.date_order([raw[index]])[0] == order), default)


def _line_of(table: Table, choice: formats.Choice, name: str, value: str | None) -> int | str:
    """The first line on which a date field holds value (for messages)."""
    index = choice.columns.get(name)
    for line, raw in zip(table.lines, table.rows):
        if index is not None and index < len(raw) and raw[index] == value:
            return line
        if index is None and value in raw:
            return line
    return "?"


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
    why = context["domain_check"](domain) if domain else None
    if why:
        raise _RowError(column, why)
    return user


def _text(cell: dict, name: str) -> str | None:
    value = cell.get(name)
    return None if value is None or values.is_missing(value) else value.strip()


def _roster_row(cell: dict, context: dict) -> dict:
    user = _user(cell, context)
    cohort_text = (cell.get("cohort") or "").strip()
    cohort = context["cohorts"].get(roster_import.cohort_key(cohort_text))
    if cohort is None:
        known = ", ".join(sorted(set(context["cohorts"].values())))
        raise _RowError("cohort", f"{cohort_text!r} is not a cohort of this rollout ({known})")
    return {
        "user_id": user,
        "display_name": _text(cell, "display_name"),
        "department": _text(cell, "department") or "Unassigned",
        "cohort": cohort,
        "licensed": _check("licensed", values.parse_flag, roster_import.flag_text(cell.get("licensed", ""))),
    }


def _date(cell: dict, name: str, context: dict) -> datetime | None:
    value = cell.get(name)
    if value is None or values.is_missing(value):
        return None
    return _check(name, context["dates"][name], value)


def _usage_row(cell: dict, context: dict) -> dict:
    user = _user(cell, context)
    event_at = _date(cell, "timestamp", context)
    if event_at is None:
        day = _date(cell, "date", context)
        if day is None:
            raise _RowError("date" if "date" in cell else "timestamp", "the date is missing")
        event_at = day.replace(hour=0, minute=0, second=0, microsecond=0)
    if context["day_offset"]:
        event_at += timedelta(days=context["day_offset"].get("date", 0))
    if "activity" in cell:
        activity = cell["activity"].strip().lower()
        if not activity:
            raise _RowError("activity", "the activity is empty")
    else:
        activity = context["default_activity"]
    count_cell = cell.get("count", "")
    count = 1 if count_cell is None or count_cell.strip() == "" else _check("count", values.parse_count, count_cell)
    snapshot = _date(cell, "snapshot", context)
    if snapshot and context["day_offset"]:
        snapshot += timedelta(days=context["day_offset"].get("snapshot", 0))
    return {"user_id": user, "event_at": event_at, "day": event_at.date(), "activity": activity,
            "events": count, "snapshot": snapshot.date() if snapshot else None}


def _ticket_row(cell: dict, context: dict) -> dict:
    ticket_id = (cell.get("ticket_id") or "").strip()
    if not ticket_id:
        raise _RowError("ticket_id", "the ticket id is empty")
    created = _date(cell, "created_at", context)
    if created is None:
        raise _RowError("created_at", "the creation time is missing")
    resolved = _date(cell, "resolved_at", context)
    closed = _date(cell, "closed_at", context)
    first_response = _date(cell, "first_response_at", context) or _after(cell, "first_response_minutes", created)
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
        "source": (_text(cell, "source") or context["source"]).lower(),
        "ticket_id": ticket_id,
        "created_at": created,
        "requester": requester.lower() if requester and "@" in requester else requester,
        "subject": _text(cell, "subject"),
        "status": _text(cell, "status"),
        "priority": _text(cell, "priority"),
        "category": _text(cell, "category"),
        "company": _text(cell, "company"),
        "updated_at": _date(cell, "updated_at", context),
        "first_response_at": first_response,
        "resolved_at": resolved or closed,
        "reopened": reopened,
        "satisfaction": values.parse_satisfaction(cell.get("satisfaction") or ""),
    }


def _after(cell: dict, name: str, start: datetime) -> datetime | None:
    """start + the minutes in cell[name] (Zendesk's "First reply time in minutes")."""
    text = cell.get(name)
    if text is None or values.is_missing(text):
        return None
    try:
        minutes = float(text)
    except ValueError:
        raise _RowError(name, f"{text.strip()!r} is not a number of minutes") from None
    if not 0 <= minutes < 10 ** 8:
        raise _RowError(name, f"{text.strip()!r} is not a plausible number of minutes")
    return start + timedelta(minutes=minutes)


def _split_companies(scope: Scope, table: Table, choice: formats.Choice, parsed: list[dict],
                     rejects: list[Reject], messages: list[str]) -> list[dict]:
    """The rows of an export covering several clients that are this organisation's: those of a
    company mapped to it, and those with no company. Rows of a company mapped to another
    organisation, or to none yet, are left out (counted as rejected, named in the message)."""
    if not any(row["company"] for row in parsed):
        return parsed
    owners = presets.company_owners(scope.store)
    column = table.header[choice.columns["company"]]
    raw_of = dict(zip(table.lines, table.rows))
    kept, left, spelling = [], Counter(), {}
    for row in parsed:
        company = row["company"]
        owner = owners.get(presets.company_key(company)) if company else scope.org_id
        if owner == scope.org_id:
            kept.append(row)
            continue
        reason = left_out.company_reason(scope.principal, company, mapped_elsewhere=owner is not None)
        left[(presets.company_key(company), owner is None)] += 1
        spelling.setdefault(presets.company_key(company), company.strip())
        rejects.append(Reject(row["line"], column, reason, _raw(raw_of.get(row["line"], []), table.delimiter),
                              left_out=True))
    if left:
        shown = [(spelling[c], n, unmapped) for (c, unmapped), n in left.most_common(5)]
        messages.append(left_out.companies_summary(scope.principal, sum(left.values()), shown, max(len(left) - 5, 0)))
    return kept


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
    left = result.people_left = len(set(previous) - set(snapshot))
    if left:
        result.messages.append(f"{left} people on the previous roster are not in this file: "
                               "they have left the rollout (undo this load to bring them back)")


def _merge_usage(cur, org_id, rollout_id, upload_id, parsed, result: LoadResult) -> None:
    frame = pd.DataFrame(parsed, columns=["user_id", "event_at", "day", "activity", "events", "snapshot", "line"])
    # every snapshot of the file is recorded, even one whose rows are all duplicates (a quiet week)
    covered = frame.loc[frame["snapshot"].notna(), ["snapshot", "activity"]].drop_duplicates()
    if not covered.empty:
        cur.executemany("INSERT INTO usage_snapshot_loads VALUES (?, ?, ?, ?)",
                        [(org_id, upload_id, pd.Timestamp(s).date(), a) for s, a in covered.itertuples(index=False)])
    within = frame.duplicated(["user_id", "event_at", "activity"], keep="first")
    result.rows_duplicate += int(within.sum())
    result.repeated_in_file = int(within.sum())
    frame = frame.loc[~within]
    frame["event_at"] = pd.to_datetime(frame["event_at"])
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    frame["snapshot"] = pd.to_datetime(frame["snapshot"])
    _stage(cur, frame)
    stored = cur.execute(
        "SELECT count(*) FROM staged s WHERE EXISTS (SELECT 1 FROM usage_events e WHERE "
        "e.org_id = $org AND e.user_id = s.user_id AND e.event_at = s.event_at "
        "AND e.activity = s.activity)", {"org": org_id}).fetchall()[0][0]
    result.rows_duplicate += stored
    result.rows_loaded += len(frame) - stored
    cur.execute(
        "INSERT INTO usage_events (org_id, user_id, event_at, day, activity, events, upload_id, snapshot) "
        "SELECT $org, s.user_id, s.event_at, s.day, s.activity, s.events, $upload, s.snapshot::DATE "
        "FROM staged s WHERE NOT EXISTS (SELECT 1 FROM usage_events e WHERE "
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
    if result.repeated_in_file:
        result.messages.append(f"{_n(result.repeated_in_file, 'row')} repeated within this file (the same person, "
                               "time and activity as an earlier row): counted once")


def refresh_daily(cur, org_id: int) -> None:
    """Recompute usage_daily for the (person, day, activity) keys in the temp table touched."""
    cur.execute("DELETE FROM usage_daily d WHERE d.org_id = ? AND EXISTS (SELECT 1 FROM touched t "
                "WHERE t.user_id = d.user_id AND t.day = d.day AND t.activity = d.activity)", [org_id])
    cur.execute("INSERT INTO usage_daily SELECT e.org_id, e.user_id, e.day, e.activity, sum(e.events) "
                "FROM usage_events e JOIN touched t USING (user_id, day, activity) "
                "WHERE e.org_id = ? GROUP BY ALL", [org_id])
    cur.execute("DROP TABLE touched")


def _collapse_tickets(parsed: list[dict], result: LoadResult, event_log: bool = False) -> list[dict]:
    """Several rows of one ticket in a file become one ticket (METRICS.md section 1): created at
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
    step = -1 if _newest_first(groups.values()) else 1
    tickets = []
    for rows in groups.values():
        events = event_log and len(rows) > 1
        if len(rows) > 1 and not any(r["updated_at"] for r in rows) and len({r["created_at"] for r in rows}) > 1:
            for r in rows:
                r["updated_at"] = r["created_at"]
            events = True
        ordered = sorted(rows, key=lambda r: (r["updated_at"] is None, r["updated_at"] or datetime.min,
                                              step * r["line"])) \
            if any(r["updated_at"] for r in rows) else rows
        latest = dict(ordered[-1])
        latest["rows"] = len(rows)
        latest["created_at"] = min(r["created_at"] for r in rows)
        first_resolution = None
        if events:   # rows are events: the first in a resolved state is when it was resolved
            first_resolution = next((r for r in ordered if values.is_resolved_state(r["status"])
                                     and r["updated_at"] is not None), None)
        for r in ordered if first_resolution is None else ():
            if r["resolved_at"] is not None or values.is_resolved_state(r["status"]):
                first_resolution = r
                break
        latest["first_response_at"] = min((r["first_response_at"] for r in rows if r["first_response_at"]),
                                          default=None)
        latest_open = latest["status"] is not None and not values.is_resolved_state(latest["status"]) \
            and (latest["resolved_at"] is None or len(rows) > 1 or event_log)
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


def _newest_first(groups) -> bool:
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


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and pd.isna(a)) or a is pd.NaT:
        return b is None or (isinstance(b, float) and pd.isna(b)) or b is pd.NaT
    return a == b


def _stable_opening(choice: formats.Choice) -> bool:
    """Whether created_at is when a ticket was opened, the same in every export: not when it is
    read from the event time (an event log such as VINST, whose later exports start later)."""
    return choice.columns.get("created_at") != choice.columns.get("updated_at")


def _merge_tickets(cur, org_id, rollout_id, upload_id, parsed, result: LoadResult, event_log: bool = False,
                   same_system: bool = False, opening: bool = True) -> str | None:
    """Merge; the question to ask instead (nothing merged) when tickets of the file share numbers
    with loaded tickets that differ in opening day (opening: when created_at is stable) or subject
    and same_system is not confirmed."""
    tickets = _collapse_tickets(parsed, result, event_log)
    keys = pd.DataFrame([(t["source"], t["ticket_id"]) for t in tickets], columns=["source", "ticket_id"])
    _stage(cur, keys)
    existing = {
        (row[0], row[1]): dict(zip(TICKET_FIELDS, row[2:]))
        for row in cur.execute(
            f"SELECT t.source, t.ticket_id, {', '.join('t.' + f for f in TICKET_FIELDS)} FROM tickets t "
            "JOIN staged k USING (source, ticket_id) WHERE t.org_id = ?", [org_id]).fetchall()
    }
    cur.unregister("staged")
    clashes = [(t["ticket_id"], old, t) for t in tickets
               if (old := existing.get((t["source"], t["ticket_id"]))) is not None
               and same_system_module.differs(old, t, opening=opening)]
    if clashes and not same_system:
        return same_system_module.question(clashes, opening)
    if clashes:
        result.messages.append(f"{_n(len(clashes), 'ticket')} with the numbers of loaded tickets but other opening "
                               "dates or subjects were updated: confirmed as the same system")
    new, changed = [], []
    for t in tickets:
        old = existing.get((t["source"], t["ticket_id"]))
        if old is not None and t["resolved_approx"] and old["resolved_approx"] and old["resolved_at"] is not None:
            # an approximate resolution keeps the time it was first seen, so re-loading changes nothing
            t["resolved_at"] = _py(old["resolved_at"])
        # a ticket's further rows in this file count as updated, or as duplicates when the ticket
        # is unchanged (re-loading an event log adds nothing)
        if old is None:
            new.append(t)
            result.rows_loaded += 1
            result.rows_updated += t["rows"] - 1
        elif all(_same(_py(old[f]), t[f]) for f in TICKET_FIELDS):
            result.rows_duplicate += t["rows"]
        else:
            changed.append(t)
            result.rows_updated += t["rows"]
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
    return None


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
    bad = result.rows_rejected - result.system_rows
    if bad:
        result.messages.append(f"{bad} rows were rejected: download them from the "
                               "load history to see each line, column and reason")
    elif result.system_rows:
        result.messages.append("The system activity set aside is in the rejected rows of the load history")
