"""The app's own backups: a daily one keeping the newest N, and the backups the command line asks
for while the app holds the database (docs/operations.md).

The app runs care_pass every few seconds (server.py). `python -m analysis backup FILE`, finding
the database held by the app, writes a request <backups>/requests/<id>.json naming FILE and waits
for <id>.result.json: the app makes the backup (analysis/care/backup.py) and answers. Whoever may
write into the backups folder may ask; they could copy the database file anyway.

Settings (environment): UPTAKE_BACKUP_DIR (default: backups/ beside the database) and
UPTAKE_BACKUP_KEEP, the daily backups kept (default 7; 0 turns the daily backup off).
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from datetime import datetime
from pathlib import Path

from analysis.care.backup import BackupError, backup
from analysis.store import Store

DEFAULT_KEEP = 7
REQUESTS = "requests"


def backup_dir(database: str) -> Path:
    return Path(os.environ.get("UPTAKE_BACKUP_DIR") or Path(database).resolve().parent / "backups")


def keep() -> int:
    text = os.environ.get("UPTAKE_BACKUP_KEEP", "").strip()
    return int(text) if text.isdigit() else DEFAULT_KEEP


def _daily_name(stem: str) -> re.Pattern:
    return re.compile(rf"{re.escape(stem)}-(\d{{8}})T\d{{6}}\.duckdb")


def daily_backup(store: Store, now: datetime | None = None) -> Path | None:
    """Today's backup, when none was made today (None otherwise, or when turned off); then only
    the newest keep() daily backups stay."""
    count = keep()
    if count == 0:
        return None
    now = now or datetime.now()
    folder = backup_dir(store.path)
    folder.mkdir(parents=True, exist_ok=True)
    stem = Path(store.path).stem
    pattern = _daily_name(stem)
    daily = sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))
    made = None
    if not any(pattern.fullmatch(p.name).group(1) == f"{now:%Y%m%d}" for p in daily):  # type: ignore[union-attr]
        made = backup(store, folder / f"{stem}-{now:%Y%m%dT%H%M%S}.duckdb", by="daily backup").path
        daily.append(made)
    for old in sorted(daily)[:-count]:
        old.unlink(missing_ok=True)
    return made


def answer_requests(store: Store) -> int:
    """Make each backup the command line asked for; returns how many were answered."""
    folder = backup_dir(store.path) / REQUESTS
    if not folder.is_dir():
        return 0
    answered = 0
    for request in sorted(folder.glob("*.json")):
        if request.name.endswith(".result.json"):
            continue
        try:
            target = Path(json.loads(request.read_text())["target"])
            made = backup(store, target, by="command line, through the app")
            result = {"ok": True, "path": str(made.path), "tables": made.tables, "rows": made.rows}
        except (BackupError, OSError, ValueError, KeyError) as exc:
            result = {"ok": False, "message": str(exc)}
        _write(folder / f"{request.stem}.result.json", json.dumps(result))
        request.unlink(missing_ok=True)
        answered += 1
    return answered


def care_pass(store: Store) -> None:
    """What the app does every few seconds: answer backup requests, make the daily backup."""
    answer_requests(store)
    daily_backup(store)


def ask_the_app(database: str, target: Path, wait_seconds: float) -> dict:
    """Ask the running app for a backup at target and wait for its answer ({"ok": ...})."""
    folder = backup_dir(database) / REQUESTS
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    _write(folder / f"{name}.json", json.dumps({"target": str(Path(target).resolve())}))
    answer = folder / f"{name}.result.json"
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if answer.exists():
            result = json.loads(answer.read_text())
            answer.unlink()
            return result
        time.sleep(0.2)
    (folder / f"{name}.json").unlink(missing_ok=True)
    return {"ok": False, "message": f"the app did not answer within {wait_seconds:.0f} s (is it running?)"}


def _write(path: Path, text: str) -> None:
    """Write a whole file under its name at once (the other side polls for it)."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    os.replace(partial, path)
