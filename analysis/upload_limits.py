"""The size limits of an uploaded file, checked on the real bytes before anything parses it.

A spreadsheet (.xlsx, .ods) is a zip archive: the sizes its directory declares are the
sender's word, so every member is inflated here through a capped stream that counts the bytes
that really come out, and stops as soon as a limit is passed (a zip bomb costs at most a few
MB of memory and well under a second). A CSV is capped in bytes and lines before it is parsed.
Change a limit here; Streamlit's own cap on an upload is server.maxUploadSize in
.streamlit/config.toml (keep it at MAX_BYTES or below).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator

MB = 1024 * 1024
MAX_BYTES = 500 * MB  # any file as uploaded in the browser (Streamlit's server.maxUploadSize)
MAX_FILE_BYTES = 4096 * MB  # a CSV read by DuckDB's reader (analysis/ingest/staging.py), from any source
# A file the Python reader reads row by row (a spreadsheet, a CSV with blank lines, quoted line
# breaks or rows of the wrong width) is held in memory as Python objects (~1.7 KB a row): these
# two limits keep that bounded. A CSV of one line per row has no row limit but MAX_FILE_BYTES.
MAX_CSV_BYTES = 100 * MB
MAX_ROWS = 1_000_000  # lines of such a CSV, rows of a spreadsheet's first sheet
MAX_UNZIPPED = 400 * MB  # a spreadsheet's members, really inflated, all together
MAX_RATIO = 100  # a member may inflate to at most 100 times its compressed size ...
RATIO_FLOOR = 10 * MB  # ... once it is beyond 10 MB (small members compress very well)
MAX_MEMBERS = 1000  # members of a spreadsheet archive
HEAD_BYTES = 256 * 1024  # what a header or a kind guess reads of a CSV

_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")  # a zip member's local header (30 bytes)


class TooBig(ValueError):
    """The file passes a limit; the message says which, in the uploader's terms."""


def check_csv(data: bytes) -> None:
    if len(data) > MAX_CSV_BYTES:
        raise TooBig(
            f"the file is {len(data) / MB:.0f} MB, over the {MAX_CSV_BYTES // MB} MB limit for a CSV "
            "file: split it and load the parts"
        )
    lines = data.count(b"\n")
    if lines > MAX_ROWS:
        raise TooBig(f"the file has {lines:,} lines, over the limit of {MAX_ROWS:,} rows: split it and load the parts")


def check_rows(rows: int) -> None:
    if rows > MAX_ROWS:
        raise TooBig(f"the sheet has {rows:,} rows, over the limit of {MAX_ROWS:,}: split it and load the parts")


def check_zip(data: bytes) -> None:
    """Inflate every member of a zip archive (in memory) through a capped stream; raise TooBig
    when the archive has too many members, or a member inflates too far, or all of them do;
    zipfile.BadZipFile when it is not a readable zip."""
    with zipfile.ZipFile(_Bytes(data)) as archive:
        members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise TooBig(
            f"the spreadsheet holds {len(members):,} parts, over the limit of {MAX_MEMBERS:,}: "
            "this is not an ordinary workbook"
        )
    total = 0
    for info in members:
        total += _inflated_size(data, info, MAX_UNZIPPED - total)


def _inflated_size(data: bytes, info: zipfile.ZipInfo, room: int) -> int:
    """The bytes member info really inflates to, counted without keeping them (the declared
    info.file_size is not trusted); the rows of an .xlsx sheet are counted on the way."""
    sheet = info.filename.startswith("xl/worksheets/")
    size = rows = 0
    tail = b""
    for out, read in _pieces(data, info):
        size += len(out)
        _check_member(size, read, room)
        if sheet:
            rows += (tail + out).count(b"<row")
            tail = (tail + out)[-3:]  # a "<row" cut between two pieces is counted once
            if rows > MAX_ROWS:
                raise TooBig(
                    f"a sheet of the workbook has more than {MAX_ROWS:,} rows, over the limit: "
                    "split it and load the parts"
                )
    return size


def _pieces(data: bytes, info: zipfile.ZipInfo) -> Iterator[tuple[bytes, int]]:
    """(next piece of the member's content, compressed bytes read so far), _CHUNK bytes at most each."""
    offset = info.header_offset
    fields = _LOCAL_HEADER.unpack_from(data, offset) if offset + _LOCAL_HEADER.size <= len(data) else None
    if fields is None or fields[0] != b"PK\x03\x04":
        raise zipfile.BadZipFile("a member's local header is missing")
    start = offset + _LOCAL_HEADER.size + fields[9] + fields[10]  # after the name and the extra field
    method = fields[3]
    if method == zipfile.ZIP_STORED:
        end = min(start + info.compress_size, len(data))
        for position in range(start, end, _CHUNK):
            piece = data[position : min(position + _CHUNK, end)]
            yield piece, position + len(piece) - start
        return
    if method != zipfile.ZIP_DEFLATED:
        raise TooBig(
            f"a part of the spreadsheet is compressed with method {method}, which workbooks do not "
            "use: save it again as .xlsx"
        )
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    position = start
    while not inflater.eof and position < len(data):
        pending = data[position : position + _CHUNK]
        position += len(pending)
        while pending and not inflater.eof:
            out = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            yield out, position - start - len(pending)  # compressed bytes really read


def _check_member(size: int, compressed: int, room: int) -> None:
    if size > room:
        raise TooBig(
            f"the spreadsheet unpacks to more than {MAX_UNZIPPED // MB} MB, over the limit: split it and load the parts"
        )
    if size > RATIO_FLOOR and size > MAX_RATIO * compressed:
        raise TooBig(
            f"a part of the spreadsheet inflates more than {MAX_RATIO} times its packed size "
            "(a zip bomb, or a sheet of nothing but repeated cells): it was not opened"
        )


class _Bytes:
    """A read-only file over bytes without copying them (zipfile needs seek and tell)."""

    def __init__(self, data: bytes):
        self._view, self._pos = memoryview(data), 0

    def seekable(self) -> bool:
        return True

    def seek(self, pos: int, whence: int = 0) -> int:
        self._pos = (pos, self._pos + pos, len(self._view) + pos)[whence]
        return self._pos

    def tell(self) -> int:
        return self._pos

    def read(self, n: int = -1) -> bytes:
        end = len(self._view) if n is None or n < 0 else min(len(self._view), self._pos + n)
        out = bytes(self._view[self._pos : end])
        self._pos = end
        return out
