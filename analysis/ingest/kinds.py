"""What a file probably holds (roster, usage or tickets), from its header and first rows."""

from __future__ import annotations

from analysis import canonical, formats, roster_import
from analysis.canonical import KINDS
from analysis.files import FileRefused, Table, read_head
from analysis.formats import forms
from analysis.scope import Scope


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
    if forms.recognise(table) is not None:  # a survey export (analysis/formats/forms.py)
        return "feedback"
    header = {h.strip().lower() for h in table.header}
    kinds = [k for k in KINDS if set(canonical.REQUIRED[k]) <= header and header & canonical.TELLTALES[k]]
    if len(kinds) > 1 and len(record := [k for k in kinds if k in canonical.RECORD_KINDS]) == 1:
        kinds = record  # survey answers name a person and a date, as usage does: their own columns decide
    if len(kinds) == 1:
        return kinds[0]
    saved = [k for k in KINDS if scope is not None and roster_import.remembered(scope, k, table.header)]
    if len(saved) == 1:
        return saved[0]
    if not kinds and set(canonical.REQUIRED["roster"]) <= set(roster_import.guess_mapping(table.header)):
        return "roster"
    return None
