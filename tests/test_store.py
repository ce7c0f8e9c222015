"""The store: migrations upgrade an older database in place, DuckDB is locked down once open,
and a database held by another process gives one clear line."""

import shutil
import subprocess
import sys
from datetime import date

import duckdb
import pytest

from analysis import store as store_module
from analysis.store import Store
from tests.conftest import ROOT


def test_an_older_database_upgrades_in_place(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    all_migrations = store_module.migrations()
    monkeypatch.setattr(store_module, "migrations", lambda: all_migrations[:1])
    old = Store(path, staging_dir=tmp_path / "s")
    assert old.schema_version == 1
    old.cursor().execute("INSERT INTO organisations (name) VALUES ('Kept Ltd')")
    old.close()
    monkeypatch.setattr(store_module, "migrations", lambda: all_migrations)
    new = Store(path, staging_dir=tmp_path / "s")
    assert new.schema_version == all_migrations[-1][0] and len(all_migrations) >= 2  # numbers may skip
    assert new.cursor().execute("SELECT name FROM organisations").fetchall() == [("Kept Ltd",)]
    # the macros of migration 2 exist now
    assert new.cursor().execute("SELECT count(*) FROM current_roster(1, 1)").fetchall() == [(0,)]
    new.close()


WEEKS = "SELECT count(*) FROM iso_weeks(DATE '2025-01-06', DATE '2025-01-19')"


def daily_weeks(text: str) -> str:
    """iso_weeks stepping a day instead of a week: 2025-01-06 .. 2025-01-13 gives 8 rows, not 2."""
    assert "INTERVAL 7 DAY" in text
    return text.replace("INTERVAL 7 DAY", "INTERVAL 1 DAY")


def test_a_changed_macro_file_takes_effect_on_the_next_open(tmp_path, monkeypatch):
    path = tmp_path / "m.duckdb"
    first = Store(path, staging_dir=tmp_path / "s")
    # the ISO weeks of 2025-01-06 (a Monday) .. 2025-01-19 (a Sunday): the weeks of 01-06 and 01-13
    assert first.cursor().execute(WEEKS).fetchall() == [(2,)]
    version = first.schema_version
    first.close()
    macros = tmp_path / "macros"
    shutil.copytree(store_module.MACROS_DIR, macros)
    [weeks] = [p for p in macros.glob("*.sql") if "MACRO iso_weeks(" in p.read_text()]
    weeks.write_text(daily_weeks(weeks.read_text()))
    monkeypatch.setattr(store_module, "MACROS_DIR", macros)
    again = Store(path, staging_dir=tmp_path / "s")
    assert again.schema_version == version  # no migration ran
    assert again.cursor().execute(WEEKS).fetchall() == [(8,)]  # 01-06 .. 01-13, a day at a time
    again.close()


def test_macros_a_migration_made_before_are_replaced_by_the_files(tmp_path, monkeypatch):
    """A database migrated when migrations 2, 4 and 10 created the macros (CREATE MACRO, here with a
    different iso_weeks) opens with the files' definitions."""
    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(store_module, "macro_files", lambda: [])
    old = Store(path, staging_dir=tmp_path / "s")
    for file in sorted(store_module.MACROS_DIR.glob("*.sql")):
        text = file.read_text().replace("CREATE OR REPLACE MACRO", "CREATE MACRO")
        old.cursor().execute(daily_weeks(text) if "MACRO iso_weeks(" in text else text)
    assert old.cursor().execute(WEEKS).fetchall() == [(8,)]
    old.close()
    monkeypatch.undo()
    new = Store(path, staging_dir=tmp_path / "s")
    assert new.cursor().execute(WEEKS).fetchall() == [(2,)]
    adoption = "SELECT count(*) FROM person_adoption(1, 1, DATE '2025-01-31', 28)"  # built on the others
    assert new.cursor().execute(adoption).fetchall() == [(0,)]
    new.close()


def test_snapshots_loaded_before_migration_9_are_recorded_by_it(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    all_migrations = store_module.migrations()
    monkeypatch.setattr(store_module, "migrations", lambda: all_migrations[:8])
    old = Store(path, staging_dir=tmp_path / "s")
    old.cursor().execute(
        "INSERT INTO usage_events (org_id, user_id, event_at, day, activity, events, upload_id, snapshot) VALUES "
        "(1, 'ann', '2025-07-12', '2025-07-12', 'teams', 1, 7, '2025-07-13'), "
        "(1, 'ben', '2025-07-11', '2025-07-11', 'teams', 1, 7, '2025-07-13'), "
        "(1, 'ann', '2025-07-19', '2025-07-19', 'mfa', 1, 8, NULL)"
    )
    old.close()
    monkeypatch.setattr(store_module, "migrations", lambda: all_migrations)
    new = Store(path, staging_dir=tmp_path / "s")
    assert new.cursor().execute("SELECT * FROM usage_snapshot_loads").fetchall() == [(1, 7, date(2025, 7, 13), "teams")]
    new.close()


def _upgraded(tmp_path, monkeypatch, before: int, statements: list[str]) -> Store:
    """A store made by the migrations before `before`, holding what statements wrote, then opened
    with every migration."""
    path = tmp_path / "old.duckdb"
    all_migrations = store_module.migrations()
    monkeypatch.setattr(store_module, "migrations", lambda: [m for m in all_migrations if m[0] < before])
    old = Store(path, staging_dir=tmp_path / "s")
    for statement in statements:
        old.cursor().execute(statement)
    old.close()
    monkeypatch.setattr(store_module, "migrations", lambda: all_migrations)
    return Store(path, staging_dir=tmp_path / "s")


def test_usage_stored_before_migration_14_is_kept_without_the_key_indexes(tmp_path, monkeypatch):
    new = _upgraded(
        tmp_path,
        monkeypatch,
        14,
        [
            "INSERT INTO usage_events (org_id, user_id, event_at, day, activity, events, upload_id, snapshot) VALUES "
            "(2, 'ann', '2025-07-12 09:00', '2025-07-12', 'teams', 3, 7, NULL), "
            "(1, 'ben', '2025-07-11', '2025-07-11', 'teams', 1, 7, '2025-07-13')",
            "INSERT INTO usage_daily VALUES (2, 'ann', '2025-07-12', 'teams', 3)",
        ],
    )
    cur = new.cursor()
    assert cur.execute("SELECT org_id, user_id, events, snapshot FROM usage_events ORDER BY org_id").fetchall() == [
        (1, "ben", 1, date(2025, 7, 13)),
        (2, "ann", 3, None),
    ]
    assert cur.execute("SELECT * FROM usage_daily").fetchall() == [(2, "ann", date(2025, 7, 12), "teams", 3)]
    keys = "SELECT count(*) FROM duckdb_constraints() WHERE table_name IN ('usage_events', 'usage_daily') AND constraint_type = 'PRIMARY KEY'"
    assert cur.execute(keys).fetchall() == [(0,)]
    new.close()


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM read_csv('/etc/hostname')",
        "SELECT * FROM read_text('/etc/passwd')",
        "COPY organisations TO '/tmp/uptake-leak.csv'",
        "SELECT * FROM read_csv('https://example.com/x.csv')",
        "ATTACH '/tmp/other.duckdb' AS other",
        "SET enable_external_access = true",
        "SET allowed_directories = ['/']",
        "INSTALL httpfs",
        "LOAD excel",
    ],
)
def test_duckdb_is_locked_down(store, statement):
    with pytest.raises(duckdb.Error):
        store.cursor().execute(statement)


def test_the_staging_folder_stays_readable(store):
    staged = store.staging_dir / "x.csv"
    staged.write_text("a,b\n1,2\n")
    assert store.cursor().execute("SELECT count(*) FROM read_csv(?)", [str(staged)]).fetchall() == [(1,)]


def test_command_line_says_in_one_line_when_the_app_holds_the_database(tmp_path):
    db = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        done = subprocess.run(
            [sys.executable, "-m", "analysis", "org", "list"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={"UPTAKE_DB": str(db), "PATH": "/usr/bin:/bin"},
            timeout=60,
        )
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "in use by the running app" in lines[0] and "inbox" in lines[0]


def test_tickets_stored_before_migration_32_are_kept_without_the_key_index(tmp_path, monkeypatch):
    new = _upgraded(
        tmp_path,
        monkeypatch,
        32,
        [
            "INSERT INTO tickets (org_id, source, ticket_id, created_at, status, satisfaction, upload_id, sla_met, "
            "business_resolution_hours) VALUES (2, 'zendesk', 'T9', '2025-07-12 09:00', 'solved', 'good', 7, true, 4.5), "
            "(1, 'servicenow', 'INC1', '2025-07-11 08:00', 'new', NULL, 6, NULL, NULL)"
        ],
    )
    cur = new.cursor()
    rows = "SELECT org_id, source, ticket_id, status, satisfaction, resolved_approx, reopened, upload_id, sla_met, business_resolution_hours FROM tickets ORDER BY org_id"
    assert cur.execute(rows).fetchall() == [
        (1, "servicenow", "INC1", "new", None, False, 0, 6, None, None),
        (2, "zendesk", "T9", "solved", "good", False, 0, 7, True, 4.5),
    ]
    keys = "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'tickets' AND constraint_type = 'PRIMARY KEY'"
    assert cur.execute(keys).fetchall() == [(0,)]
    new.close()
