"""A file's rows as the temporary view `raw` on the load's cursor: one row per data row of the
file, `line` (the line it starts on), `fields` (how many fields it has) and the text cells c0..cN
(never null: an empty cell is ''), plus `text` (the row as written, for rows of the wrong width).

A CSV whose rows are one line each is parsed by DuckDB's own reader straight from a file in the
store's staging folder, at millions of rows a second in bounded memory (docs/performance.md). Any
other file (a spreadsheet, a CSV with blank lines, quoted line breaks or rows of the wrong width)
is read by analysis.files.read_table, which numbers its lines, and its rows are staged the same
way: every rule after this runs in SQL on `raw`, whichever reader filled it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from analysis.files import SPREADSHEET_MAGIC, Table, decode, read_table
from analysis.upload_limits import HEAD_BYTES, MAX_FILE_BYTES, TooBig

_CHUNK = 8 * 1024 * 1024
# true of every cell that trims to '' (and of a few others, which the trim then tests)
BLANK_START = "{cell} < '!' OR {cell} >= chr(128)"


@dataclass
class Staged:
    header: list[str]
    rows: int  # data rows read (for messages: DuckDB's reader counts blank rows too, raw leaves them out)
    delimiter: str
    reader: str  # "duckdb" or "python" (which reader filled raw)
    notes: list[str] = field(default_factory=list)
    sha256: str | None = None  # the file's digest, when the copy for DuckDB took it on the way

    @property
    def width(self) -> int:
        return len(self.header)


def head_bytes(data: bytes | Path) -> bytes:
    """The whole file when it is bytes in memory, else its first bytes (enough for the header
    and a sample: analysis.files.read_head reads no more)."""
    if isinstance(data, Path):
        with data.open("rb") as handle:
            first = handle.read(4)
            if first.startswith(SPREADSHEET_MAGIC):
                return first + handle.read()
            return first + handle.read(HEAD_BYTES)
    return data


def digest(data: bytes | Path) -> str:
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest()
    sha = hashlib.sha256()
    with data.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def whole(data: bytes | Path) -> bytes:
    return data if isinstance(data, bytes) else data.read_bytes()


def size(data: bytes | Path) -> int:
    return len(data) if isinstance(data, bytes) else data.stat().st_size


def stage(cur: duckdb.DuckDBPyConnection, staging_dir: Path, head: Table, data: bytes | Path) -> Staged:
    """Fill the temp view raw (over the temp table raw_lines) with the file's rows (see the module's docstring)."""
    if size(data) > MAX_FILE_BYTES:
        raise TooBig(
            f"the file is {size(data) / 1e6:,.0f} MB, over the {MAX_FILE_BYTES // (1024 * 1024):,} MB limit: "
            "split it and load the parts"
        )
    if head.encoding != "xlsx" and head.lines[:1] == [2]:
        staged = _duckdb_csv(cur, staging_dir, head, data)
        if staged is not None:
            return staged
    return _python_table(cur, read_table(head.file_name, whole(data)))


def _duckdb_csv(cur, staging_dir: Path, head: Table, data: bytes | Path) -> Staged | None:
    """raw from DuckDB's CSV reader, or None when the file is not one line per row (the Python
    reader then numbers its lines) or DuckDB cannot read it as the header says."""
    width = len(head.header)
    with _utf8_copy(staging_dir, head, data) as (path, counting):
        columns = {f"c{i}": "VARCHAR" for i in range(width)}
        cells = ", ".join(f"coalesce(c{i}, '') AS c{i}" for i in range(width))
        # DuckDB's trim removes spaces and the other Unicode spaces (U+00A0, U+3000, ...): a
        # cell that trims to '' starts with a byte below '!' or is not ASCII, a comparison of the
        # string's inline prefix that spares trimming every first cell
        # (tests/test_staging.py pins this against every character trim removes)
        blank = f"({BLANK_START.format(cell='c0')}) AND " + " AND ".join(f"trim(c{i}) = ''" for i in range(width))
        try:
            # cells are built from column positions, never from the file's text
            cur.execute(
                f"CREATE OR REPLACE TEMP TABLE raw_lines AS SELECT {cells} FROM read_csv($path, "  # noqa: S608
                "header = true, delim = $delim, quote = '\"', escape = '\"', auto_detect = false, "
                "strict_mode = true, columns = $columns, parallel = true)",
                {"path": str(path), "delim": head.delimiter, "columns": columns},
            )
        except duckdb.Error:
            return None
        lines, sha = counting.result()
    read = cur.execute("SELECT count(*) FROM raw_lines").fetchall()[0][0]
    # a WHERE stops at a row's first cell that is not blank; a FILTER clause tests every cell
    blanks = cur.execute(f"SELECT count(*) FROM raw_lines WHERE {blank}").fetchall()[0][0]  # noqa: S608 (positions)
    if read != lines - 1:
        cur.execute("DROP TABLE raw_lines")
        return None
    # a row's line is its position + 2 (the header is line 1) because every row is one line, as
    # the count above shows; blank rows are left out, as the Python reader leaves them. The view
    # filters them only when there are some: each scan of raw would test every cell again
    only_cells = f" WHERE NOT ({blank})" if blanks else ""
    cur.execute(
        f"CREATE OR REPLACE TEMP VIEW raw AS SELECT CAST(rowid + 2 AS BIGINT) AS line, "  # noqa: S608
        f"CAST({width} AS INTEGER) AS fields, {', '.join(f'c{i}' for i in range(width))}, "
        f"CAST(NULL AS VARCHAR) AS text FROM raw_lines{only_cells}"
    )
    return Staged(list(head.header), read, head.delimiter, "duckdb", list(head.notes), sha)


@contextlib.contextmanager
def _utf8_copy(staging_dir: Path, head: Table, data: bytes | Path):
    """(a UTF-8 file DuckDB may read, a _Counting of it: the number of lines in it and the digest
    of data). Bytes, and text in another encoding, are written to a private file in the staging
    folder (the only folder the database may read: docs/security.md#the-database-locked-down),
    removed afterwards."""
    staging_dir.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="load-", suffix=".csv", dir=staging_dir)
    path = Path(name)
    counting = None
    try:
        with os.fdopen(handle, "wb") as out:
            digested: bytes | None = None  # what the digest is of, when not the copy
            source: bytes | Path
            if head.encoding in ("utf-8", "utf-8-sig"):
                _copy(data, out)
                source = data if isinstance(data, bytes) else path
            else:  # transcoded in memory: such files come from spreadsheets and are small
                digested = whole(data)
                text, _ = decode(digested)
                source = text.encode("utf-8")
                out.write(source)
        # counted on a thread while DuckDB reads the copy (both let go of Python's lock)
        counting = _Counting(source, digested)
        yield path, counting
    finally:
        if counting is not None:
            counting.wait()  # the thread reads the copy: it finishes before the copy goes
        path.unlink(missing_ok=True)


def _copy(data: bytes | Path, out) -> None:
    """Copy data to out (a file's bytes within the kernel where it can)."""
    if isinstance(data, bytes):
        out.write(data)
        return
    out.flush()
    with data.open("rb") as handle:
        try:
            sent = 0
            while n := os.sendfile(out.fileno(), handle.fileno(), sent, _CHUNK):
                sent += n
            return
        except OSError:  # not between these two files: copied through Python's buffers
            pass
        handle.seek(0)
        out.seek(0)
        out.truncate()
        while chunk := handle.read(_CHUNK):
            out.write(chunk)


class _Counting:
    """The lines of a file or bytes (a last line without a line break counts) and a digest, taken
    on a thread: the file is read once more, from the page cache, while DuckDB parses it."""

    def __init__(self, source: bytes | Path, digested: bytes | None = None):
        self._found: tuple[int, str] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._count, args=(source, digested), daemon=True)
        self._thread.start()

    def _count(self, source: bytes | Path, digested: bytes | None) -> None:
        try:
            if isinstance(source, bytes):
                lines = _line_count(source, source[-1:])
                sha = hashlib.sha256(source if digested is None else digested).hexdigest()
                self._found = lines, sha
                return
            breaks, last, digest = 0, b"", hashlib.sha256()
            with source.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                    breaks += chunk.count(b"\n")
                    last = chunk[-1:]
            self._found = breaks + (0 if last in (b"\n", b"") else 1), digest.hexdigest()
        except BaseException as exc:  # raised again by result()
            self._error = exc

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> tuple[int, str]:
        """(lines, sha256 hex digest)."""
        self.wait()
        if self._error is not None:
            raise self._error
        assert self._found is not None
        return self._found


def _line_count(data: bytes, last: bytes) -> int:
    return data.count(b"\n") + (0 if last in (b"\n", b"") else 1)


def _python_table(cur, table: Table) -> Staged:
    """raw from the rows analysis.files.read_table read (it keeps rows of the wrong width)."""
    width = len(table.header)
    columns: dict[str, list] = {
        "line": table.lines,
        "fields": [len(row) for row in table.rows],
    }
    for i in range(width):
        columns[f"c{i}"] = [row[i] if i < len(row) else "" for row in table.rows]
    columns["text"] = [None if len(row) == width else table.delimiter.join(row)[:2000] for row in table.rows]
    cur.register("raw_rows", pd.DataFrame(columns))
    cells = ", ".join(f"CAST(c{i} AS VARCHAR) AS c{i}" for i in range(width))
    # cells are built from column positions, never from the file's text
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE raw_lines AS SELECT CAST(line AS BIGINT) AS line, "  # noqa: S608
        f"CAST(fields AS INTEGER) AS fields, {cells}, CAST(text AS VARCHAR) AS text FROM raw_rows"
    )
    cur.execute("CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM raw_lines")
    cur.unregister("raw_rows")
    return Staged(list(table.header), len(table.rows), table.delimiter, "python", list(table.notes))


def rows_at(cur, staged: Staged, lines: str) -> dict[int, tuple[str | None, list[str]]]:
    """{line: (text, cells)} of the rows of raw whose lines the query `lines` (a caller's constant
    SQL with a column line) gives: the rejected rows. From DuckDB's reader they are read by row id
    (line - 2), which DuckDB looks up without scanning the file's rows (raw's line is computed, so
    a join on it would read every row)."""
    cells = ", ".join(f"c{i}" for i in range(staged.width))
    if staged.reader == "duckdb":
        query = (
            f"SELECT CAST(rowid + 2 AS BIGINT), CAST(NULL AS VARCHAR), {cells} FROM raw_lines "  # noqa: S608
            f"WHERE rowid IN (SELECT line - 2 FROM ({lines}))"
        )
    else:
        query = f"SELECT line, text, {cells} FROM raw WHERE line IN (SELECT line FROM ({lines}))"  # noqa: S608
    return {line: (text, list(row)) for line, text, *row in cur.execute(query).fetchall()}


def drop(cur) -> None:
    cur.execute("DROP VIEW IF EXISTS raw")
    cur.execute("DROP TABLE IF EXISTS raw_lines")
