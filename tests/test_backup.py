"""Backup and restore (analysis/care/backup.py, analysis/care/schedule.py): a consistent copy
made here or by the app that holds the database, a restore that checks before it replaces, and
the daily backup keeping N."""

import shutil
from datetime import datetime

import duckdb
import pytest

from analysis import auth, secretbox
from analysis.care import schedule
from analysis.care.checksums import table_checksums
from analysis.schedule import tick
from analysis.store import Store
from bench.loadtest_server import start_server
from tests.cli_run import runner
from tests.conftest import TINY


def counts_and_sums(path):
    store = Store(path)
    try:
        sums = table_checksums(store.cursor(), skip_tables=frozenset({"care_log"}))
        return sums, store.cursor().execute("SELECT action, detail FROM care_log ORDER BY entry_id").fetchall()
    finally:
        store.close()


@pytest.fixture
def loaded(cli):
    cli("org", "add", "Acme", "--domain", "acme.test")
    cli(
        "rollout",
        "add",
        "--org",
        "Acme",
        "--name",
        "MFA",
        "--cohort",
        "champion=2025-01-06",
        "--cohort",
        "wider=2025-02-03",
    )
    cli("load", "--org", "Acme", "--rollout", "MFA", "--kind", "roster", TINY / "roster.csv")
    cli("load", "--org", "Acme", "--kind", "usage", TINY / "usage.csv")
    return cli


def test_backup_then_restore_brings_back_every_row(loaded, tmp_path):
    cli = loaded
    made = cli("backup", tmp_path / "b1.duckdb").stdout
    assert made.startswith(f"backup {tmp_path / 'b1.duckdb'}: ")
    at_backup, _ = counts_and_sums(cli.path)
    # tests/data/tiny: 7 people on the roster, 8 usage rows
    assert at_backup["roster"][0] == 7 and at_backup["usage_events"][0] == 8 and at_backup["uploads"][0] == 2
    cli("load", "--org", "Acme", "--kind", "tickets", TINY / "tickets.csv")
    cli("undo", "2")
    assert counts_and_sums(cli.path)[0] != at_backup

    done = cli("restore", tmp_path / "b1.duckdb").stdout
    assert "checked" in done and "the database it replaced is kept at" in done
    now, log = counts_and_sums(cli.path)
    assert now == at_backup  # every table's row count and checksum
    assert [a for a, _ in log] == ["restore"]  # the backup's own entry is written after its copy
    kept = list(tmp_path.glob("cli.before-restore-*.duckdb"))
    assert len(kept) == 1  # the replaced database is never deleted
    assert counts_and_sums(kept[0])[0]["tickets"][0] == 6  # the tickets loaded after the backup
    # a backup never overwrites a file
    again = cli("backup", tmp_path / "b1.duckdb", ok=False)
    assert again.returncode == 2 and "exists already" in again.stderr


def test_restore_refuses_a_file_that_is_not_a_good_backup(loaded, tmp_path):
    cli = loaded
    before, _ = counts_and_sums(cli.path)
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database" * 1000)
    refused = cli("restore", junk, ok=False)
    assert refused.returncode == 2 and "not restored: the backup does not open as a database" in refused.stderr
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t AS SELECT 1 AS x").close()
    refused = cli("restore", other, ok=False)
    assert refused.returncode == 2 and "not Uptake's" in refused.stderr
    assert counts_and_sums(cli.path)[0] == before
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_backup_through_the_running_app(loaded, tmp_path, monkeypatch):
    """The app (server.py, started as `make run` does) holds the database: the command line asks it
    for the backup (analysis/care/schedule.py), and the copy equals the database."""
    cli = loaded
    monkeypatch.setenv("UPTAKE_CARE_SECONDS", "0.5")
    # Today's scheduled checks done beforehand, so the app's own first pass (analysis/schedule.py)
    # has nothing to write around the backup: the copy can then equal the database after it.
    store = Store(cli.path)
    try:
        tick(store)
    finally:
        store.close()
    server = start_server(cli.path, tmp_path)
    try:
        made = cli("backup", tmp_path / "through-app.duckdb", "--wait", "60")
        assert "asking it to make the backup" in made.stderr
        assert made.stdout.startswith(f"backup {tmp_path / 'through-app.duckdb'}: ")
        busy = cli("restore", tmp_path / "through-app.duckdb", ok=False)  # never under a running app
        assert busy.returncode == 3 and "stop it, then restore" in busy.stderr
    finally:
        server.stop()
    original, log = counts_and_sums(cli.path)
    copy, _ = counts_and_sums(tmp_path / "through-app.duckdb")
    assert copy == original
    assert ("backup", "backup through-app.duckdb: " + made.stdout.split(": ", 1)[1].removesuffix(", checked\n")) in log


def test_daily_backup_keeps_the_newest_n(store, tmp_path, monkeypatch):
    monkeypatch.setenv("UPTAKE_BACKUP_DIR", str(tmp_path / "daily"))
    monkeypatch.setenv("UPTAKE_BACKUP_KEEP", "3")
    file_store = Store(tmp_path / "app.duckdb", staging_dir=tmp_path / "staging")
    try:
        made = [schedule.daily_backup(file_store, datetime(2026, 3, day, 2, 0)) for day in (1, 2, 3, 4, 5)]
        assert all(made)
        assert schedule.daily_backup(file_store, datetime(2026, 3, 5, 23, 0)) is None  # one a day
        left = sorted(p.name for p in (tmp_path / "daily").iterdir())
        assert left == [f"app-2026030{d}T020000.duckdb" for d in (3, 4, 5)]
        monkeypatch.setenv("UPTAKE_BACKUP_KEEP", "0")
        assert schedule.daily_backup(file_store, datetime(2026, 3, 6, 2, 0)) is None  # turned off
    finally:
        file_store.close()


def test_restore_on_a_new_server_needs_the_backups_key(loaded, tmp_path):
    """The secrets in a backup (the cookie-signing key) are sealed with the key kept outside it: a
    restore without that key is refused and leaves nothing; with it put back, the database opens."""
    cli = loaded
    store = Store(cli.path)
    signing_key = auth.cookie_key(store)  # made and sealed as the app does on its first start
    store.close()
    cli("backup", tmp_path / "b.duckdb")
    new_server = runner(tmp_path / "new" / "uptake.duckdb")
    refused = new_server("restore", tmp_path / "b.duckdb", ok=False)
    assert refused.returncode == 2 and "do not open with this database's key" in refused.stderr
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["staging"]  # no database, no key made

    key = secretbox.key_file(str(new_server.path))
    key.parent.mkdir(mode=0o700)
    shutil.copyfile(secretbox.key_file(str(cli.path)), key)
    new_server("restore", tmp_path / "b.duckdb")
    restored = Store(new_server.path)
    try:
        assert auth.cookie_key(restored) == signing_key
    finally:
        restored.close()
    assert counts_and_sums(new_server.path)[0] == counts_and_sums(cli.path)[0]


def test_restore_without_any_key_takes_the_one_made_for_the_copy(tmp_path):
    """A backup with no secrets, restored where no key exists: the key made while checking it goes
    with it, so the restored database opens."""
    made = runner(tmp_path / "a.duckdb")
    made("org", "add", "Acme")
    made("backup", tmp_path / "b.duckdb")
    new_server = runner(tmp_path / "new" / "uptake.duckdb")
    new_server("restore", tmp_path / "b.duckdb")
    assert not list((tmp_path / "new").glob(".restore-check-*"))
    assert [p.name for p in (tmp_path / "new" / "secrets").iterdir()] == ["uptake.key"]  # no stray key
    assert "Acme" in new_server("org", "list").stdout
