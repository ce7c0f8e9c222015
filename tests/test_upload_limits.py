"""Finding 6 of issue 10: an upload's real size is capped (zip bombs, declared sizes that lie,
big CSV files), and one organisation's load does not hold up the others. Times and memory are
measured by bench/upload_bombs.py; these tests assert the refusals."""

import threading

import pytest

from analysis import orgs, upload_limits
from analysis.access import OPERATOR
from analysis.files import FileRefused, read_head, read_table
from analysis.ingest import load_file
from analysis.load_slots import LoadBusy
from analysis.scope import open_scope
from bench.upload_bombs import big_csv, zip_bomb
from tests.conftest import counts
from tests.test_formats import xlsx


def refusal(acme, name, data, kind="usage"):
    with pytest.raises(FileRefused) as caught:
        load_file(acme, kind, name, data, rollout="MFA")
    assert counts(acme.store, "uploads") == 0 and counts(acme.store, "usage_events") == 0  # nothing stored
    return caught.value.messages[0]


def test_a_zip_bomb_spreadsheet_is_refused_unopened(acme):
    bomb = zip_bomb(300)
    assert len(bomb) < 2_000_000  # 300 MB of sheet packed to under 2 MB
    message = refusal(acme, "bomb.xlsx", bomb)
    assert message.startswith("bomb.xlsx: a part of the spreadsheet inflates more than 100 times")


def test_a_spreadsheet_that_lies_about_its_size_is_measured_not_believed(acme):
    liar = zip_bomb(300, declared=1024)  # its directory says the sheet is 1 KB
    import io
    import zipfile

    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo("xl/worksheets/sheet1.xml").file_size == 1024
    assert refusal(acme, "liar.xlsx", liar).startswith("liar.xlsx: a part of the spreadsheet inflates more")


def test_a_spreadsheet_over_the_unpacked_limit_is_refused(acme, monkeypatch):
    # rows that differ pack about 20 to 1: under the ratio limit, so the total limit refuses it
    monkeypatch.setattr(upload_limits, "MAX_UNZIPPED", 20 * upload_limits.MB)
    message = refusal(acme, "big.xlsx", zip_bomb(30, varied=True))
    assert message == (
        "big.xlsx: the spreadsheet unpacks to more than 20 MB, over the limit: split it and load the parts"
    )


def test_a_spreadsheet_of_too_many_parts_or_rows_is_refused(acme, monkeypatch):
    monkeypatch.setattr(upload_limits, "MAX_MEMBERS", 3)
    assert "holds 6 parts, over the limit of 3" in refusal(acme, "parts.xlsx", xlsx([["user_id"], ["a@acme.test"]]))
    monkeypatch.setattr(upload_limits, "MAX_MEMBERS", 1000)
    monkeypatch.setattr(upload_limits, "MAX_ROWS", 2)
    rows = [["user_id", "date", "activity"]] + [[f"u{i}@acme.test", "2025-01-07", "mfa"] for i in range(3)]
    assert refusal(acme, "rows.xlsx", xlsx(rows)) == (
        "rows.xlsx: a sheet of the workbook has more than 2 rows, over the limit: split it and load the parts"
    )


def test_a_csv_over_the_caps_is_refused_before_it_is_parsed(acme, monkeypatch):
    data = b"user_id,date,activity\n" + b"".join(b"u%d@acme.test,2025-01-07,mfa\n" % i for i in range(10))
    monkeypatch.setattr(upload_limits, "MAX_CSV_BYTES", 100)
    assert refusal(acme, "big.csv", data) == (
        "big.csv: the file is 0 MB, over the 0 MB limit for a CSV file: split it and load the parts"
    )
    monkeypatch.setattr(upload_limits, "MAX_CSV_BYTES", 10**9)
    monkeypatch.setattr(upload_limits, "MAX_ROWS", 5)
    assert refusal(acme, "long.csv", data) == (
        "long.csv: the file has 11 lines, over the limit of 5 rows: split it and load the parts"
    )


def test_a_spreadsheet_within_the_limits_still_loads(acme):
    rows = [["user_id", "date", "activity"], ["a@acme.test", "2025-01-07", "mfa"]]
    assert load_file(acme, "usage", "ok.xlsx", xlsx(rows), rollout="MFA").rows_loaded == 1


def test_the_header_is_read_from_the_head_of_a_big_csv_only(monkeypatch):
    data = big_csv(2)
    monkeypatch.setattr(upload_limits, "MAX_CSV_BYTES", 1_000_000)  # the whole file would be refused
    with pytest.raises(FileRefused):
        read_table("big.csv", data)
    head = read_head("big.csv", data)
    assert head.header == ["user_id", "timestamp", "activity", "count"] and len(head.rows) == 20


@pytest.fixture
def globex(acme):
    org_id = orgs.add_organisation(acme.store, OPERATOR, "Globex", email_domains=["globex.test"])
    scope = open_scope(acme.store, OPERATOR, org_id, "upload")
    return scope


def held_load(scope, name, started: threading.Event, release: threading.Event, out: dict):
    """Load a file in a thread and hold it (inside the load) until release is set."""

    def step(fraction, text):
        if fraction == 0.05:
            started.set()
            release.wait(30)

    try:
        out[name] = load_file(
            scope, "usage", name, b"user_id,date,activity\na@x.test,2025-01-07,mfa\n", progress=step, format="canonical"
        )
    except Exception as exc:  # noqa: BLE001 - the test looks at it
        out[name] = exc


def test_one_load_at_a_time_per_organisation(acme, globex):
    started, release, out = threading.Event(), threading.Event(), {}
    first = threading.Thread(target=held_load, args=(acme, "first.csv", started, release, out))
    first.start()
    assert started.wait(30)
    try:
        with pytest.raises(LoadBusy) as caught:  # the same organisation: refused at once
            load_file(
                acme, "usage", "second.csv", b"user_id,date,activity\nb@acme.test,2025-01-07,mfa\n", rollout="MFA"
            )
        assert caught.value.messages == [
            "second.csv: a load for this organisation is already running: nothing "
            "was read or stored; load the file again when it has finished"
        ]
        # another organisation is not held up
        other = load_file(
            globex, "usage", "g.csv", b"user_id,date,activity\ng@globex.test,2025-01-07,mfa\n", format="canonical"
        )
        assert other.rows_loaded == 1
    finally:
        release.set()
        first.join(30)
    assert out["first.csv"].rows_loaded == 1
    # the slot is free again: the refused file loads now, nothing was lost
    again = load_file(
        acme, "usage", "second.csv", b"user_id,date,activity\nb@acme.test,2025-01-07,mfa\n", rollout="MFA"
    )
    assert again.rows_loaded == 1


def test_two_organisations_load_at_the_same_time(acme, globex):
    started_a, started_g, release, out = threading.Event(), threading.Event(), threading.Event(), {}
    threads = [
        threading.Thread(target=held_load, args=(acme, "a.csv", started_a, release, out)),
        threading.Thread(target=held_load, args=(globex, "g.csv", started_g, release, out)),
    ]
    for t in threads:
        t.start()
    both = started_a.wait(30) and started_g.wait(30)  # both are inside their loads at once
    release.set()
    for t in threads:
        t.join(30)
    assert both and out["a.csv"].rows_loaded == 1 and out["g.csv"].rows_loaded == 1
