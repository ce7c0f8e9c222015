"""Real exports as they come: each module describes one tool's export format, and this registry
recognises a file by its header set and maps it onto the canonical fields (analysis.canonical).

A format is recognised by the names of its columns, compared trimmed, in any case and without
spaces or underscores (so `User Principal Name`, `userPrincipalName` and `user_principal_name`
are one name), in any order, repeated headers allowed (the first is used). detect() scores each
format by the share of the file's named columns it knows; choose() turns a format name ("auto",
"canonical", a format, or a manual mapping) into the columns to read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from analysis import canonical
from analysis.files import FileRefused, Table


def key(name: str) -> str:
    """A header as formats compare it: trimmed, lower case, without spaces or underscores."""
    return re.sub(r"[\s_]+", "", name.strip().lower())


_UNNAMED = re.compile(r"|unnamed:?\d*|column\d*|index|\d+")  # R/pandas row numbers, blank names


def named(header: list[str]) -> list[str]:
    """The header's real column names (not blank, not an index column R or pandas added)."""
    return [h for h in header if not _UNNAMED.fullmatch(key(h))]


class Row:
    """One file row, its cells looked up by header name (first occurrence; '' when absent)."""

    __slots__ = ("raw", "index")

    def __init__(self, raw: list[str], index: dict[str, int]):
        self.raw, self.index = raw, index

    def __getitem__(self, name: str) -> str:
        i = self.index.get(key(name))
        return self.raw[i] if i is not None and i < len(self.raw) else ""


@dataclass(frozen=True)
class Format:
    """One tool's export. fields lists, per canonical field, the headers that may hold it (the
    first present wins; "re:..." is a regular expression on the lower-case header)."""

    name: str
    label: str  # "a Zendesk ticket export"
    kind: str  # usage | tickets | roster
    columns: tuple[str, ...]  # the headers the tool writes: they identify it
    fields: Mapping[str, tuple[str, ...]]
    patterns: tuple[str, ...] = ()  # further headers of the tool (custom fields)
    values: Mapping[str, Callable[[str], str]] = field(default_factory=dict)  # cell transforms
    constants: Mapping[str, str] = field(default_factory=dict)  # fields with a fixed value
    expand: Callable[[dict, Row], list[dict]] | None = None  # one row -> several canonical rows
    inspect: Callable[[Table, dict[str, int]], list[str]] | None = None  # whole-file checks
    needs: tuple[str, ...] = ()  # fields it must find, beyond the kind's
    source: str | None = None  # tickets: the system, part of a ticket's identity
    event_log: bool = False  # rows are events: a ticket's first resolved row
    #                                                is the time it was resolved (not approximate)
    utc: frozenset[str] = frozenset()  # fields whose times without a zone are UTC
    day_offset: Mapping[str, int] = field(default_factory=dict)  # days added to a date field
    expand_note: str | None = None  # what one expanded row is, when not a product's last activity (a survey's answer)
    # derived from columns and patterns in __post_init__ (not arguments)
    _keys: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())
    _patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self):
        object.__setattr__(self, "_keys", frozenset(key(c) for c in self.columns))
        object.__setattr__(self, "_patterns", tuple(re.compile(p, re.I) for p in self.patterns))

    def knows(self, header: str) -> bool:
        return key(header) in self._keys or any(p.fullmatch(header.strip()) for p in self._patterns)

    def column_of(self, table: Table, candidates: tuple[str, ...]) -> int | None:
        index = header_index(table.header)
        for candidate in candidates:
            if candidate.startswith("re:"):
                pattern = re.compile(candidate[3:], re.I)
                found = next((i for i, h in enumerate(table.header) if pattern.fullmatch(h.strip())), None)
            else:
                found = index.get(key(candidate))
            if found is not None:
                return found
        return None

    def columns_in(self, table: Table) -> dict[str, int]:
        """canonical field -> column index, for the fields this file holds."""
        found = {}
        for name, candidates in self.fields.items():
            index = self.column_of(table, candidates)
            if index is not None:
                found[name] = index
        return found

    def missing(self, columns: dict[str, int]) -> list[str]:
        """The fields this format needs that columns (and constants) do not give."""
        have = set(columns) | set(self.constants)
        need = [f for f in (*canonical.REQUIRED[self.kind], *self.needs) if f not in have]
        if self.kind == "usage" and not have & {"date", "timestamp"}:
            need.append("date (or timestamp)")
        return need


class SystemActivity(ValueError):
    """A row of the tool itself (an administrator, cron, the command line), not of a person: set
    aside and reported as system activity, not rejected as bad."""

    field = "user_id"


def header_index(header: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(key(name), i)
    return index


@dataclass
class Detection:
    """How well a format matches a header: it knows `known` of the file's `named` columns."""

    format: Format
    known: int
    named: int
    mapping: dict[str, str]  # canonical field -> the file's column
    missing: list[str]

    @property
    def confidence(self) -> float:
        return self.known / self.named if self.named else 0.0

    @property
    def coverage(self) -> float:
        return self.known / len(self.format.columns)


def registry() -> list[Format]:
    from analysis.formats import entra, eventlog, freshdesk, jira, m365, moodle, purview, servicenow, viva, zendesk

    return [
        *m365.FORMATS,
        *viva.FORMATS,
        *entra.FORMATS,
        *purview.FORMATS,
        *moodle.FORMATS,
        *zendesk.FORMATS,
        *servicenow.FORMATS,
        *jira.FORMATS,
        *freshdesk.FORMATS,
        *eventlog.FORMATS,
    ]


def by_name(name: str) -> Format | None:
    return next((f for f in registry() if f.name == name.strip().lower()), None)


RECOGNISED = 0.5  # a format is recognised when it knows at least half the file's named columns


def candidates(table: Table) -> list[Detection]:
    """Every format that knows at least two of the file's columns, best first; those that can
    read it (nothing missing) before those that cannot."""
    names = named(table.header)
    found = []
    for fmt in registry():
        known = sum(1 for h in names if fmt.knows(h))
        if known < 2:
            continue
        columns = fmt.columns_in(table)
        found.append(
            Detection(fmt, known, len(names), {f: table.header[i] for f, i in columns.items()}, fmt.missing(columns))
        )
    found.sort(key=lambda d: (not d.missing, d.confidence, d.known, d.coverage), reverse=True)
    return found


def detect(table: Table) -> Detection | None:
    """The format the file is in, or None when no format that can read it knows at least half
    its columns, or several fit it equally well (a few columns that several reports share)."""
    found = [d for d in candidates(table) if not d.missing]
    if not found or found[0].confidence < RECOGNISED or len(tied(found)) > 1:
        return None
    return found[0]


def tied(found: list[Detection]) -> list[Detection]:
    """The formats that fit as well as the best one, when the file shows too little of it to tell."""
    best = found[0]
    if best.coverage >= RECOGNISED:
        return [best]
    return [d for d in found if (d.confidence, d.known) == (best.confidence, best.known)]


def near_miss(table: Table) -> Detection | None:
    """A format that knows most of the file's columns but misses a field it needs."""
    found = candidates(table)
    if found and not found[0].missing:
        return None  # some format can read it
    found = [d for d in found if d.confidence >= RECOGNISED]
    return found[0] if found else None


# -- choosing how to read a file ----------------------------------------------------------------------


@dataclass
class Choice:
    format: Format | None  # None: the canonical contract
    columns: dict[str, int]  # canonical field -> column index
    name: str  # recorded as the load's format
    messages: list[str] = field(default_factory=list)


def choose(
    table: Table,
    kind: str,
    format_name: str = "auto",
    mapping: dict[str, str] | None = None,
    needs_activity: bool = False,
) -> Choice:
    """How to read table as a file of kind: the canonical contract, a named format, or the
    format detect() recognises ("auto"); mapping {field: column} overrides any of them."""
    mapping = {k.strip().lower(): v for k, v in (mapping or {}).items()}
    wanted = format_name.strip().lower()
    if wanted == "canonical":
        return _canonical(table, kind, mapping, needs_activity)
    if wanted == "auto":
        found = _recognise(table, mapping)
        if found is None:
            return _canonical_or_explain(table, kind, mapping, needs_activity)
        fmt = found.format
        message = f"Recognised {fmt.label} ({found.known} of {found.named} identifying columns)"
    else:
        chosen = by_name(wanted)
        if chosen is None:
            raise FileRefused(
                table.file_name,
                f"unknown format {format_name!r}: choose auto, canonical, "
                f"one of {', '.join(f.name for f in registry())}, or a saved preset",
            )
        fmt = chosen
        message = f"Read as {fmt.label}, as chosen"
    if fmt.kind != kind:
        raise FileRefused(
            table.file_name, f"line 1: this is {fmt.label}, which holds {fmt.kind}, not {kind}: load it as {fmt.kind}"
        )
    columns = fmt.columns_in(table)
    columns.update(canonical.mapped_columns(table, kind, mapping))
    missing = fmt.missing(columns)
    if (
        kind == "usage"
        and needs_activity
        and "activity" not in columns
        and "activity" not in fmt.constants
        and fmt.expand is None
    ):
        missing.append("activity")
    if missing:
        raise FileRefused(
            table.file_name,
            f"line 1: this looks like {fmt.label} but it has no column for "
            f"{', '.join(missing)} (its columns are: {canonical.shown_columns(table)}): "
            "map them with --map FIELD=COLUMN (or on the Data page)",
        )
    if mapping:
        message += "; columns mapped by hand: " + ", ".join(f"{f} = {c!r}" for f, c in mapping.items())
    return Choice(fmt, columns, fmt.name, [message])


def _canonical_share(table: Table) -> float:
    """The share of the file's named columns that are canonical field names (of any kind)."""
    names = named(table.header)
    every = {f for kind in canonical.DATA_KINDS for f in canonical.fields(kind)}
    return sum(1 for h in names if h.strip().lower() in every) / len(names) if names else 0.0


def _recognise(table: Table, mapping: dict[str, str]) -> Detection | None:
    """The format detected, or a known format whose missing fields the mapping supplies; None
    when the file is at least as much the canonical contract."""
    found = detect(table)
    if found is None and mapping:
        near = near_miss(table)
        if near is not None and all(m.split()[0] in mapping for m in near.missing):
            found = near
    if found is not None and _canonical_share(table) >= found.confidence:
        return None
    return found


def _canonical_or_explain(table: Table, kind: str, mapping: dict[str, str], needs_activity: bool) -> Choice:
    """The canonical contract; when the file is not that, and looks more like a known format,
    the refusal says which (formats it fits equally, or the column a format misses)."""
    try:
        return _canonical(table, kind, mapping, needs_activity)
    except FileRefused:
        if mapping:
            raise
        share = _canonical_share(table)
        readable = [d for d in candidates(table) if not d.missing]
        if readable and readable[0].confidence >= max(RECOGNISED, share + 1e-9):
            names = ", ".join(f"{d.format.name} ({d.format.label})" for d in tied(readable)[:6])
            raise FileRefused(
                table.file_name,
                f"line 1: these columns fit several formats equally: {names}: "
                "choose one with --format (or on the Data page)",
            ) from None
        near = near_miss(table)
        if near is None or share >= near.confidence:
            raise
        raise FileRefused(
            table.file_name,
            f"line 1: this looks like {near.format.label} but it has no column "
            f"for {', '.join(near.missing)} (its columns are: {canonical.shown_columns(table)}): "
            "export it with that column, or map one with --map FIELD=COLUMN (or on the Data "
            "page)",
        ) from None


def _canonical(table: Table, kind: str, mapping: dict[str, str], needs_activity: bool) -> Choice:
    columns = canonical.column_map(table, kind, needs_activity, mapping)
    if not mapping:
        return Choice(None, columns, "canonical")
    return Choice(
        None, columns, "mapping", ["Columns mapped by hand: " + ", ".join(f"{f} = {c!r}" for f, c in mapping.items())]
    )
