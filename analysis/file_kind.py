"""What a wrong file is, said plainly instead of inviting a hand mapping:

- binary content by its first bytes (a PDF renamed .csv, a Word document, an image, an archive);
- a table that matches no format and has no column that could make it usage (a person and a
  date), tickets (an id and a date) or a roster (a person and a cohort);
- a file already loaded into the organisation (same SHA-256), named by its load.
"""

from __future__ import annotations

import io
import re
import zipfile

_MAGIC = (
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"BM", None),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"{\\rtf", "a Rich Text document"),
)
_ZIPPED = (("word/", "a Word document"), ("ppt/", "a PowerPoint presentation"))


def binary_kind(data: bytes) -> str | None:
    """What the bytes are when they are not a CSV or spreadsheet ("a PDF"), else None."""
    for magic, what in _MAGIC:
        if data.startswith(magic) and what:
            return what
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "a WebP image"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError):
            return None  # the spreadsheet reader says it cannot be opened
        if any(n.startswith("xl/") for n in names) or "content.xml" in names:
            return None  # .xlsx or .ods
        return next((what for prefix, what in _ZIPPED if any(n.startswith(prefix) for n in names)), "a zip archive")
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "a web page (HTML)"
    return None


# Header keys (analysis.formats.key) that could hold each part of a data file.
_PERSON = re.compile(
    r".*(user|person|email|e-mail|mail|upn|login|account|employee|staff|student|requester|"
    r"caller|owner|assignee|name).*|id"
)
_DATE = re.compile(r".*(date|time|created|opened|updated|resolved|closed|day|week|month|when|at)$|.*date.*")
_TICKET = re.compile(r".*(ticket|incident|case|issue|request|number|key|srnumber)$|id|number|key")
_COHORT = re.compile(r".*(cohort|wave|group|phase|pilot|ring|stage).*")
_DATE_VALUE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


def could_be_data(header: list[str], rows: list[list[str]]) -> bool:
    """Whether a table could be usage, tickets or a roster once mapped by hand: it has a column
    for a person or a ticket, and one of a date (by its name or its first values) or a cohort."""
    from analysis.formats import key, named  # here: analysis.files imports this module

    names = named(header)
    keys = [key(h) for h in names]
    sample = rows[:50]
    dated = any(_DATE.fullmatch(k) for k in keys) or any(
        sum(1 for r in sample if i < len(r) and _DATE_VALUE.match(r[i].strip())) > len(sample) / 2
        for i in range(len(header))
    )
    person = any(_PERSON.fullmatch(k) for k in keys)
    ticket = any(_TICKET.fullmatch(k) for k in keys)
    cohort = any(_COHORT.fullmatch(k) for k in keys)
    return (person or ticket) and dated or person and cohort


def choose(table, kind: str, format: str, mapping, needs_activity: bool):
    """analysis.formats.choose; a table that could not be data at all is refused saying so,
    instead of inviting a hand mapping."""
    from analysis import canonical, formats
    from analysis.files import FileRefused

    try:
        return formats.choose(table, kind, format, mapping, needs_activity=needs_activity)
    except FileRefused:
        # Uptake's own names for an id or a date say the file is meant as data: keep the precise refusal
        own = {f for k in canonical.DATA_KINDS for f in canonical.REQUIRED[k]} | canonical.DATE_FIELDS
        known = any(d.confidence >= formats.RECOGNISED for d in formats.candidates(table))
        if (
            mapping
            or known
            or {h.strip().lower() for h in table.header} & own
            or could_be_data(table.header, table.rows)
        ):
            raise
        raise FileRefused(table.file_name, not_data_message(table.header)) from None


def not_data_message(header: list[str]) -> str:
    shown = ", ".join(h[:40] for h in header[:8]) + (", ..." if len(header) > 8 else "")
    return (
        f"this table (columns {shown}) matches no export Uptake reads, and has no "
        "column that could be a person or a ticket with a date, or a person with a cohort: it does not "
        "look like usage, tickets or a roster. Check that this is the right file"
    )


def already_loaded(cur, org_id: int, sha256: str) -> str | None:
    """'load 5 on 4 Dec 2026 by ann' when the organisation holds a load of these bytes (not undone)."""
    row = cur.execute(
        "SELECT upload_id, loaded_at, loaded_by FROM uploads WHERE org_id = ? AND sha256 = ? "
        "AND undone_at IS NULL ORDER BY upload_id LIMIT 1",
        [org_id, sha256],
    ).fetchall()
    if not row:
        return None
    upload_id, loaded_at, loaded_by = row[0]
    return f"load {upload_id} on {loaded_at:%-d %b %Y} by {loaded_by}"


def undetected_message(file_name: str, data: bytes) -> str:
    """What the Data page says of a file whose kind it cannot tell: why it cannot be read, that
    it is not data for Uptake, or (a plausible table) to choose the kind or map its columns."""
    from analysis.files import FileRefused, read_table

    try:
        table = read_table(file_name, data)
    except FileRefused as exc:
        return "Refused, nothing will be stored. " + exc.messages[0]
    if not could_be_data(table.header, table.rows):
        return f"{file_name}: {not_data_message(table.header)}."
    return (
        f"{file_name}: Uptake cannot tell what this file holds. Choose what is in it above, or map its columns by hand."
    )
