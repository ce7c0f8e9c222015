"""What to tell whoever meets a damaged database (analysis/damage.py): what is wrong, that nothing
was changed, the newest backups and the commands that put one back (docs/operations.md)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from analysis.care.schedule import backup_dir
from analysis.damage import WAL_KEPT, DatabaseDamaged
from analysis.words import day

SHOWN = 3


def newest_backups(database: str) -> list[tuple[Path, datetime]]:
    """The newest DuckDB files in the backups folder, newest first, with their times."""
    folder = backup_dir(database)
    if not folder.is_dir():
        return []
    found = [(p, datetime.fromtimestamp(p.stat().st_mtime)) for p in folder.glob("*.duckdb") if p.is_file()]
    return sorted(found, key=lambda f: f[1], reverse=True)[:SHOWN]


def advice(exc: DatabaseDamaged) -> list[str]:
    """The lines the app's banner and the command line show, in order."""
    lines = [
        f"Uptake cannot open its database {exc.path}: the file is damaged ({exc.reason}).",
        "Nothing has been changed or deleted: the file and its write-ahead log are as they were. "
        "Copy them somewhere safe before anything else.",
    ]
    backups = newest_backups(exc.path)
    if backups:
        lines.append(
            "The newest backups: " + "; ".join(f"{p} ({day(when.date())} {when:%H:%M})" for p, when in backups) + "."
        )
        lines.append(
            f"To put one back: stop the app, run `python -m analysis restore {backups[0][0]}` (the damaged "
            "file is kept beside it as uptake.before-restore-...), then start the app again."
        )
    else:
        lines.append(
            f"No backup was found in {backup_dir(exc.path)}. If you keep backups elsewhere, stop the app, "
            "run `python -m analysis restore FILE`, then start the app again."
        )
    kept = Path(exc.path).resolve().parent / WAL_KEPT
    if kept.is_dir() and any(kept.iterdir()):
        lines.append(f"Copies of earlier write-ahead logs are in {kept}.")
    return lines


# What anyone reaching the app sees: no path, no backup name (nobody can sign in to be told who
# they are); the operator finds advice() in the server's log, where `make run` prints it.
NOTICE = [
    "Uptake cannot open its database: the file is damaged. Nothing has been changed or deleted.",
    "The person who runs Uptake finds what is wrong and how to put a backup back in the server's log "
    "(and in docs/operations.md, A damaged database).",
]
