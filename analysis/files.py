"""Bytes of an uploaded file -> a table of text cells with the line each row starts on.

Reads CSV (UTF-8 with or without BOM, UTF-16, other encodings sniffed by charset-normalizer;
comma, semicolon or tab) and never drops a row: a row with the wrong number of fields is
kept and reported by the loader.
"""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

import charset_normalizer

MAX_BYTES = 200 * 1024 * 1024  # Streamlit's own upload limit
MAX_HEADER_CHARS = 1000


class FileRefused(ValueError):
    """The file cannot be what it claims to be: nothing from it is stored."""

    def __init__(self, file_name: str, message: str):
        super().__init__(f"{file_name}: {message}")
        self.file_name = file_name
        self.messages = [f"{file_name}: {message}"]


@dataclass
class Table:
    file_name: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]                      # the line in the file on which each row starts
    encoding: str = "utf-8"
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with; undecodable bytes are never silently dropped."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    encoding = best.encoding if best else "cp1252"
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace"), "cp1252 (with replacements)"


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_table(file_name: str, data: bytes) -> Table:
    if len(data) > MAX_BYTES:
        raise FileRefused(file_name, f"the file is {len(data) / 1e6:.0f} MB, over the "
                          f"{MAX_BYTES // (1024 * 1024)} MB limit: split it and load the parts")
    if not data.strip():
        raise FileRefused(file_name, "the file is empty: export it again with its header row")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused(file_name, "this is not a text (CSV) file: export the data as CSV")
    text, encoding = decode(data)
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
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise FileRefused(file_name, f"line {previous_end + 1}: the CSV cannot be read ({exc}); "
                          "check for an unbalanced quote") from None
    if not header or not any(header):
        raise FileRefused(file_name, "the file has no header row: the first line must name the columns")
    long = [h for h in header if len(h) > MAX_HEADER_CHARS]
    if long:
        raise FileRefused(file_name, f"line 1: a column name is {len(long[0])} characters long: "
                          "this is not a header row")
    if not rows:
        raise FileRefused(file_name, "the file has a header but no rows: nothing to load")
    return Table(file_name, header, rows, lines, encoding, delimiter)
