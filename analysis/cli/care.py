"""`backup`, `restore`, `erase-person` and `offboard`: data care (analysis/care/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.care import backup as backups
from analysis.care import schedule
from analysis.cli.common import CommandError
from analysis.store import DatabaseBusy, Store, db_path


def add_parsers(sub) -> None:
    bk = sub.add_parser("backup", help="a consistent copy of the database (through the app when it runs)")
    bk.add_argument("file", type=Path, help="the new backup file (never overwritten)")
    bk.add_argument("--wait", type=float, default=120, help="seconds to wait for the running app (default 120)")
    bk.set_defaults(run=run_backup, own_store=True)

    rs = sub.add_parser("restore", help="put a backup back, after checking it (stop the app first)")
    rs.add_argument("file", type=Path)
    rs.set_defaults(run=run_restore, own_store=True)


def run_backup(args: argparse.Namespace, _store: Store | None) -> int:
    """Made here when the database is free, else by the app that holds it (analysis/care/schedule.py)."""
    try:
        own = Store()
    except DatabaseBusy:
        print("the app holds the database: asking it to make the backup", file=sys.stderr)
        answer = schedule.ask_the_app(db_path(), args.file, args.wait)
        if not answer["ok"]:
            raise CommandError(f"no backup: {answer['message']}") from None
        print(f"backup {answer['path']}: {answer['tables']} tables, {answer['rows']} rows, checked")
        return 0
    try:
        made = backups.backup(own, args.file)
    except backups.BackupError as exc:
        raise CommandError(f"no backup: {exc}") from None
    finally:
        own.close()
    print(f"backup {made.path}: {made.tables} tables, {made.rows} rows, checked")
    return 0


def run_restore(args: argparse.Namespace, _store: Store | None) -> int:
    try:
        done = backups.restore(args.file, Path(db_path()))
    except backups.BackupError as exc:
        raise CommandError(f"not restored: {exc}; the database was not changed") from None
    print(f"restored {done.path} from {args.file}: {done.tables} tables, {done.rows} rows, checked")
    if done.kept:
        print(f"  the database it replaced is kept at {done.kept}")
    return 0
