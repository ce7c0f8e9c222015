"""Scheduled loads while the app runs: files dropped into the inbox folder are loaded by the app.

Layout: <inbox>/<organisation>/<kind>/<file>.csv, or <inbox>/<organisation>/<kind>/<rollout>/<file>.csv
(a roster needs its rollout). A nightly script only has to copy its export there. Each file is
loaded through the normal ingest path as the operator, then moved to <inbox>/.processed/ with a
.json next to it that holds the load's result (or why it was refused). No symbolic link below the
inbox is ever followed (analysis/inbox_walk.py).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from analysis import audit, inbox_walk, orgs
from analysis.access import OPERATOR
from analysis.files import FileRefused
from analysis.ingest import load_file
from analysis.load_slots import LoadBusy
from analysis.scope import open_scope
from analysis.store import Store
from analysis.upload_limits import MAX_BYTES

SETTLE_SECONDS = 5  # a file still being written (modified this recently) waits for the next pass
PROCESSED = ".processed"


def inbox_dir() -> Path:
    return Path(os.environ.get("UPTAKE_INBOX", "data/inbox"))


def pending_files(root: Path, now: float) -> list[tuple[str, str, str | None, Path]]:
    """(organisation, kind, rollout or None, path) of each file waiting in the inbox (refused ones left out)."""
    return [
        (e.organisation, e.kind, e.rollout, root / e.relative)
        for e in inbox_walk.entries(root, now, SETTLE_SECONDS)
        if e.refused is None and e.kind is not None
    ]


def process_inbox(store: Store, root: Path | None = None, now: float | None = None) -> list[dict]:
    """Load every settled file in the inbox; returns one result record per file. An entry refused
    as unsafe (analysis/inbox_walk.py: a link, a hard link, not a regular file) is never read: its
    own name is moved to .processed with a record of its path and why."""
    root = root or inbox_dir()
    now = now if now is not None else datetime.now().timestamp()
    waiting = inbox_walk.entries(root, now, SETTLE_SECONDS)
    if not waiting:
        return []
    inbox_walk.processed_folder(root, PROCESSED)  # never a link: records and files are written there
    records = []
    for entry in waiting:
        record: dict[str, Any] = {
            "file": entry.relative,
            "organisation": entry.organisation,
            "kind": entry.kind,
            "rollout": entry.rollout,
            "processed_at": datetime.now().isoformat(timespec="seconds"),
        }
        try:
            if entry.refused or entry.kind is None:  # every entry walked is in a kind folder
                raise inbox_walk.Unsafe(entry.refused or "not in a kind folder")
            data = inbox_walk.read(root, entry, MAX_BYTES)
            org_id = orgs.organisation_id(store, OPERATOR, entry.organisation)
            scope = open_scope(store, OPERATOR, org_id, "upload")
            with audit.acting(*audit.INBOX):
                result = load_file(scope, entry.kind, entry.parts[-1], data, rollout=entry.rollout)
            record.update(result.as_json())
        except LoadBusy:
            continue  # a load for the organisation is running: the file waits for the next pass
        except inbox_walk.Unsafe as exc:  # the path and the reason only: nothing the file holds
            record.update({"refused": True, "messages": [f"{entry.relative}: refused, not read: {exc}"]})
        except (FileRefused, LookupError, ValueError) as exc:
            record.update({"refused": True, "messages": getattr(exc, "messages", [str(exc)])})
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the files behind it
            record.update(
                {
                    "refused": True,
                    "messages": [
                        f"{entry.parts[-1]}: the load failed ({type(exc).__name__}: {exc}); nothing from it was stored"
                    ],
                }
            )
        stem = f"{datetime.now():%Y%m%dT%H%M%S}-{'-'.join(entry.parts[:2])}-{entry.parts[-1]}"
        try:
            inbox_walk.move(root, entry, PROCESSED, stem)
        except (OSError, inbox_walk.Unsafe) as exc:
            record["messages"] = [*record.get("messages", []), f"{entry.relative}: not moved ({exc})"]
        inbox_walk.write(root, PROCESSED, f"{stem}.json", json.dumps(record, indent=2))
        records.append(record)
    return records
