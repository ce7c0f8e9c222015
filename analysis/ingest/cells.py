"""A table's rows -> canonical text cells (through the format's transforms, constants and
expansion) -> parsed rows and rejects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis import formats, values
from analysis.canonical import DATE_FIELDS
from analysis.files import Table
from analysis.ingest.dates import date_readers, unique_dates
from analysis.ingest.record_rows import ROW_PARSERS
from analysis.ingest.results import Reject, raw_line
from analysis.ingest.rows import RowError, roster_row, usage_row
from analysis.words import plural


def validate(
    table: Table, kind: str, choice: formats.Choice, context: dict, dayfirst: bool | None, messages: list[str]
) -> tuple[list[dict], list[Reject]]:
    """Parsed rows and rejects. Each row is first converted to canonical text cells (a format may
    transform cells, add constant fields or turn one row into several), then parsed."""
    parse_row = {"roster": roster_row, "usage": usage_row, **ROW_PARSERS}[kind]
    headers = {name: table.header[index] for name, index in choice.columns.items()}
    parsed: list[dict] = []
    rejects: list[Reject] = []
    rows: Iterable[tuple[int, list[str], dict]]
    fmt = choice.format
    if fmt is not None and fmt.expand is not None:
        rows = list(canonical_cells(table, choice, headers, rejects, messages))
        seen = unique_dates({name for name in DATE_FIELDS}, (cell for _, _, cell in rows))
    else:
        rows = canonical_cells(table, choice, headers, rejects, messages)
        width = len(table.header)
        seen = {
            name: {raw[index] for raw in table.rows if len(raw) == width}
            for name, index in choice.columns.items()
            if name in DATE_FIELDS
        }
    context["dates"] = date_readers(table, choice, headers, seen, context["tz"], dayfirst, messages)
    extra = extra_columns(table, choice) if kind == "roster" else []
    for line, raw, cell in rows:
        try:
            row = parse_row(cell, context)
        except RowError as exc:
            user = values.normalise_user(cell.get("user_id", "")) or None
            column = cell.get(f"_column:{exc.column}") or headers.get(exc.column, exc.column)
            rejects.append(Reject(line, column, str(exc), raw_line(raw, table.delimiter), user))
            continue
        row["line"] = line
        if kind == "roster":  # the columns no field takes, kept as they were written
            row["extra"] = {name: raw[i].strip() for i, name in extra if not values.is_missing(raw[i])}
        parsed.append(row)
    return parsed, rejects


def extra_columns(table: Table, choice: formats.Choice) -> list[tuple[int, str]]:
    """(index, header as written, trimmed) of a roster's columns that map to no roster field (a
    location, a role, a manager): the first of two columns with the same name."""
    used = set(choice.columns.values())
    seen: set[str] = set()
    out = []
    for index, header in enumerate(table.header):
        name = header.strip()
        if index in used or not name or name.lower() in seen:
            continue
        seen.add(name.lower())
        out.append((index, name))
    return out


def canonical_cells(
    table: Table, choice: formats.Choice, headers: dict[str, str], rejects: list[Reject], messages: list[str]
) -> Iterator[tuple[int, list[str], dict]]:
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
            rejects.append(
                Reject(
                    line,
                    None,
                    f"the row has {len(raw)} fields where the header has {width}",
                    raw_line(raw, table.delimiter),
                )
            )
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
            rejects.append(
                Reject(
                    line,
                    column,
                    str(exc),
                    raw_line(raw, table.delimiter),
                    None if system else values.normalise_user(cell.get("user_id", "")) or None,
                    left_out=system,
                    system=system,
                )
            )
            continue
        rows_in += 1
        events += len(out)
        empty += not out
        for one in out:
            yield line, raw, one
    if expand and fmt is not None and fmt.expand_note:
        messages.append(f"{plural(rows_in, 'response')} gave {plural(events, 'answer')} ({fmt.expand_note})")
    elif expand:
        messages.append(
            f"{plural(rows_in, 'row')} gave {plural(events, 'event')} (one per product used, on its "
            "last-activity date)"
            + (
                f"; {plural(empty, 'person', 'people')} had no activity date in the "
                "report, so there is nothing to load for them"
                if empty
                else ""
            )
        )
