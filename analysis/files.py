"""Bytes of an uploaded file -> a table of text cells with the line each row starts on.

Reads CSV (UTF-8 with or without BOM, UTF-16, Windows-1252 and other encodings sniffed by
charset-normalizer, lines in mixed UTF-8 and Windows-1252; comma, semicolon or tab) and Excel
workbooks (.xlsx, .xls, .ods: the first sheet, read with python-calamine; cells become text,
dates ISO 8601, formulas their saved values, never evaluated). It never drops a row: a row with
the wrong number of fields is kept and reported by the loader, and a quote left open, which
would swallow the following lines into one cell, refuses the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import charset_normalizer
from python_calamine import CalamineWorkbook

from analysis import upload_limits
from analysis.file_kind import binary_kind
from analysis.upload_limits import MAX_BYTES, TooBig

MAX_HEADER_CHARS = 1000
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))  # long descriptions (default 128 KB)


class FileRefused(ValueError):
    """The file cannot be what it claims to be: nothing from it is stored."""

    def __init__(self, file_name: str, message: str):
        super().__init__(f"{file_name}: {message}")
        self.file_name = file_name
        self.messages = [f"{file_name}: {message}"]
        self.cohorts_to_map: list[str] = []  # a roster's cohort values no cohort takes (the Data page asks)


@dataclass
class Table:
    file_name: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # the line in the file on which each row starts
    encoding: str = "utf-8"
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)
    complete: bool = True  # False: read_head's first rows only


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with; undecodable bytes are never silently dropped."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _utf16_without_bom(data):
        return data.decode("utf-16-le", errors="replace"), "utf-16-le"
    mixed = _mixed_lines(data)
    if mixed is not None:
        return mixed, "mixed UTF-8 and Windows-1252"
    western = _windows_1252(data)
    if western is not None:
        return western, "cp1252"
    best = charset_normalizer.from_bytes(data).best()
    encoding = best.encoding if best else "cp1252"
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace"), "cp1252 (with replacements)"


def _utf16_without_bom(data: bytes) -> bool:
    head = data[:400]
    return len(head) >= 4 and head[1::2].count(0) > 0.9 * (len(head) // 2)


def _mixed_lines(data: bytes) -> str | None:
    """The text of a file whose lines are partly UTF-8 and partly Windows-1252 (files pasted
    together), each line read in its own encoding; None when it is not such a file."""
    lines = data.split(b"\n")
    utf8 = bad = 0
    decoded = []
    for line in lines:
        try:
            text = line.decode("utf-8")
            utf8 += not line.isascii()
        except UnicodeDecodeError:
            text = line.decode("cp1252", errors="replace")
            bad += 1
        decoded.append(text)
    return "\n".join(decoded) if utf8 and bad else None


def _windows_1252(data: bytes) -> str | None:
    """The text of a Western European export in Windows-1252 (Excel's default): it decodes, and
    accented letters are a small share of its letters (text in another alphabet read as
    Windows-1252 is mostly accented letters; charset-normalizer handles those)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [c for c in text if c.isalpha()]
    accented = sum(1 for c in letters if not c.isascii())
    return text if letters and accented <= 0.2 * len(letters) else None


def sniff_delimiter(first_line: str) -> str:
    first_line = re.sub(r'"[^"]*"', "", first_line)  # a delimiter inside a quoted name does not count
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx/.ods (zip), .xls (OLE)


def read_table(file_name: str, data: bytes) -> Table:
    """Every row of the file (within the limits of analysis/upload_limits.py)."""
    return _checked(_read(file_name, data))


def read_head(file_name: str, data: bytes, rows: int = 20) -> Table:
    """The header and first rows only, reading no more of a CSV than its first
    upload_limits.HEAD_BYTES (for guessing the kind and mapping columns); FileRefused when unreadable."""
    original = data
    if not data.startswith(SPREADSHEET_MAGIC) and len(data) > upload_limits.HEAD_BYTES:
        cut = data[: upload_limits.HEAD_BYTES]
        data = cut[: cut.rfind(b"\n") + 1] or cut
    table = _checked(_read(file_name, data, rows))
    table.complete = len(table.rows) <= rows and len(data) == len(original)
    del table.rows[rows:], table.lines[rows:]
    return table


def _read(file_name: str, data: bytes, nrows: int | None = None) -> Table:
    _refuse_unreadable(file_name, data)
    if data.startswith(SPREADSHEET_MAGIC):
        header, rows, lines = _spreadsheet(file_name, data, nrows)
        return Table(file_name, header, rows, lines, "xlsx", ",")
    return _csv(file_name, data)


def _refuse_unreadable(file_name: str, data: bytes) -> None:
    """Refuse a file too big, empty, or of a kind that is no table (an image, a PDF, an archive)."""
    if len(data) > MAX_BYTES:
        raise FileRefused(
            file_name,
            f"the file is {len(data) / 1e6:.0f} MB, over the "
            f"{MAX_BYTES // (1024 * 1024)} MB limit: split it and load the parts",
        )
    if not data.strip():
        raise FileRefused(file_name, "the file is empty: export it again with its header row")
    what = binary_kind(data)
    if what:
        raise FileRefused(
            file_name,
            f"this is {what}, not a CSV or Excel export: export the data from the tool as CSV or .xlsx and load that",
        )


def _csv(file_name: str, data: bytes) -> Table:
    """A text file read as CSV: its encoding and delimiter found, its rows numbered by line."""
    if (
        b"\x00" in data[:4096]
        and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        and not _utf16_without_bom(data)
    ):
        raise FileRefused(file_name, "this is not a text (CSV) file or a spreadsheet: export the data as CSV or .xlsx")
    try:
        upload_limits.check_csv(data)
    except TooBig as exc:
        raise FileRefused(file_name, str(exc)) from None
    text, encoding = decode(data)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FileRefused(
            file_name, f"line {line}: the file contains binary data (NUL characters): export the data again as CSV"
        )
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    header: list[str] | None = None
    rows, lines = [], []
    previous_end = 0
    try:
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if header is None:
                header = [h.strip() for h in record]
                continue
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if previous_end > start:
                _check_quotes(file_name, header, record, start, previous_end, delimiter, text)
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise FileRefused(
            file_name, f"line {previous_end + 1}: the CSV cannot be read ({exc}); check for an unbalanced quote"
        ) from None
    table = Table(file_name, header or [], rows, lines, encoding, delimiter)
    if encoding.startswith(("mixed", "utf-16-le")) or "replacements" in encoding:
        table.notes.append(f"The file was read as {encoding} text: check names with accents")
    return table


def _checked(table: Table) -> Table:
    if not table.header or not any(table.header):
        raise FileRefused(table.file_name, "the file has no header row: the first line must name the columns")
    long = [h for h in table.header if len(h) > MAX_HEADER_CHARS]
    if long:
        raise FileRefused(
            table.file_name, f"line 1: a column name is {len(long[0])} characters long: this is not a header row"
        )
    if not table.rows:
        raise FileRefused(table.file_name, "the file has a header but no rows: nothing to load")
    return table


def _check_quotes(
    file_name: str, header: list[str], record: list[str], start: int, end: int, delimiter: str, text: str
) -> None:
    """Refuse a row whose quoted cell swallowed following lines: a quote left open reads every
    line up to the next quote as one cell, and those rows would be lost. A multi-line cell is
    taken as swallowed rows when the row has the wrong number of fields or one of its inner
    lines looks like a row of the file (as many delimiters as a row has)."""
    width = len(header)
    for index, cell in enumerate(record):
        if "\n" not in cell and "\r" not in cell:
            continue
        inner = cell.splitlines()[1:]
        if len(record) != width or any(line.count(delimiter) == width - 1 for line in inner if width > 1):
            column = header[index] if index < len(header) else f"field {index + 1}"
            lines = "\n".join(re.split(r"\r\n|\r|\n", text)[start - 1 : end])  # the csv module's line breaks
            never = lines.count('"') % 2 == 1  # an odd number of quotes: the last one is never closed
            closed = "is never closed, so the rest of the file" if never else f"is not closed until line {end}, so"
            raise FileRefused(
                file_name,
                f"line {start}, column {column}: a quote opened on this row {closed} "
                f"(lines {start} to {end}) would be read as one cell: fix the unbalanced quote "
                "(or export the file again) and load again",
            )


def _spreadsheet(file_name: str, data: bytes, nrows: int | None = None) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, rows and row numbers of a workbook's first sheet, cells as text. A zip (.xlsx,
    .ods) is inflated through upload_limits' capped stream first: calamine opens only what passed."""
    if data.startswith(b"PK"):
        try:
            upload_limits.check_zip(data)
        except TooBig as exc:
            raise FileRefused(file_name, str(exc)) from None
        except (zipfile.BadZipFile, ValueError, struct.error, zlib.error):
            raise FileRefused(
                file_name, "this looks like a spreadsheet but cannot be opened: save it again as .xlsx or export CSV"
            ) from None
    cells = _sheet_cells(file_name, data, nrows)
    header: list[str] | None = None
    rows, lines = [], []
    for number, raw in enumerate(cells, start=1):
        record = [_cell_text(v) for v in raw]
        while record and record[-1] == "" and header is not None and len(record) > len(header):
            record.pop()  # trailing empty cells beyond the header
        if not any(c.strip() for c in record):
            continue
        if header is None:
            header = [h.strip() for h in record]
            while header and header[-1] == "":
                header.pop()
            continue
        record += [""] * (len(header) - len(record))
        rows.append(record)
        lines.append(number)
    return header or [], rows, lines


def _sheet_cells(file_name: str, data: bytes, nrows: int | None) -> list[list]:
    """The first sheet's cells (a few rows past nrows, when given)."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise FileRefused(file_name, "the workbook has no sheet: nothing to load")
        sheet = workbook.get_sheet_by_index(0)
        upload_limits.check_rows(sheet.end[0] + 1 if sheet.end else 0)  # end: (last row, last column), from 0
        cells = sheet.to_python(skip_empty_area=False, nrows=nrows + 50 if nrows else None)
    except TooBig as exc:
        raise FileRefused(file_name, str(exc)) from None
    except FileRefused:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged or protected files
        raise FileRefused(
            file_name,
            f"the spreadsheet cannot be read ({type(exc).__name__}: "
            f"{str(exc)[:200]}): save it again as .xlsx or export CSV",
        ) from None
    return cells


def _cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV export would hold (dates ISO 8601)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds") if value.microsecond == 0 else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value.total_seconds())
    return str(value)
