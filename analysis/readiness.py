"""Readiness (docs/metrics.md#readiness): the rollout's dated training sessions and communications
(loaded as `--kind readiness`), and per cohort how many of its licensed people were trained before
its go-live and how many sessions it had in the days just before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from analysis.orgs import Rollout
from analysis.scope import Scope

DAYS_BEFORE = 28  # NOT_READY's default window (analysis/alerts/rules.py)


@dataclass(frozen=True)
class CohortReadiness:
    cohort: str
    go_live: date
    licensed: int  # licensed people on the cohort's roster
    trained: int  # of them, trained before go-live (named on a session's list, or counted for the cohort)
    trainings_in_window: int  # training sessions for the cohort in the days_before days before go-live
    communications: int  # communications for the cohort before go-live
    last_training: date | None  # its latest training session before go-live

    @property
    def words(self) -> str:
        """'trained before go-live: 3 of 4' (the Overview's line and the pack's)."""
        return f"trained before go-live: {self.trained} of {self.licensed}"


def entries(scope: Scope, rollout: Rollout) -> pd.DataFrame:
    """The current entries, oldest first: day, cohort, department, kind, title, attendance,
    attendees (a list, or None when only counted), upload_id."""
    frame = scope.df("readiness_entries", rollout_id=rollout.rollout_id)
    attendees = [
        list(a) if hasattr(a, "__len__") and not isinstance(a, str) and len(a) else None for a in frame["attendees"]
    ]
    frame = frame.drop(columns="attendees").astype(object)
    frame = frame.where(frame.notna(), None)
    frame["attendees"] = attendees
    frame["day"] = [pd.Timestamp(d).date() for d in frame["day"]]
    return frame


def _is_for(entry, cohort: str, people: set[str], departments: set[str]) -> bool:
    """Whether an entry reached the cohort: made for it, for a department of its people, or
    attended by one of them."""
    if entry.cohort == cohort or (entry.department in departments):
        return True
    return bool(entry.attendees and people & set(entry.attendees))


def cohort_readiness(scope: Scope, rollout: Rollout, days_before: int = DAYS_BEFORE) -> list[CohortReadiness]:
    """Per cohort of the rollout, in go-live order. trained: the cohort's licensed people named on
    the list of a training session before its go-live, plus the attendance counted (without a list)
    of its own sessions before go-live, at most its licensed people."""
    frame = entries(scope, rollout)
    people = scope.df("roster_people", rollout_id=rollout.rollout_id)
    people = people[people["licensed"]]
    out = []
    for cohort, go_live in sorted(rollout.cohorts.items(), key=lambda item: (item[1], item[0])):
        mine = people[people["cohort"] == cohort]
        ids, departments = set(mine["user_id"]), set(mine["department"])
        before = [e for e in frame.itertuples() if e.day < go_live and _is_for(e, cohort, ids, departments)]
        trainings = [e for e in before if e.kind == "training"]
        named = set().union(*(set(e.attendees) for e in trainings if e.attendees)) & ids
        counted = sum(
            int(e.attendance) for e in trainings if e.cohort == cohort and not e.attendees and e.attendance is not None
        )
        window = go_live - timedelta(days=days_before)
        out.append(
            CohortReadiness(
                cohort,
                go_live,
                len(ids),
                min(len(ids), len(named) + counted),
                sum(1 for e in trainings if e.day >= window),
                sum(1 for e in before if e.kind == "communication"),
                max((e.day for e in trainings), default=None),
            )
        )
    return out


def has_record(scope: Scope, rollout: Rollout) -> bool:
    return not scope.df("readiness_entries", rollout_id=rollout.rollout_id).empty


def markers(scope: Scope, rollout: Rollout) -> list[dict]:
    """The readiness entries as chart markers (analysis/charts/base.py add_markers): each {day, kind
    training | communication, label, cohort None}. Example: "Training session: Set-up clinic (wider)"."""
    label = {"training": "Training session", "communication": "Communication"}
    return [
        {
            "day": e.day,
            "kind": e.kind,
            "label": f"{label.get(e.kind, e.kind)}: {e.title} ({e.cohort or e.department})",
            "cohort": None,
        }
        for e in entries(scope, rollout).itertuples()
    ]


def as_rows(found: list[CohortReadiness]) -> list[dict]:
    """One row per cohort for a table (the Overview, the pack, kpis --json)."""
    return [
        {
            "cohort": r.cohort,
            "go_live": r.go_live.isoformat(),
            "licensed_users": r.licensed,
            "trained_before_go_live": r.trained,
            "trainings_in_window": r.trainings_in_window,
            "communications_before_go_live": r.communications,
            "last_training": r.last_training.isoformat() if r.last_training else None,
            "words": r.words,
        }
        for r in found
    ]


def as_json(scope: Scope, rollout: Rollout) -> dict | None:
    """For `kpis --json` (key `readiness`): the entries (without attendee lists) and per cohort
    trained before go-live; None when no readiness record is loaded."""
    frame = entries(scope, rollout)
    if frame.empty:
        return None
    return {
        "entries": [
            {
                "date": e.day.isoformat(),
                "cohort": e.cohort,
                "department": e.department,
                "kind": e.kind,
                "title": e.title,
                "attendance": None if e.attendance is None else int(e.attendance),
            }
            for e in frame.itertuples()
        ],
        "cohorts": as_rows(cohort_readiness(scope, rollout)),
    }
