"""One ingest path for every upload (command line, Data page, inbox):

file -> table -> format recognised (or canonical, or mapped by hand) -> rows converted to the
canonical fields -> dates read per column -> rows validated -> merged, in one transaction.

A file that cannot be what it claims is refused whole (FileRefused). Otherwise each bad row is
rejected alone with its line, column and reason, and the rest loads. Every load records its
counts, with rows_read = rows_loaded + rows_updated + rows_rejected + rows_duplicate. For a
snapshot report (Microsoft 365) a row can give several events: rows_read counts the events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from analysis import audit, file_kind, formats, presets, roster_import
from analysis.canonical import DATE_FIELDS, KINDS, RECORD_KINDS
from analysis.care import attempts
from analysis.files import FileRefused, Table, read_head, read_table
from analysis.formats import forms
from analysis.ingest import organisation as org
from analysis.ingest import (
    roster_dates,
    staging,
    ticket_cells,
    ticket_collapse,
    ticket_merge,
    ticket_values,
    usage,
    usage_merge,
)
from analysis.ingest.cells import validate
from analysis.ingest.context import read_context
from analysis.ingest.dates import date_readers
from analysis.ingest.kinds import likely_kind, table_kind
from analysis.ingest.merge import merge_roster, refresh_daily
from analysis.ingest.merge import record as _record  # looked up here, so a test can fail a load midway
from analysis.ingest.record_merge import merge_record
from analysis.ingest.results import LoadResult, Reject
from analysis.ingest.staging import head_bytes
from analysis.ingest.tickets import TICKET_FIELDS, stable_opening
from analysis.load_slots import load_slot
from analysis.scope import Scope
from analysis.upload_limits import MAX_CSV_BYTES
from analysis.words import plural

__all__ = [
    "TICKET_FIELDS",
    "FileRefused",
    "LoadResult",
    "Progress",
    "Reject",
    "likely_kind",
    "load_file",
    "refresh_daily",
    "table_kind",
]

Progress = Callable[[float, str], None]


def load_file(
    scope: Scope,
    kind: str,
    file_name: str,
    data: bytes | Path,
    rollout: str | int | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    format: str = "auto",
    mapping: dict[str, str] | None = None,
    dayfirst: bool | None = None,
    table: Table | None = None,
    cohort_values: dict[str, str] | None = None,
    same_system: bool = False,
    as_of: date | None = None,
) -> LoadResult:
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
    per organisation (analysis/load_slots.py): a second one raises LoadBusy. as_of: the day from
    which a roster holds (analysis/ingest/roster_dates.py; default today).
    """
    scope.require("upload")
    as_of = roster_dates.checked(file_name, kind, as_of)
    with load_slot(scope.org_id, file_name):
        result = _load(
            scope,
            kind,
            file_name,
            data,
            rollout,
            dry_run,
            progress,
            format,
            mapping,
            dayfirst,
            table,
            cohort_values,
            same_system,
            as_of,
        )
    if result.upload_id is not None:  # a load that stored something: the rules are evaluated again
        for hook in scope.store.after_load:
            hook(scope, result)
    return result


def _load(
    scope: Scope,
    kind: str,
    file_name: str,
    data: bytes | Path,
    rollout,
    dry_run: bool,
    progress,
    format: str,
    mapping,
    dayfirst,
    table: Table | None,
    cohort_values: dict[str, str] | None,
    same_system: bool,
    as_of: date | None,
) -> LoadResult:
    step = progress or (lambda _fraction, _text: None)
    if kind not in KINDS:
        raise FileRefused(file_name, f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")
    rollout_id = org.rollout_for(scope, kind, file_name, rollout)
    step(0.05, "Reading the file")
    if table is None:
        table = _first_read(file_name, kind, data)
    # a mapping or cohort values given by hand with format auto are remembered for these columns
    remember = bool(mapping or cohort_values) and (format or "auto").strip().lower() == "auto"
    format, mapping, dayfirst, cohort_values, preset_name, guessed = roster_import.mapping_for(
        scope, kind, table, format, mapping, dayfirst, cohort_values
    )
    if preset_name is None:
        format, mapping, dayfirst, preset_name = _preset(scope, kind, file_name, format, mapping, dayfirst)
    choice = forms.choose(table, kind, format, mapping) if kind == "feedback" else None
    choice = choice or file_kind.choose(
        table, kind, format, mapping, needs_activity=(kind == "usage" and rollout_id is None)
    )
    in_sql = kind == "tickets" or (kind == "usage" and not (choice.format and choice.format.expand))
    if not in_sql and (not table.complete or isinstance(data, Path)):
        table = read_table(file_name, staging.whole(data))
    messages = _format_messages(table, choice, preset_name, guessed)
    step(0.1, "Reading the rows" if in_sql else "Checking the rows")
    context, cohorts_to_map = read_context(scope, kind, table, choice, rollout_id, cohort_values)
    cur = scope.store.cursor()
    try:
        checked = _checked(cur, scope, kind, table, data, choice, context, dayfirst, messages, in_sql, step)
        try:
            _refuse_if_mostly_bad(file_name, checked.valid + len(checked.rejects), checked.rejects)
        except FileRefused as exc:
            exc.cohorts_to_map = cohorts_to_map  # the Data page asks for these
            raise
        system = sum(1 for r in checked.rejects if r.system)
        if system:
            messages.append(
                f"{plural(system, 'row')} {'is' if system == 1 else 'are'} system or administrator activity "
                "(not a person): set aside and not counted as people"
            )
        result = LoadResult(
            None,
            choice.name,
            rows_read=checked.valid + len(checked.rejects),
            rows_rejected=len(checked.rejects),
            rejects=checked.rejects,
            messages=messages,
            system_rows=system,
            cohorts_to_map=cohorts_to_map,
            preview=checked.preview,
        )
        parsed = checked.parsed
        step(0.5, "Merging into the database")
        sha = checked.sha256 or staging.digest(data)
        # written down before its transaction, so a load cut off by a crash is known to have never
        # finished (analysis/care/attempts.py); a preview is not
        with attempts.attempt(scope, kind, file_name, record=not dry_run) as attempt:
            try:
                with scope.store.transaction("load a file", org_id=scope.org_id) as cur:
                    # a preview takes no id from the sequence, so load ids run on without gaps
                    result.upload_id = (
                        -1 if dry_run else cur.execute("SELECT nextval('upload_id_seq')").fetchall()[0][0]
                    )
                    _merge(cur, scope, kind, file_name, rollout_id, parsed, result, choice, same_system, step, as_of)
                    step(0.85, "Recording the load")
                    earlier = file_kind.already_loaded(cur, scope.org_id, sha)
                    if earlier and not (result.rows_loaded or result.rows_updated or result.people_left):
                        result.messages.insert(
                            0, f"This file was already loaded as {earlier}: nothing new, so no load was recorded"
                        )
                        result.already_loaded = True
                        raise _DryRun  # an empty load would only clutter the history
                    _record(cur, scope, rollout_id, kind, file_name, sha, result)
                    audit.note(
                        detail=f"{kind} file {file_name!r}: load {result.upload_id}, {result.rows_loaded} rows "
                        f"loaded, {result.rows_updated} updated, {result.rows_rejected} rejected"
                    )
                    attempt.loaded(cur, result.upload_id)  # finished exactly when the load commits
                    if remember:
                        roster_import.remember(
                            cur, scope, kind, file_name, table.header, mapping, cohort_values, dayfirst
                        )
                    if dry_run:
                        raise _DryRun  # roll the whole load back: the preview stores nothing
            except _DryRun:
                result.upload_id = None
        step(1.0, "Done")
        return result
    finally:
        usage.drop(cur)
        ticket_cells.drop(cur)
        ticket_collapse.drop(cur)
        ticket_merge.drop(cur)
        staging.drop(cur)


def _first_read(file_name: str, kind: str, data: bytes | Path) -> Table:
    """A usage or tickets CSV is read whole by DuckDB (analysis/ingest/staging.py): only its head
    here, unless its first row is longer than the head (then the file, whose refusal says why)."""
    if kind in ("usage", "tickets"):
        try:
            return read_head(file_name, head_bytes(data), rows=50)
        except FileRefused:
            pass
    return read_table(file_name, staging.whole(data))


@dataclass
class _Checked:
    parsed: list[dict]  # the rows parsed in Python (the row path), [] when they are in SQL
    valid: int  # rows kept
    rejects: list[Reject]
    preview: list[dict]
    sha256: str | None = None  # the file's digest when staging took it (analysis/ingest/staging.py)


def _checked(cur, scope: Scope, kind: str, table: Table, data, choice, context: dict, dayfirst, messages, in_sql, step):
    """The rows checked: in SQL for usage (the temp table parsed: analysis/ingest/usage.py) and
    tickets (t_parsed: analysis/ingest/ticket_cells.py), in Python row by row for rosters and
    formats that reshape rows (usage then staged as parsed too, so one merge serves both)."""
    if in_sql:
        staged = staging.stage(cur, scope.store.staging_dir, table, data)
        step(0.25, f"Checking {staged.rows:,} rows")
        headers = {name: staged.header[index] for name, index in choice.columns.items()}
        if kind == "tickets":
            dated = {n: i for n, i in choice.columns.items() if n in DATE_FIELDS}
            seen = ticket_values.date_values(cur, staged, dated)
        else:
            distinct = usage.distinct_values(cur, staged, choice)
            seen = {name: set(texts) for name, texts in distinct.items() if name in DATE_FIELDS}
        try:
            context["dates"] = date_readers(table, choice, headers, seen, context["tz"], dayfirst, messages)
        except FileRefused:
            if staging.size(data) > MAX_CSV_BYTES:
                raise
            # the refusal names the first lines that show the problem: read the whole file for them
            whole = read_table(table.file_name, staging.whole(data))
            context["dates"] = date_readers(whole, choice, headers, seen, context["tz"], dayfirst, messages)
        if kind == "tickets":
            ticket_cells.parse(cur, scope, staged, choice, context)
            step(0.4, "Collecting the rejected rows")
            rejects = ticket_cells.rejects(cur, staged)
            staging.drop(cur)  # the file's cells are read: their memory goes to the merge
            if left := ticket_cells.companies_message(cur, scope):
                messages.append(left)
            return _Checked([], ticket_cells.kept(cur), rejects, ticket_cells.preview(cur), staged.sha256)
        usage.parse(cur, staged, choice, context, distinct)
        step(0.4, "Collecting the rejected rows")
        rejects = usage.rejects(cur, staged, choice)
        staging.drop(cur)  # the file's cells are read (a 20 M-row file's spill to disk): the merge gets the memory
        return _Checked([], usage.kept(cur), rejects, usage.preview(cur), staged.sha256)
    parsed, rejects = validate(table, kind, choice, context, dayfirst, messages)
    preview = [{k: v for k, v in row.items() if k != "line"} for row in parsed[:5]]
    if kind == "usage":
        usage.stage_rows(cur, parsed)
        return _Checked([], len(parsed), rejects, preview)
    return _Checked(parsed, len(parsed), rejects, preview)


def _format_messages(
    table: Table, choice: formats.Choice, preset_name: str | None, guessed: dict[str, str]
) -> list[str]:
    """The messages about how the file was read (format, preset, columns guessed); names the choice
    after its preset."""
    if guessed:
        choice.messages = [
            "Read as a roster by its column names: " + ", ".join(f"{f} = {c!r}" for f, c in guessed.items())
        ]
    messages = [*choice.messages, *table.notes]
    if preset_name:
        choice.name = f"preset {preset_name}"
    if choice.format is not None and choice.format.inspect is not None:
        messages += choice.format.inspect(table, choice.columns)
    return messages


def _merge(
    cur,
    scope: Scope,
    kind: str,
    file_name: str,
    rollout_id: int | None,
    parsed: list[dict],
    result: LoadResult,
    choice: formats.Choice,
    same_system: bool,
    step: Progress,
    as_of: date | None,
) -> None:
    """Merge the parsed rows of the load result.upload_id."""
    if kind == "tickets":
        ticket_collapse.collapse(cur, event_log=bool(choice.format and choice.format.event_log))
        clash = ticket_merge.merge(cur, scope.org_id, result.upload_id, result, same_system, stable_opening(choice))
        if clash:
            raise FileRefused(file_name, clash)  # rolls the load back: nothing is stored
    elif kind == "usage":
        usage_merge.merge(cur, scope.org_id, rollout_id, result.upload_id, result, step)
    elif kind in RECORD_KINDS and rollout_id is not None:  # _load refuses these without a rollout
        merge_record(cur, kind, scope.org_id, rollout_id, result.upload_id, parsed, result)
    else:
        merge_roster(cur, scope.org_id, rollout_id, result.upload_id, parsed, result, as_of or date.today())


def _preset(scope: Scope, kind: str, file_name: str, format: str, mapping, dayfirst):
    """(format, mapping, dayfirst, preset name): a saved preset's mapping under any given by hand."""
    name = (format or "auto").strip()
    if name.lower() in ("auto", "canonical") or formats.by_name(name) is not None:
        return name, mapping, dayfirst, None
    try:
        saved = presets.preset(scope, name)
    except LookupError:
        known = ", ".join(p.name for p in presets.presets(scope)) or "none saved yet"
        raise FileRefused(
            file_name,
            f"unknown format or preset {name!r}: choose auto, canonical, one of "
            f"{', '.join(f.name for f in formats.registry())}, or a preset saved for this "
            f"organisation ({known})",
        ) from None
    if saved.kind != kind:
        raise FileRefused(
            file_name,
            f"the preset {saved.name!r} is for {saved.kind} files, not {kind}: "
            f"load the file as {saved.kind}, or choose another preset",
        )
    return "auto", {**saved.mapping, **(mapping or {})}, saved.dayfirst if dayfirst is None else dayfirst, saved.name


def _refuse_if_mostly_bad(file_name: str, read: int, rejects: list[Reject]) -> None:
    """More than half the rows rejected: refuse the file. Rows left out because they belong to
    another client's company are not bad rows and do not count."""
    bad = [r for r in rejects if not r.left_out]
    ours = read - (len(rejects) - len(bad))
    if ours == 0 and rejects and all(r.system for r in rejects):
        raise FileRefused(file_name, "every row is system or administrator activity, not a person's: nothing to load")
    if ours == 0:
        raise FileRefused(
            file_name,
            "no row of this export is for this organisation: every row belongs to a "
            "company mapped to another organisation or not mapped yet (map companies on the "
            "Data page), so nothing was loaded",
        )
    if len(bad) * 2 > ours:
        first = bad[0]
        where = f"line {first.line}" + (f", column {first.column}" if first.column else "")
        raise FileRefused(
            file_name,
            f"{len(bad)} of {ours} rows would be rejected "
            f"(more than half), so nothing was loaded. First: {where}: {first.reason}. "
            "Check that this is the right file and kind",
        )


class _DryRun(Exception):
    pass
