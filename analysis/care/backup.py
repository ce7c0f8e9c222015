"""Backup and restore of the database file (docs/operations.md).

A backup is a DuckDB file made with COPY FROM DATABASE inside one read transaction, so it is a
consistent snapshot even while the app serves sessions and loads files; it is written into the
store's staging folder (the one folder the locked-down connection may write, analysis/store.py),
its tables' row counts and checksums are compared with the source's in that same transaction, and
only then is it moved to its place. A backup never overwrites a file.

A restore never opens the backup itself: it checks a copy (opens it with this database's secret
key, applies the migrations, reads every row of every table), keeps the current database beside
it as <name>.before-restore-<time>.duckdb (never deleted), puts the checked copy in place, and
compares the counts and checksums once more. The app must be stopped for a restore.

The secret key (data/secrets/, analysis/secretbox.py) is not in the backup: keep it apart.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from analysis import secretbox
from analysis.care.care_log import log
from analysis.care.checksums import quoted, table_checksums
from analysis.damage import is_damage
from analysis.store import DatabaseBusy, Store, migrations


class BackupError(RuntimeError):
    """The backup or restore was not made; the message says why. Nothing was changed."""


@dataclass
class Copied:
    path: Path
    tables: int
    rows: int
    checksums: dict[str, tuple[int, int]]
    kept: Path | None = None  # restore: where the database it replaced was kept


def backup(store: Store, target: Path, by: str = "operator") -> Copied:
    """A consistent copy of store's database at target (a new file), checked table by table."""
    target = Path(target).resolve()
    if target.exists():
        raise BackupError(f"{target} exists already: a backup never overwrites a file")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    partial = store.staging_dir / f"backup-{uuid.uuid4().hex}.duckdb"
    cur = store.cursor()
    source = cur.execute("SELECT current_database()").fetchall()[0][0]
    # the path is this module's own (a uuid in the staging folder); ATTACH takes no parameters
    cur.execute(f"ATTACH '{_literal(partial)}' AS care_backup")
    try:
        cur.execute("BEGIN")
        try:
            before = table_checksums(cur)
            cur.execute(f"COPY FROM DATABASE {quoted(source)} TO care_backup")
            copied = table_checksums(cur, "care_backup")
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
    finally:
        cur.execute("DETACH care_backup")
    try:
        if copied != before:
            raise BackupError("the copy's tables differ from the database's: no backup was kept")
        _move(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    made = Copied(target, len(copied), sum(n for n, _ in copied.values()), copied)
    log(store, by, "backup", f"backup {target.name}: {made.tables} tables, {made.rows} rows")
    return made


def restore(source: Path, database: Path, by: str = "operator") -> Copied:
    """Put the backup source back as the database file, after checking a copy of it; the app must
    be stopped. Returns what is now in place and where the replaced database was kept."""
    source, database = Path(source).resolve(), Path(database).resolve()
    if not source.is_file():
        raise BackupError(f"no backup file {source}")
    _not_in_use(database)
    # the copy is checked under the database's own name, in a folder of its own, with the
    # database's key beside it (the key file is named after the database, analysis/secretbox.py)
    folder = database.parent / f".restore-check-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)  # a new server may have no data folder yet
    checking = folder / database.name
    try:
        shutil.copyfile(source, checking)
        own_key = _lend_key(database, checking)
        checked = _check(checking, database)
        kept = _keep_current(database)
        made_key = secretbox.key_file(str(checking))
        if not own_key and made_key is not None and made_key.exists():
            # no key was here: the one made for the copy now seals its secrets, so it goes with it
            live_key = secretbox.key_file(str(database))
            assert live_key is not None
            live_key.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.replace(made_key, live_key)
        os.replace(checking, database)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    store = Store(database)
    try:
        now = table_checksums(store.cursor())
        if now != checked:
            raise BackupError(f"the restored database differs from the checked copy: the one it replaced is at {kept}")
        log(
            store,
            by,
            "restore",
            f"restored from {source.name}: {len(now)} tables, {sum(n for n, _ in now.values())} rows",
        )
    finally:
        store.close()
    return Copied(database, len(now), sum(n for n, _ in now.values()), now, kept)


def _check(path: Path, database: Path) -> dict[str, tuple[int, int]]:
    """Open a copy of a backup as the database would be opened (its key, the migrations) and
    read every row; its counts and checksums."""
    _uptakes(path)
    try:
        store = Store(path, staging_dir=database.parent / "staging")
    except secretbox.SecretKeyError as exc:
        raise BackupError(f"the backup's secrets do not open with this database's key ({exc})") from None
    except duckdb.Error as exc:
        raise BackupError(f"the backup does not open as a database: {str(exc).splitlines()[0]}") from None
    try:
        return table_checksums(store.cursor())
    except duckdb.Error as exc:
        raise BackupError(f"the backup cannot be read whole: {str(exc).splitlines()[0]}") from None
    finally:
        store.close()


def _uptakes(path: Path) -> None:
    """Refuse a file that is not an Uptake database this version can open, before the migrations
    (which would make any DuckDB file look like one)."""
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise BackupError(f"the backup does not open as a database: {str(exc).splitlines()[0]}") from None
    try:
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if not {"schema_version", "organisations", "uploads"} <= tables:
            raise BackupError("the file is a DuckDB database but not Uptake's")
        versions = {v for (v,) in con.execute("SELECT version FROM schema_version").fetchall()}
    finally:
        con.close()
    unknown = versions - {v for v, _ in migrations()}
    if unknown:
        raise BackupError(f"the backup was made by a newer Uptake (migrations {sorted(unknown)}): upgrade first")


def _lend_key(database: Path, checking: Path) -> bool:
    """Put the database's key file beside the copy to check; False when it has none (nor
    UPTAKE_SECRET_KEY, which then serves both)."""
    if os.environ.get(secretbox.ENV, "").strip():
        return True
    live, lent = secretbox.key_file(str(database)), secretbox.key_file(str(checking))
    if live is None or lent is None or not live.exists():
        return False
    lent.parent.mkdir(mode=0o700, exist_ok=True)
    shutil.copyfile(live, lent)
    os.chmod(lent, 0o600)
    return True


def _not_in_use(database: Path) -> None:
    if not database.exists():
        return
    try:
        duckdb.connect(str(database)).close()
    except duckdb.Error as exc:
        if is_damage(exc):
            return  # a damaged database may not open at all: the restore is what it needs
        if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
            raise DatabaseBusy(f"the database {database} is in use by the running app: stop it, then restore") from None
        raise


def _keep_current(database: Path) -> Path | None:
    """Move the database (and its write-ahead log) aside, never deleting it."""
    if not database.exists():
        return None
    kept = database.with_name(f"{database.stem}.before-restore-{datetime.now():%Y%m%dT%H%M%S}.duckdb")
    os.replace(database, kept)
    wal = Path(f"{database}.wal")
    if wal.exists():
        os.replace(wal, Path(f"{kept}.wal"))
    return kept


def _move(partial: Path, target: Path) -> None:
    """Move the finished copy to target without ever leaving a half-written file under its name."""
    landing = target.with_name(f".{target.name}.partial")
    shutil.copyfile(partial, landing)
    os.replace(landing, target)


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")
