"""Per-table row counts and checksums: the fingerprint a backup, a restore and the crash drill
compare (analysis/care/backup.py, bench/crash_drill.py)."""

from __future__ import annotations

import duckdb


def user_tables(cur: duckdb.DuckDBPyConnection, catalog: str | None = None) -> list[str]:
    """The database's own tables (schema main), by name."""
    rows = cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = coalesce(?, current_database()) "
        "AND schema_name = 'main' AND NOT internal AND NOT temporary ORDER BY table_name",
        [catalog],
    ).fetchall()
    return [name for (name,) in rows]


def columns(cur: duckdb.DuckDBPyConnection, table: str, catalog: str | None = None) -> list[tuple[str, str]]:
    """(column, type) of a table, in order."""
    return cur.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = coalesce(?, current_database()) "
        "AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [catalog, table],
    ).fetchall()


def quoted(name: str) -> str:
    """An identifier from the catalogue, quoted for SQL (a name never comes from a user)."""
    return '"' + name.replace('"', '""') + '"'


def table_checksums(
    cur: duckdb.DuckDBPyConnection,
    catalog: str | None = None,
    skip_tables: frozenset[str] = frozenset(),
    skip_types: frozenset[str] = frozenset(),
) -> dict[str, tuple[int, int]]:
    """{table: (rows, checksum)} of every table: the checksum is the sum of each row's hash, so it
    does not depend on the order rows are stored in. skip_types leaves columns of those types out
    (the drill: a timestamp is when a load ran, which two runs of one load do not share)."""
    prefix = f"{quoted(catalog)}.main." if catalog else ""
    found = {}
    for table in user_tables(cur, catalog):
        if table in skip_tables:
            continue
        kept = [quoted(c) for c, t in columns(cur, table, catalog) if t not in skip_types]
        row_hash = f"hash({', '.join(kept)})" if kept else "0"
        # S608: only catalogue names, quoted, are formatted in
        sql = f"SELECT count(*), coalesce(sum({row_hash}::HUGEINT), 0) FROM {prefix}{quoted(table)}"  # noqa: S608
        count, total = cur.execute(sql).fetchall()[0]
        found[table] = (int(count), int(total))
    return found
