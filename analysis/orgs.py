"""Organisations and rollouts: creating them, listing what a principal may see, settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from analysis import audit, rollout_days
from analysis.access import PERMISSIONS, AccessDenied, Principal
from analysis.scope import Scope
from analysis.store import Store


@dataclass
class Rollout:
    rollout_id: int
    name: str
    cohorts: dict[str, date]
    activities: list[str] = field(default_factory=list)
    legacy_activities: list[str] = field(default_factory=list)
    target_adoption: float = 0.8
    target_age_days: int = 30
    window_days: int = 28
    ticket_categories: list[str] = field(default_factory=list)  # the ticket filter: a category,
    ticket_keywords: list[str] = field(default_factory=list)  # or a keyword in the subject

    @property
    def first_go_live(self) -> date | None:
        return min(self.cohorts.values()) if self.cohorts else None


def add_organisation(
    store: Store,
    principal: Principal,
    name: str,
    time_zone: str = "UTC",
    email_domains: list[str] | None = None,
    synthetic: bool = False,
) -> int:
    if principal.role not in PERMISSIONS["manage_organisations"]:
        raise AccessDenied(f"{principal.name} may not add organisations")
    name = name.strip()
    if not name:
        raise ValueError("an organisation needs a name")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {time_zone!r} (use a name like Europe/London)") from None
    domains = sorted({d.strip().lower().lstrip("@") for d in (email_domains or []) if d.strip()})
    with store.transaction("add an organisation") as cur:
        if cur.execute("SELECT count(*) FROM organisations WHERE lower(name) = lower(?)", [name]).fetchall()[0][0]:
            raise ValueError(f"an organisation named {name!r} already exists")
        org_id = cur.execute(
            "INSERT INTO organisations (name, time_zone, email_domains, is_synthetic) VALUES (?, ?, ?, ?) "
            "RETURNING org_id",
            [name, time_zone, domains, synthetic],
        ).fetchall()[0][0]
        audit.note(org_id=org_id)
        return org_id


def every_organisation(store: Store) -> pd.DataFrame:
    """Every organisation by name (org_id, name, time_zone, is_synthetic), for organisations to
    filter: never shown as it is."""
    return store.cursor().execute("SELECT org_id, name, time_zone, is_synthetic FROM organisations ORDER BY name").df()


def organisations(store: Store, principal: Principal, every: pd.DataFrame | None = None) -> pd.DataFrame:
    """The organisations the principal may see, by name (from every, every_organisation's frame,
    when the caller has it)."""
    frame = every_organisation(store) if every is None else every
    return frame.loc[[principal.may_see(int(i)) for i in frame["org_id"]]].reset_index(drop=True)


def organisation_id(store: Store, principal: Principal, name: str) -> int:
    """The id of the organisation named name, if the principal may see it; LookupError otherwise
    (the same message whether it does not exist or is not theirs)."""
    row = (
        store.cursor().execute("SELECT org_id FROM organisations WHERE lower(name) = lower(trim(?))", [name]).fetchall()
    )
    if not row or not principal.may_see(row[0][0]):
        raise LookupError(f"no organisation named {name!r}")
    return row[0][0]


def add_rollout(
    scope: Scope,
    name: str,
    cohorts: dict[str, date],
    activities: list[str] | None = None,
    legacy: list[str] | None = None,
    target_adoption: float = 0.8,
    target_age_days: int = 30,
    window_days: int = 28,
) -> int:
    scope.require("configure")
    name = name.strip()
    if not name:
        raise ValueError("a rollout needs a name")
    if not cohorts:
        raise ValueError("a rollout needs at least one cohort with its go-live date (--cohort champion=YYYY-MM-DD)")
    if not 0 < target_adoption <= 1:
        raise ValueError("the adoption target is a share between 0 and 1 (e.g. 0.8)")
    if window_days not in (7, 28):
        raise ValueError("the active window is 7 or 28 days")
    acts = sorted({a.strip().lower() for a in activities or [] if a.strip()})
    old = sorted({a.strip().lower() for a in legacy or [] if a.strip()})
    with scope.store.transaction("add a rollout", org_id=scope.org_id) as cur:
        if cur.execute(
            "SELECT count(*) FROM rollouts WHERE org_id = ? AND lower(name) = lower(?)", [scope.org_id, name]
        ).fetchall()[0][0]:
            raise ValueError(f"this organisation already has a rollout named {name!r}")
        rollout_id = cur.execute(
            "INSERT INTO rollouts (org_id, name, activities, legacy_activities, target_adoption, "
            "target_age_days, window_days) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING rollout_id",
            [scope.org_id, name, acts, old, target_adoption, target_age_days, window_days],
        ).fetchall()[0][0]
        for cohort, go_live in cohorts.items():
            cur.execute("INSERT INTO cohorts VALUES (?, ?, ?)", [rollout_id, cohort.strip().lower(), go_live])
        rollout_days.rebuild(cur, scope.org_id, rollout_id)  # usage stored before the rollout counts for it
    return rollout_id


def rollouts(scope: Scope) -> list[Rollout]:
    """The organisation's rollouts by name. Read as tuples, not frames: every page asks on every
    run (the sidebar's rollout picker)."""
    filters = {
        int(rollout_id): (list(categories), list(keywords))
        for rollout_id, categories, keywords in scope.rows("rollout_settings")
    }
    result = []
    for rollout_id, name, activities, legacy, target, age, window, cohorts, go_lives in scope.rows("rollouts"):
        categories, keywords = filters.get(int(rollout_id), ([], []))
        result.append(
            Rollout(
                int(rollout_id),
                name,
                {c: pd.Timestamp(d).date() for c, d in zip(cohorts, go_lives)},
                list(activities),
                list(legacy),
                float(target),
                int(age),
                int(window),
                categories,
                keywords,
            )
        )
    return result


def rollout(scope: Scope, name_or_id: str | int) -> Rollout:
    rollout_id = scope.rollout_id(name_or_id)
    return next(r for r in rollouts(scope) if r.rollout_id == rollout_id)


def is_synthetic(scope: Scope) -> bool:
    """Whether the organisation holds made-up demo data (labelled so wherever it appears)."""
    return bool(
        scope.store.cursor()
        .execute("SELECT is_synthetic FROM organisations WHERE org_id = ?", [scope.org_id])
        .fetchall()[0][0]
    )
