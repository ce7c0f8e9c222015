"""First start: load the synthetic demo organisation from data/demo through the normal ingest path."""

from __future__ import annotations

import os
from pathlib import Path

from analysis import demo, demo_story, orgs
from analysis.access import OPERATOR
from analysis.ingest import load_file
from analysis.scope import open_scope
from analysis.store import Store


def ensure_demo(store: Store, directory: Path | None = None, enabled: bool | None = None) -> bool:
    """Create Demo Co and load its files when the database has no organisation yet (unless
    UPTAKE_DEMO=0, or enabled=False). Returns True when it loaded the demo."""
    if enabled is False or (enabled is None and os.environ.get("UPTAKE_DEMO", "1") == "0"):
        return False
    with store.write_lock:  # the app's first session and its inbox watcher may both get here
        if store.cursor().execute("SELECT count(*) FROM organisations").fetchall()[0][0]:
            return False
        _load_demo(store, directory or demo.DEMO_DIR)
    return True


def _load_demo(store: Store, directory: Path) -> None:
    org_id = orgs.add_organisation(
        store, OPERATOR, demo.ORG_NAME, demo.ORG_TIME_ZONE, [demo.ORG_DOMAIN], synthetic=True
    )
    scope = open_scope(store, OPERATOR, org_id, "upload")
    orgs.add_rollout(scope, demo.ROLLOUT_NAME, demo.COHORTS, demo.ACTIVITIES, demo.LEGACY)
    for kind in ("roster", "usage", "tickets"):
        path = directory / f"{kind}.csv"
        # the roster the plan began with: dated at the plan's start (docs/metrics.md#roster-history)
        dated = demo.START if kind == "roster" else None
        load_file(scope, kind, path.name, path.read_bytes(), rollout=demo.ROLLOUT_NAME, as_of=dated)
    # the change-leadership record (analysis/demo_record.py), where the directory holds it
    for kind in ("readiness", "feedback", "kpi_series"):
        path = directory / f"{kind}.csv"
        if path.exists():
            load_file(scope, kind, path.name, path.read_bytes(), rollout=demo.ROLLOUT_NAME)
    if (directory / "readiness.csv").exists():  # the recovery, root cause, actions and lessons
        demo_story.write_story(scope, orgs.rollouts(scope)[0])
