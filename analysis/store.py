"""The one owner of the DuckDB connection: open, migrate, define the macros, lock down, cursor per
thread.

Everything else asks the store for a cursor; no other module calls duckdb.connect.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analysis import audit, secretbox
from analysis.damage import DatabaseDamaged, is_damage, keep_wal, reason

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
QUERIES_DIR = PACKAGE_DIR / "queries"
MACROS_DIR = QUERIES_DIR / "macros"
DEFAULT_DB = "data/uptake.duckdb"


class DatabaseBusy(RuntimeError):
    """Another process (usually the running app) holds the database file."""


def db_path() -> str:
    return os.environ.get("UPTAKE_DB", DEFAULT_DB)


# DuckDB's buffer memory: a load of 20 M rows sorts and joins within it, spilling to
# <database>.tmp beyond it, in under 1 GiB in all (docs/performance.md#memory); UPTAKE_DB_MEMORY
# changes it (the app's server.py sets 1GB for its many sessions).
DEFAULT_DB_MEMORY = "600MB"


def migrations() -> list[tuple[int, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = re.match(r"(\d+)_", path.name)
        if match:
            found.append((int(match.group(1)), path))
    return found


def macro_files() -> list[Path]:
    """The table macros' files, in the order they are applied (a macro names those before it)."""
    return sorted(MACROS_DIR.glob("*.sql"))


@cache
def query_text(name: str) -> str:
    """The SQL of queries/<name>.sql (a fixed set of files: names never come from users)."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"not a query name: {name!r}")
    return (QUERIES_DIR / f"{name}.sql").read_text()


class Store:
    """A DuckDB database with Uptake's schema, locked down once open.

    path ":memory:" gives a private in-memory database (tests).
    """

    def __init__(self, path: str | os.PathLike | None = None, staging_dir: str | os.PathLike | None = None):
        self.path = str(path if path is not None else db_path())
        in_memory = self.path == ":memory:"
        if not in_memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        base = Path(self.path).resolve().parent if not in_memory else Path.cwd() / "data"
        self.staging_dir = Path(staging_dir) if staging_dir else base / "staging"
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        kept_wal = None if in_memory else keep_wal(self.path)  # before DuckDB replays it (analysis/damage.py)
        try:
            self._con = duckdb.connect(self.path)
        except duckdb.Error as exc:
            if is_damage(exc):
                raise DatabaseDamaged(self.path, reason(exc)) from None
            if kept_wal is not None:
                kept_wal.unlink(missing_ok=True)  # the log of a live process, not one left behind
            if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
                pid = re.search(r"PID (\d+)", str(exc))
                holder = f" (process {pid.group(1)})" if pid else ""
                raise DatabaseBusy(
                    f"the database {self.path} is in use by the running app{holder}: stop the app first, "
                    "or copy the file to data/inbox/<organisation>/<kind>/ and the app loads it "
                    "(docs/operations.md: scheduled loads through the inbox)"
                ) from None
            raise
        self._local = threading.local()
        self.write_lock = threading.RLock()
        # which database this is, for the write count: a file by its path; each in-memory one its own
        self.database_id = f":memory:{id(self)}" if in_memory else str(Path(self.path).resolve())
        _count_write(self.database_id)  # a file (re)opened may hold anything: what was read of it before is old
        # called as hook(scope, result) after each load that stored something (analysis/ingest): the
        # app and the command line add the scheduled evaluation (analysis/schedule.py)
        self.after_load: list = []
        try:
            self._migrate()
            # the cookie-signing key and TOTP secrets are encrypted with a key kept outside the
            # database; checked before the macros are written, so a wrong key changes nothing
            self.secret_box = secretbox.open_box(self)
            self._define_macros()
        except duckdb.Error as exc:
            self._con.close()
            if is_damage(exc):  # a damaged block read while migrating
                raise DatabaseDamaged(self.path, reason(exc)) from None
            raise
        except BaseException:
            self._con.close()
            raise
        self._lock_down()

    # -- set-up ---------------------------------------------------------------------------------
    def _migrate(self) -> None:
        con = self._con
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, "
            "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
        )
        # every migration not applied yet, not only those above the newest applied: numbers are
        # handed out ahead of merging (013 arrived after 018), so a database may hold 018 without 013
        applied = {v for (v,) in con.execute("SELECT version FROM schema_version").fetchall()}
        for version, path in migrations():
            if version in applied:
                continue
            con.execute("BEGIN")
            try:
                con.execute(path.read_text())
                con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise

    def _define_macros(self) -> None:
        """CREATE OR REPLACE every table macro from its file, on every open and after the
        migrations (a macro is checked against the tables when it is made): the migrations hold
        the schema, the macros the metrics, so changing a metric needs no migration."""
        con = self._con
        if self._partly_migrated():
            # only a database pinned to older migrations (the upgrade tests, tests/test_store.py): it
            # gets the macros its tables allow; a fully migrated one gets them all or fails
            for path in macro_files():
                try:
                    con.execute(path.read_text())
                except (duckdb.CatalogException, duckdb.BinderException):
                    continue
            return
        con.execute("BEGIN")
        try:
            for path in macro_files():
                con.execute(path.read_text())
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise

    def _partly_migrated(self) -> bool:
        """True when a migration file is not applied (migrations() stops short of it: the upgrade
        tests pin older migrations)."""
        every = {int(p.name.split("_")[0]) for p in MIGRATIONS_DIR.glob("*.sql")}
        applied = {v for (v,) in self._con.execute("SELECT version FROM schema_version").fetchall()}
        return not every <= applied

    def _lock_down(self) -> None:
        # Order matters (docs/security.md#the-database-locked-down): allowed directories first, then
        # external access off, then lock the configuration so no later statement can loosen it.
        con = self._con
        con.execute("SET memory_limit = ?", [os.environ.get("UPTAKE_DB_MEMORY", DEFAULT_DB_MEMORY)])
        con.execute("SET allowed_directories = ?", [[str(self.staging_dir.resolve()) + "/"]])
        con.execute("SET enable_external_access = false")
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute("SET lock_configuration = true")

    @property
    def schema_version(self) -> int:
        return self.cursor().execute("SELECT max(version) FROM schema_version").fetchall()[0][0]

    # -- access -----------------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor (DuckDB 2.0 refuses a connection shared between threads)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def df(self, name: str, params: dict | None = None) -> pd.DataFrame:
        """Run queries/<name>.sql with bound $parameters and return the result."""
        return self.cursor().execute(query_text(name), params or {}).df()

    @contextmanager
    def transaction(
        self,
        action: str | None = None,
        *,
        detail: str = "",
        org_id: int | None = None,
        housekeeping: str = "",
        counted: bool = True,
    ):
        """One write transaction: everything inside commits together or not at all. action (a short
        verb phrase) records it in the audit log, inside the transaction (analysis/audit.py), with
        detail and the organisation; a transaction that is no one's write names why in housekeeping
        instead (tests/test_audit_sweep.py checks every call names one or the other). counted False:
        the write does not move the write count (`writes`), for a write no kept read holds (a
        sign-in's last activity, analysis/auth/sessions.py, which updates its own)."""
        if action and housekeeping:
            raise ValueError("a transaction is a recorded write or housekeeping, not both")
        with self.write_lock:
            cur = self.cursor()
            cur.execute("BEGIN")
            try:
                if action is None:
                    yield cur
                else:
                    with audit.pending(cur, action, detail, org_id):
                        yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
            if counted:
                _count_write(self.database_id)

    @property
    def writes(self) -> int:
        """How many write transactions this process has committed to the database (its file: every
        Store on it), or opened it: a value read from the database with the same count is current
        (ui/cached.py keeps the cache keys' version reads by it). Another process cannot write the
        file while this one holds it (DuckDB locks it)."""
        return _writes.get(self.database_id, 0)

    def until_written(self, key: tuple, read: Callable[[], Any], fresh: bool = False) -> Any:
        """read(), kept until the next write to this database (`writes`) under key, which names what
        was read and for whom (an organisation id in it keeps organisations apart); shared by every
        caller in the process, so a kept value is never changed. fresh: read again now, and keep that."""
        writes = self.writes  # before the read: a write committed during it makes the next call read again
        where = (self.database_id, *key)
        if not fresh:
            with _kept_lock:
                hit = _kept.get(where)
            if hit is not None and hit[0] == writes:
                return hit[1]
        value = read()
        with _kept_lock:
            if len(_kept) >= KEPT_READS:  # what was read before the newest write of each database goes first
                for old in [k for k, (n, _) in _kept.items() if n != _writes.get(k[0], 0)]:
                    del _kept[old]
            if len(_kept) < KEPT_READS:
                _kept[where] = (writes, value)
        return value

    def close(self) -> None:
        self._con.close()


KEPT_READS = 20_000  # values kept by until_written in the process, at most
_kept: dict[tuple, tuple[int, Any]] = {}  # (database, *key) -> (its write count when read, value)
_kept_lock = threading.Lock()
_writes: dict[str, int] = {}
_writes_lock = threading.Lock()


def _count_write(database: str) -> None:
    with _writes_lock:
        _writes[database] = _writes.get(database, 0) + 1


_shared: dict[str, Store] = {}
_shared_lock = threading.Lock()


def shared_store(path: str | None = None) -> Store:
    """The process-wide store for a database file (the app and its inbox share one)."""
    key = str(Path(path or db_path()).resolve())
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Store(key)
        return _shared[key]
