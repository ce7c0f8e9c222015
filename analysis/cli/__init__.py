"""The command line: `python -m analysis ...` (docs/operations.md#command-line).

The provider's operator tool on the server: it opens the database named by UPTAKE_DB and acts
with the admin's rights. Every failure is one line on stderr and a non-zero exit.

One module per command group, each with add_parsers(sub) (its subcommands, each naming the
function that runs it) and those functions, run(args, store) -> exit code: organisations (org,
rollout, annotate), loads (load, uploads, undo), users (user), kpis (kpis, alerts), targets
(baseline, target), report (report), care (backup, restore, erase-person, offboard); common.py
holds what they share. A command that opens the database its own way (backup, restore) sets
own_store and is given None.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

from analysis.cli import care, kpis, loads, organisations, report, targets, users
from analysis.cli.common import CommandError
from analysis.secretbox import SecretKeyError
from analysis.store import DatabaseBusy, Store

GROUPS = (organisations, loads, users, kpis, targets, report, care)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description="Uptake's command line.")
    sub = p.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command (argv: the arguments after `python -m analysis`; None: sys.argv) and return
    its exit code: 0 done, 1 a file refused, 2 an error (said on stderr), 3 the database is busy
    or its secret key is missing or wrong. Callable in-process; a bad argument or --help raises
    SystemExit, as argparse does."""
    args = parser().parse_args(argv)
    try:
        store = None if getattr(args, "own_store", False) else Store()
    except (DatabaseBusy, SecretKeyError) as exc:
        print(f"uptake: {exc}", file=sys.stderr)
        return 3
    try:
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


__all__ = ["CommandError", "main", "parser"]
