"""The command line: `python -m analysis ...` (docs/operations.md#command-line).

The provider's operator tool on the server: it opens the database named by UPTAKE_DB and acts
with the admin's rights. Every failure is one line on stderr and a non-zero exit.

One module per command group, each with add_parsers(sub) (its subcommands, each naming the
function that runs it) and those functions, run(args, store) -> exit code: organisations (org,
rollout, annotate), loads (load, uploads, undo), users (user), kpis (kpis, alerts), targets
(baseline, target), report (report), care (backup, restore, erase-person, offboard); common.py
holds what they share. A read command that can also run through the app's API while the app
holds the database names remote(args, api) -> exit code, or None when this form of it needs the
database (remote.py: the org and rollout lists, kpis, alerts). A command that opens the database
its own way (backup, restore) sets own_store and is given None.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

from analysis import audit, schedule
from analysis.cli import auditing, care, kpis, loads, organisations, report, targets, users
from analysis.cli.common import CommandError
from analysis.cli.remote import TOKEN, URL, Api, AppUnreachable
from analysis.damage import DatabaseDamaged
from analysis.secretbox import SecretKeyError
from analysis.store import DatabaseBusy, Store

GROUPS = (organisations, loads, users, kpis, targets, report, care, auditing)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description="Uptake's command line.")
    sub = p.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command (argv: the arguments after `python -m analysis`; None: sys.argv) and return
    its exit code: 0 done, 1 a file refused, 2 an error (said on stderr), 3 the database is busy,
    damaged, or its secret key is missing or wrong. Callable in-process; a bad argument or --help raises
    SystemExit, as argparse does."""
    args = parser().parse_args(argv)
    try:
        store = None if getattr(args, "own_store", False) else Store()
    except DatabaseBusy as exc:
        return _through_the_app(args, exc)
    except SecretKeyError as exc:
        print(f"uptake: {exc}", file=sys.stderr)
        return 3
    except DatabaseDamaged as exc:
        from analysis.care.advice import advice  # only here: the commands' start stays light

        print("\n".join(f"uptake: {line}" for line in advice(exc)), file=sys.stderr)
        return 3
    if store is not None:
        schedule.watch_loads(store)  # a load evaluates the rules and records their changes, as in the app
    try:
        with audit.acting(*audit.command_line()):  # every write below is the OS user's (analysis/audit.py)
            return args.run(args, store)
    except (DatabaseBusy, SecretKeyError) as exc:
        print(f"uptake: {exc}", file=sys.stderr)
        return 3
    except (CommandError, ValueError, PermissionError, LookupError) as exc:
        print(f"uptake: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:  # nothing was changed: every write is one transaction
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"uptake: the database refused this ({first_line}); nothing was changed", file=sys.stderr)
        return 2
    finally:
        if store is not None:
            store.close()


def _through_the_app(args: argparse.Namespace, busy: DatabaseBusy) -> int:
    """The app holds the database: a read command asks the app's API (analysis/cli/remote.py) when
    UPTAKE_URL and UPTAKE_TOKEN are set; anything else exits 3, saying what to do."""
    remote = getattr(args, "remote", None)
    api = remote and Api.from_environment()
    if not remote or api is None:
        hint = f"; or set {URL} and {TOKEN} (an API token from Your account) to read through the app" if remote else ""
        print(f"uptake: {busy}{hint}", file=sys.stderr)
        return 3
    try:
        done = remote(args, api)
    except CommandError as exc:
        print(f"uptake: {exc}", file=sys.stderr)
        return 2
    except AppUnreachable as exc:
        print(f"uptake: {busy}; and {exc}", file=sys.stderr)
        return 3
    if done is None:  # this form of the command needs the database itself
        print(f"uptake: {busy}", file=sys.stderr)
        return 3
    return done


__all__ = ["CommandError", "main", "parser"]
