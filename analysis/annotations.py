"""Annotations: dated events of a rollout (a go-live, a training session, a communication, a
remediation, or another event) with a short note, drawn on every time chart of the rollout
next to the cohorts' go-live dates. Adding and removing needs the 'annotate' permission."""

from datetime import date
from typing import Any

import pandas as pd

from analysis import orgs
from analysis.orgs import Rollout
from analysis.scope import Scope

KINDS = {
    "go-live": "Go-live",
    "training": "Training session",
    "communication": "Communication",
    "remediation": "Remediation",
    "other": "Other",
}
NOTE_LIMIT = 200


def add_annotation(scope: Scope, rollout: str | int, day: date, kind: str, note: str) -> int:
    """Store one annotation of the rollout; returns its id. kind is one of KINDS (any case);
    the note is required, up to 200 characters."""
    scope.require("annotate")
    rollout_id = orgs.rollout(scope, rollout).rollout_id
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    if not isinstance(day, date):
        raise ValueError("an annotation needs a date")
    note = " ".join((note or "").split())
    if not note:
        raise ValueError("an annotation needs a note (what happened)")
    if len(note) > NOTE_LIMIT:
        raise ValueError(f"the note is {len(note)} characters: keep it to {NOTE_LIMIT}")
    with scope.store.transaction("add an annotation", org_id=scope.org_id) as cur:
        return cur.execute(
            "INSERT INTO annotations (org_id, rollout_id, day, kind, note, created_by) VALUES (?, ?, ?, ?, ?, ?) "
            "RETURNING annotation_id",
            [scope.org_id, rollout_id, day, kind, note, scope.principal.name],
        ).fetchall()[0][0]


def remove_annotation(scope: Scope, annotation_id: int) -> None:
    """Remove one of this organisation's annotations (LookupError when it has no such one)."""
    scope.require("annotate")
    with scope.store.transaction("remove an annotation", org_id=scope.org_id) as cur:
        gone = cur.execute(
            "DELETE FROM annotations WHERE org_id = ? AND annotation_id = ? RETURNING annotation_id",
            [scope.org_id, annotation_id],
        ).fetchall()
    if not gone:
        raise LookupError(f"no annotation {annotation_id} in this organisation")


def annotations(scope: Scope, rollout: Rollout | None = None) -> pd.DataFrame:
    """The organisation's annotations (of one rollout when given), oldest first: annotation_id,
    rollout_id, rollout, day, kind, note, created_by, created_at."""
    return scope.df("annotations", rollout_id=rollout.rollout_id if rollout else None)


def markers(scope: Scope, rollout: Rollout, start: date | None = None, end: date | None = None) -> list[dict]:
    """What every time chart of the rollout marks: each cohort's go-live, then the annotations,
    by date; each {day, kind, label, cohort} (cohort: the cohort of a go-live, else None). With
    start and end, only the markers in [start, end].

    Example: champion live 2025-01-06 and a training session on 2025-01-03 ->
    [{day 01-03, kind training, label "Training session: drop-in"}, {day 01-06, kind go-live,
    label "champion go-live", cohort champion}].
    """
    found: list[dict[str, Any]] = [
        {"day": day, "kind": "go-live", "label": f"{cohort} go-live", "cohort": cohort}
        for cohort, day in rollout.cohorts.items()
    ]
    for row in annotations(scope, rollout).itertuples():
        found.append(
            {
                "day": pd.Timestamp(row.day).date(),
                "kind": row.kind,
                "label": f"{KINDS.get(row.kind, row.kind)}: {row.note}",
                "cohort": None,
            }
        )
    kept = [m for m in found if (start is None or m["day"] >= start) and (end is None or m["day"] <= end)]
    return sorted(kept, key=lambda m: (m["day"], m["kind"] != "go-live"))
