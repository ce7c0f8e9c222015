"""The two readers of a file agree: DuckDB's CSV reader (one line per row) and analysis.files.read_table
(anything else) stage the same rows with the same line numbers, and a usage file loads the same
whether it is given as bytes or as a path (the command line), through the set-based SQL checks
of analysis/ingest/usage.py."""

import hashlib
from pathlib import Path

import pytest

from analysis.files import read_head, read_table
from analysis.ingest import load_file, staging
from analysis.uploads import undo
from tests.conftest import csv

DATA = Path(__file__).parent / "data"
REAL = Path(__file__).parent.parent.parent / "shared" / "realdata"
CSVS = sorted(DATA.rglob("*.csv")) + (sorted(REAL.rglob("*.csv")) if REAL.exists() else [])


def staged_rows(store, data: bytes, name: str = "f.csv"):
    cur = store.cursor()
    staged = staging.stage(cur, store.staging_dir, read_head(name, data, rows=50), data)
    cells = ", ".join(f"c{i}" for i in range(staged.width))
    rows = cur.execute(f"SELECT line, {cells} FROM raw ORDER BY line").fetchall()  # noqa: S608 (positions)
    staging.drop(cur)
    return staged, [(line, list(cells)) for line, *cells in rows]


@pytest.mark.parametrize("path", CSVS, ids=lambda p: p.name)
def test_both_readers_give_the_same_rows_and_lines(store, path):
    data = path.read_bytes()
    if len(data) > 20_000_000:
        pytest.skip(f"{path.name} is over 20 MB: the small files already cover the readers")
    table = read_table(path.name, data)
    staged, rows = staged_rows(store, data, path.name)
    assert staged.header == table.header
    assert rows == list(zip(table.lines, table.rows))


def test_a_plain_csv_is_read_by_duckdb_and_a_quoted_line_break_by_python(store):
    plain, rows = staged_rows(store, csv("user_id,date\na@x.test,2025-01-06\n\n b@x.test ,2025-01-07\n"))
    # a blank line makes the line count disagree with the rows: the Python reader numbers them
    assert plain.reader == "python" and rows == [(2, ["a@x.test", "2025-01-06"]), (4, [" b@x.test ", "2025-01-07"])]
    plain, rows = staged_rows(store, b'user_id,note\na@x.test,"one, two"\nb@x.test,\n')
    assert plain.reader == "duckdb" and rows == [(2, ["a@x.test", "one, two"]), (3, ["b@x.test", ""])]
    broken, rows = staged_rows(store, b'user_id,note\na@x.test,"two\nlines"\nb@x.test,x\n')
    assert broken.reader == "python" and rows == [(2, ["a@x.test", "two\nlines"]), (4, ["b@x.test", "x"])]


USAGE = """user_id,date,activity,count
a@acme.test,2025-01-06,mfa,2
A@ACME.TEST ,2025-01-06,MFA,5
b@acme.test,2025-01-07,mfa,several
c@other.test,2025-01-07,mfa,1
b@acme.test,,mfa,1
b@acme.test,2025-01-08,mfa,
"""


def test_usage_from_a_path_loads_as_from_bytes(acme, tmp_path):
    data = csv(USAGE)
    path = tmp_path / "usage.csv"
    path.write_bytes(data)
    first = load_file(acme, "usage", "usage.csv", path, rollout="MFA")
    # line 3 repeats line 2's person, day and activity: counted once, the first row's count kept;
    # c@other.test is a person on no roster (stored, reported as unknown), not a bad row
    assert (first.rows_read, first.rows_loaded, first.rows_duplicate, first.rows_rejected) == (6, 3, 1, 2)
    assert (first.unknown_people, first.repeated_in_file) == (3, 1)
    assert [(r.line, r.column) for r in first.rejects] == [(4, "count"), (6, "date")]
    assert first.rejects[1].reason == "the date is missing"
    assert first.rejects[0].user == "b@acme.test" and first.rejects[0].raw == "b@acme.test,2025-01-07,mfa,several"
    events = acme.store.cursor().execute("SELECT user_id, day::VARCHAR, events FROM usage_events ORDER BY 2").fetchall()
    assert events == [
        ("a@acme.test", "2025-01-06", 2),
        ("c@other.test", "2025-01-07", 1),
        ("b@acme.test", "2025-01-08", 1),
    ]
    again = load_file(acme, "usage", "usage.csv", data, rollout="MFA")
    assert (again.rows_loaded, again.rows_duplicate, again.already_loaded) == (0, 4, True)


def daily(scope):
    return (
        scope.store.cursor().execute("SELECT user_id, day::VARCHAR, events FROM usage_daily ORDER BY 1, 2").fetchall()
    )


def test_a_later_load_adds_its_events_to_the_days_it_touches_and_undo_takes_them_away(acme, load):
    load(acme, "usage", "user_id,timestamp,activity,count\na@acme.test,2025-01-06 09:00,mfa,2\n", name="a.csv")
    second = load(
        acme,
        "usage",
        "user_id,timestamp,activity,count\na@acme.test,2025-01-06 09:00,mfa,2\n"
        "a@acme.test,2025-01-06 17:30,mfa,3\nb@acme.test,2025-01-07 08:00,mfa,1\n",
        name="b.csv",
    )
    assert (second.rows_loaded, second.rows_duplicate) == (2, 1)
    # 6 January: 2 events at 09:00 (first load) + 3 at 17:30 (second load)
    assert daily(acme) == [("a@acme.test", "2025-01-06", 5), ("b@acme.test", "2025-01-07", 1)]
    undo(acme, second.upload_id)
    assert daily(acme) == [("a@acme.test", "2025-01-06", 2)]


@pytest.mark.parametrize(
    "data",
    [USAGE.encode(), b"\xef\xbb\xbf" + USAGE.encode(), USAGE.replace("mfa,1", "mfa \xe9,1").encode("latin-1")],
    ids=["utf-8", "utf-8 with a BOM", "latin-1 (transcoded)"],
)
def test_the_digest_taken_while_staging_is_the_files_own(store, tmp_path, data):
    # the copy for DuckDB takes the digest on its way (a big file is read once): it must be the
    # digest of the bytes as given, from a path or from memory, before any transcoding
    path = tmp_path / "usage.csv"
    path.write_bytes(data)
    for given in (data, path):
        cur = store.cursor()
        staged = staging.stage(cur, store.staging_dir, read_head("usage.csv", data, rows=50), given)
        staging.drop(cur)
        assert staged.reader == "duckdb"
        assert staged.sha256 == hashlib.sha256(data).hexdigest() == staging.digest(given)


def test_a_row_of_blank_cells_is_left_out_by_duckdbs_reader_as_by_pythons(store):
    # DuckDB's reader reads it as a row (the line count agrees); raw leaves it out, as the Python
    # reader does, whether or not the file has such rows (the view filters only when it has)
    data = b"user_id,date\na@x.test,2025-01-06\n , \nb@x.test,2025-01-07\n"
    staged, rows = staged_rows(store, data)
    assert staged.reader == "duckdb" and rows == [(2, ["a@x.test", "2025-01-06"]), (4, ["b@x.test", "2025-01-07"])]
    table = read_table("f.csv", data)
    assert rows == list(zip(table.lines, table.rows))


def test_the_blank_cell_shortcut_holds_for_every_character_trim_removes(store):
    # staging counts blank rows with a cheap test of the first cell before trimming it: that test
    # must hold for every cell DuckDB's trim empties (each character it removes, alone and twice)
    cur = store.cursor()
    test = staging.BLANK_START.format(cell="c")
    found = cur.execute(
        f"SELECT count(*), count(*) FILTER (WHERE NOT ({test})) FROM ("  # noqa: S608 (the module's constant)
        "  SELECT chr(i::INTEGER) || t.tail AS c FROM range(0, 1114112) r(i), (VALUES (''), (' ')) t(tail)"
        "  WHERE (i < 55296 OR i > 57343)) WHERE trim(c) = ''"
    ).fetchall()[0]
    assert found[0] > 10 and found[1] == 0  # trim removes more than the space; the test misses none
    data = "user_id,date\na@x.test,2025-01-06\n\u3000,\u00a0\nb@x.test,2025-01-07\n".encode()
    staged, rows = staged_rows(store, data)
    assert staged.reader == "duckdb" and [line for line, _ in rows] == [2, 4]


def test_a_copy_the_kernel_refuses_goes_through_python(store, tmp_path, monkeypatch):
    # a file is copied for DuckDB with sendfile; where that fails part way, the copy starts again
    # through Python's buffers and stages the same rows, lines and digest
    data = USAGE.encode()
    path = tmp_path / "usage.csv"
    path.write_bytes(data)
    sendfile = staging.os.sendfile

    def half_then_refuse(out, handle, offset, count):
        if offset:
            raise OSError("refused")
        return sendfile(out, handle, offset, len(data) // 2)

    monkeypatch.setattr(staging.os, "sendfile", half_then_refuse)
    staged, rows = staged_rows(store, data)  # from bytes: no sendfile
    cur = store.cursor()
    from_path = staging.stage(cur, store.staging_dir, read_head("usage.csv", data, rows=50), path)
    lines = cur.execute("SELECT line, c0, c1, c2, c3 FROM raw ORDER BY line").fetchall()
    staging.drop(cur)
    assert from_path.reader == "duckdb" and from_path.sha256 == hashlib.sha256(data).hexdigest()
    assert [(line, list(cells)) for line, *cells in lines] == rows and len(rows) == USAGE.count("\n") - 1
