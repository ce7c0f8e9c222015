"""`backup`, `restore`, `erase-person` and `offboard`: data care (analysis/care/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.care import backup as backups
from analysis.care import schedule
from analysis.cli.common import CommandError, org_scope
from analysis.store import DatabaseBusy, Store, db_path


def add_parsers(sub) -> None:
    bk = sub.add_parser("backup", help="a consistent copy of the database (through the app when it runs)")
    bk.add_argument("file", type=Path, help="the new backup file (never overwritten)")
    bk.add_argument("--wait", type=float, default=120, help="seconds to wait for the running app (default 120)")
    bk.set_defaults(run=run_backup, own_store=True)

    er = sub.add_parser("erase-person", help="erase one person from an organisation (their rows and every mention)")
    er.add_argument("--org", required=True)
    er.add_argument("--yes", action="store_true", help="erase without asking")
    er.add_argument("person", help="their user id (as in the roster or usage) or their name")
    er.set_defaults(run=run_erase)

    ob = sub.add_parser("offboard", help="export everything of an organisation as a zip, then delete it")
    ob.add_argument("--org", required=True)
    ob.add_argument("--export", type=Path, required=True, metavar="FILE.zip", help="the zip to write (a new file)")
    ob.add_argument("--yes", action="store_true", help="delete without asking")
    ob.set_defaults(run=run_offboard)

    rs = sub.add_parser("restore", help="put a backup back, after checking it (stop the app first)")
    rs.add_argument("file", type=Path)
    rs.set_defaults(run=run_restore, own_store=True)


def run_erase(args: argparse.Namespace, store: Store) -> int:
    from analysis.care.erasure import erase_person

    scope = org_scope(store, args.org, "manage_organisations")
    if not args.yes:
        print(f"Erase {args.person!r} from {args.org}: their rows and every mention; this cannot be undone.")
        print("Type yes to erase: ", end="", flush=True)
        if sys.stdin.readline().strip().lower() != "yes":
            raise CommandError("not erased: the answer was not yes")
    done = erase_person(scope, args.person)
    print(f"erased from {args.org}: {done.summary()}")
    return 0


def run_offboard(args: argparse.Namespace, store: Store) -> int:
    from analysis.care import offboard

    scope = org_scope(store, args.org, "manage_organisations")
    target = args.export
    if target.exists():
        raise CommandError(f"{target} exists already: name a new file for the export")
    try:
        with target.open("xb") as out:
            exported = offboard.export_zip(scope, out)
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc.strerror}") from None
    print(f"exported {sum(exported.rows.values())} rows of {len(exported.rows)} tables to {target}")
    if not args.yes:
        print(f"Delete {exported.name} and all its data from this database? This cannot be undone.")
        print("Type the organisation's name to delete it: ", end="", flush=True)
        if sys.stdin.readline().strip() != exported.name:
            raise CommandError(f"not deleted: the name did not match; the export {target} stays")
    done = offboard.delete_organisation(scope, expected=exported.rows)
    print(f"deleted {done.name}: {sum(done.rows.values())} rows; none of its rows remain in any table")
    if done.accounts_left:
        print(f"  client accounts now without an organisation (disable them): {', '.join(done.accounts_left)}")
    return 0


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
