"""How each date column of a file is read: day or month first, decided by the column's own values,
by the file's other date columns or by the caller, never guessed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from analysis import formats, values
from analysis.canonical import DATE_FIELDS
from analysis.files import FileRefused, Table


def unique_dates(names: set[str], cells) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    for cell in cells:
        for name in names & cell.keys():
            seen.setdefault(name, set()).add(cell[name])
    return seen


def date_readers(
    table: Table,
    choice: formats.Choice,
    headers: dict[str, str],
    seen: dict[str, set[str]],
    tz: ZoneInfo,
    dayfirst: bool | None,
    messages: list[str],
) -> dict[str, values.DateReader]:
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
        if order in (values.MIXED, values.AMBIGUOUS):  # examples from the first lines that show it
            example, other = (
                first_in_order(table, choice, name, values.DAY_FIRST if order == values.MIXED else order, example),
                first_in_order(table, choice, name, values.MONTH_FIRST, other),
            )
        if order == values.MIXED:
            raise FileRefused(
                table.file_name,
                f"line {line_of(table, choice, name, example)}, column {column}: "
                f"the dates mix day-first ({example}) and month-first ({other}, line "
                f"{line_of(table, choice, name, other)}) orders: correct the file so that one "
                "order is used, and load again",
            )
        if order in (values.DAY_FIRST, values.MONTH_FIRST):
            first = order == values.DAY_FIRST
            if dayfirst is not None and dayfirst != first:
                messages.append(
                    f"Column {column} is {order} by its own values (e.g. {example}): "
                    f"{'--dayfirst' if dayfirst else '--monthfirst'} was not applied to it"
                )
        elif order == values.AMBIGUOUS:
            if dayfirst is not None:
                first = dayfirst
            elif len(decided) == 1:
                first = decided == {values.DAY_FIRST}
                messages.append(
                    f"Column {column} reads its dates {next(iter(decided))}, like the other dates of this file"
                )
            else:
                raise FileRefused(
                    table.file_name,
                    f"line {line_of(table, choice, name, example)}, column "
                    f"{column}: dates such as {example} could be day-first or month-first, and "
                    "no date in the column decides: load again with --dayfirst or --monthfirst "
                    "(on the Data page, choose the order)",
                )
        readers[name] = values.DateReader(tz, first if first is not None else dayfirst, latest, utc=name in utc)
    return readers


def first_in_order(table: Table, choice: formats.Choice, name: str, order: str, default: str | None) -> str | None:
    """The first value in the file, in line order, of a date field whose own order is `order`."""
    index = choice.columns.get(name)
    if index is None or default is None:
        return default
    width = len(table.header)
    return next(
        (raw[index] for raw in table.rows if len(raw) == width and values.date_order([raw[index]])[0] == order), default
    )


def line_of(table: Table, choice: formats.Choice, name: str, value: str | None) -> int | str:
    """The first line on which a date field holds value (for messages)."""
    index = choice.columns.get(name)
    for line, raw in zip(table.lines, table.rows):
        if index is not None and index < len(raw) and raw[index] == value:
            return line
        if index is None and value in raw:
            return line
    return "?"
