"""Scheduled loads while the app runs: files dropped into the inbox folder are loaded by the app.

Layout: <inbox>/<organisation>/<kind>/<file>.csv, or <inbox>/<organisation>/<kind>/<rollout>/<file>.csv
(a roster needs its rollout). A nightly script only has to copy its export there. Each file is
loaded through the normal ingest path as the operator, then moved to <inbox>/.processed/ with a
.json next to it that holds the load's result (or why it was refused).
"""
from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

from analysis import orgs
from analysis.access import OPERATOR
from analysis.canonical import KINDS
from analysis.files import FileRefused
from analysis.ingest import load_file
from analysis.scope import open_scope
from analysis.store import Store

SETTLE_SECONDS = 5  # a file still being written (modified this recently) waits for the next pass


def inbox_dir() -> Path:
    return Path(os.environ.get("UPTAKE_INBOX", "data/inbox"))


def pending_files(root: Path, now: float) -> list[tuple[str, str, str | None, Path]]:
    """(organisation, kind, rollout or None, path) of each file waiting in the inbox."""
    found = []
    if not root.is_dir():
        return found
    for path in sorted(root.glob("*/*/**/*")):
        parts = path.relative_to(root).parts
        if not path.is_file() or parts[0].startswith(".") or path.name.startswith("."):
            continue
        if len(parts) not in (3, 4) or parts[1] not in KINDS:
            continue
        if now - path.stat().st_mtime < SETTLE_SECONDS:
            continue
        found.append((parts[0], parts[1], parts[2] if len(parts) == 4 else None, path))
    return found


def process_inbox(store: Store, root: Path | None = None, now: float | None = None) -> list[dict]:
    """Load every settled file in the inbox; returns one result record per file."""
    root = root or inbox_dir()
    now = now if now is not None else datetime.now().timestamp()
    records = []
    for org, kind, rollout, path in pending_files(root, now):
        record = {"file": str(path.relative_to(root)), "organisation": org, "kind": kind, "rollout": rollout,
                  "processed_at": datetime.now().isoformat(timespec="seconds")}
        try:
            org_id = orgs.organisation_id(store, OPERATOR, org)
            scope = open_scope(store, OPERATOR, org_id, "upload")
            result = load_file(scope, kind, path.name, path.read_bytes(), rollout=rollout)
            record.update(result.as_json())
        except (FileRefused, LookupError, ValueError) as exc:
            record.update({"refused": True, "messages": getattr(exc, "messages", [str(exc)])})
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the files behind it
            record.update({"refused": True, "messages": [f"{path.name}: the load failed ({type(exc).__name__}: "
                                                         f"{exc}); nothing from it was stored"]})
        done = root / ".processed"
        done.mkdir(parents=True, exist_ok=True)
        stem = f"{datetime.now():%Y%m%dT%H%M%S}-{org}-{kind}-{path.name}"
        shutil.move(str(path), done / stem)
        (done / f"{stem}.json").write_text(json.dumps(record, indent=2))
        records.append(record)
    return records
