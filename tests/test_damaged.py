"""A damaged database (analysis/damage.py, analysis/care/advice.py): the command line and the app
say what is wrong and how to restore, never change or delete the damaged files, and a restore makes
the app whole again; a write-ahead log left behind is copied before DuckDB replays it."""

import hashlib
import os
import shutil
import subprocess
import sys
import urllib.request

import pytest

from analysis import orgs
from analysis.access import OPERATOR
from analysis.care import backup as backups
from analysis.damage import WAL_KEPT, DatabaseDamaged
from analysis.store import Store
from bench.loadtest_server import start_server
from tests.apptest import new_app, reset_streamlit
from tests.conftest import ROOT


def digest(path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def truncate(path):
    os.truncate(path, path.stat().st_size // 2)


def zero_header(path):
    with open(path, "r+b") as handle:
        handle.write(b"\0" * 4096)


def overwrite_first_block(path):  # DuckDB's first block after the two headers, read at open
    with open(path, "r+b") as handle:
        handle.seek(12288)
        handle.write(b"\xff" * 8192)


def not_duckdb(path):
    path.write_text("ticket_id,subject\n1,this is a CSV file, not a database\n")


DAMAGE = {
    "truncated": (truncate, "Could not read enough bytes"),
    "header zeroed": (zero_header, "not a valid DuckDB database file"),
    "block overwritten": (overwrite_first_block, "computed checksum"),
    "not a database": (not_duckdb, "not a valid DuckDB database file"),
}


@pytest.fixture
def healthy(tmp_path):
    """An Uptake database with the organisation Acme, closed, and a backup of it."""
    path = tmp_path / "uptake.duckdb"
    store = Store(path)
    orgs.add_organisation(store, OPERATOR, "Acme", "Europe/London", ["acme.test"])
    (tmp_path / "backups").mkdir()
    backups.backup(store, tmp_path / "backups" / "uptake-20261201T020000.duckdb")
    store.close()
    return path


@pytest.mark.parametrize("kind", DAMAGE)
def test_the_command_line_says_what_is_wrong_and_changes_nothing(healthy, kind, monkeypatch, capsys):
    damage, words = DAMAGE[kind]
    damage(healthy)
    before = digest(healthy), digest(healthy.with_name("uptake.duckdb.wal"))
    with pytest.raises(DatabaseDamaged, match=words):
        Store(healthy)
    monkeypatch.setenv("UPTAKE_DB", str(healthy))
    monkeypatch.setenv("UPTAKE_BACKUP_DIR", str(healthy.parent / "backups"))
    from analysis.cli import main

    assert main(["org", "list"]) == 3
    said = capsys.readouterr().err
    assert f"Uptake cannot open its database {healthy}: the file is damaged" in said
    assert words in said and "Nothing has been changed or deleted" in said
    assert "uptake-20261201T020000.duckdb" in said and "python -m analysis restore" in said
    assert "Traceback" not in said
    assert (digest(healthy), digest(healthy.with_name("uptake.duckdb.wal"))) == before  # byte for byte


def test_a_restore_puts_a_backup_back_over_a_damaged_file_and_keeps_it(healthy, monkeypatch, capsys):
    overwrite_first_block(healthy)
    damaged = digest(healthy)
    monkeypatch.setenv("UPTAKE_DB", str(healthy))
    from analysis.cli import main

    assert main(["restore", str(healthy.parent / "backups" / "uptake-20261201T020000.duckdb")]) == 0, (
        capsys.readouterr()
    )
    [kept] = healthy.parent.glob("uptake.before-restore-*.duckdb")
    assert digest(kept) == damaged  # the damaged file is kept, never deleted
    store = Store(healthy)
    try:
        assert orgs.organisations(store, OPERATOR)["name"].tolist() == ["Acme"]
    finally:
        store.close()


def test_the_app_shows_the_banner_and_no_page(healthy, monkeypatch):
    overwrite_first_block(healthy)
    monkeypatch.setenv("UPTAKE_DB", str(healthy))
    monkeypatch.setenv("UPTAKE_BACKUP_DIR", str(healthy.parent / "backups"))
    reset_streamlit()
    at = new_app()
    at.run()
    assert not at.exception
    [banner] = [e.value.replace("\\", "") for e in at.error]  # the text as shown (ui.text.literal escapes)
    assert "cannot open its database" in banner and "Nothing has been changed or deleted" in banner
    # anyone reaching the app sees it: no path, no backup name (the server's log has them)
    assert str(healthy.parent) not in banner and "uptake-20261201T020000" not in banner and "server's log" in banner
    assert not at.text_input  # no sign-in form: accounts live in the database
    reset_streamlit()


def test_the_server_starts_on_a_damaged_database_and_stays_up(healthy, tmp_path):
    """`make run` on a damaged file: the app answers with the banner, never exits into a restart
    loop, and the file is unchanged when it stops."""
    zero_header(healthy)
    before = digest(healthy)
    server = start_server(healthy, tmp_path)
    try:
        assert urllib.request.urlopen(server.url + "/", timeout=30).status == 200
        assert server.process.poll() is None
    finally:
        server.stop()
    said = server.log.read_text()  # the operator's advice, in the log `make run` prints
    assert f"cannot open its database {healthy}" in said and "python -m analysis restore" in said
    assert digest(healthy) == before


def test_a_write_ahead_log_left_behind_is_copied_before_it_is_replayed(tmp_path):
    """DuckDB replays a log up to its first bad entry and drops the rest without a word: the copy
    keeps what the log held (analysis/damage.py)."""
    path = tmp_path / "uptake.duckdb"
    Store(path).close()
    left_behind = (  # a process that wrote and was killed before it could close the database
        "import os, sys; sys.path.insert(0, sys.argv[2]); from analysis.store import Store; "
        "from analysis import orgs; from analysis.access import OPERATOR; s = Store(sys.argv[1]); "
        "orgs.add_organisation(s, OPERATOR, 'Acme', 'Europe/London', ['acme.test']); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", left_behind, str(path), str(ROOT)], check=True, env={**os.environ})
    wal = tmp_path / "uptake.duckdb.wal"
    assert wal.exists()
    held = wal.read_bytes()
    store = Store(path)  # replays the log
    try:
        assert orgs.organisations(store, OPERATOR)["name"].tolist() == ["Acme"]
        [copy] = (tmp_path / WAL_KEPT).iterdir()
        assert copy.read_bytes() == held
    finally:
        store.close()
    shutil.rmtree(tmp_path / WAL_KEPT)
