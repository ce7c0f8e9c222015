"""Retention of raw usage events: an organisation may keep them for N months only, so a database
does not grow without bound, while the daily summaries the figures read stay (docs/operations.md#retention).

remove_old_events() deletes the raw events dated before the horizon (the day N calendar months
before today) and records that horizon; the per-person-per-day summaries (usage_daily, rollout_days)
are not touched, so every figure, over any period, is what it was. What the raw events were for
goes with them, and the app says so: a usage row dated before the horizon cannot be checked against
what was stored, so a load rejects it (analysis/ingest/usage.py, analysis/ingest/rows.py) rather than
count it twice, and a usage load some of whose events were removed can no longer be undone
(analysis/uploads.py)."""

from __future__ import annotations

from datetime import date

from analysis import audit
from analysis.months import months_back
from analysis.scope import Scope
from analysis.words import day, plural


def setting(scope: Scope) -> tuple[int | None, date | None]:
    """(months to keep raw events, None: all; the day raw events are kept from, None: none removed)."""
    row = (
        scope.store.cursor()
        .execute("SELECT keep_events_months, events_kept_from FROM organisations WHERE org_id = ?", [scope.org_id])
        .fetchall()[0]
    )
    return row[0], row[1]


def set_keep_months(scope: Scope, months: int | None) -> str:
    """Keep raw usage events for months (None: keep them all); the next removal applies it."""
    scope.require("configure")
    if months is not None and not 1 <= months <= 1200:
        raise ValueError("keep raw usage events for 1 month or more (or for ever)")
    with scope.store.transaction(
        "set event retention", detail="for ever" if months is None else f"{months} months", org_id=scope.org_id
    ) as cur:
        cur.execute("UPDATE organisations SET keep_events_months = ? WHERE org_id = ?", [months, scope.org_id])
    return (
        "Raw usage events are kept for ever."
        if months is None
        else f"Raw usage events are kept for {plural(months, 'month')}; the daily summaries and every figure stay."
    )


def remove_old_events(scope: Scope, today: date) -> dict:
    """Delete the raw usage events dated before the horizon (today moved back keep_events_months
    calendar months) and mark the loads that lose events; nothing when no retention is set.
    Returns {"horizon", "events_removed", "loads"}."""
    scope.require("configure")
    months, kept_from = setting(scope)
    if months is None:
        return {"horizon": None, "events_removed": 0, "loads": []}
    horizon = months_back(today, months)
    params = {"org": scope.org_id, "horizon": horizon}
    with scope.store.transaction("remove old usage events", org_id=scope.org_id) as cur:
        loads = [
            r[0]
            for r in cur.execute(
                "SELECT DISTINCT upload_id FROM usage_events WHERE org_id = $org AND day < $horizon ORDER BY 1", params
            ).fetchall()
        ]
        removed = cur.execute(
            "SELECT count(*) FROM usage_events WHERE org_id = $org AND day < $horizon", params
        ).fetchall()[0][0]
        cur.execute("DELETE FROM usage_events WHERE org_id = $org AND day < $horizon", params)
        cur.execute(
            "UPDATE uploads SET events_removed_at = current_timestamp "
            "WHERE org_id = $org AND upload_id IN (SELECT unnest($loads)) AND events_removed_at IS NULL",
            {"org": scope.org_id, "loads": loads},
        )
        if kept_from is None or horizon > kept_from:  # the horizon never moves back
            cur.execute("UPDATE organisations SET events_kept_from = $horizon WHERE org_id = $org", params)
        if removed:
            audit.note(detail=f"{removed} events before {horizon.isoformat()}")
        else:
            audit.nothing_written()  # a daily pass that removed nothing is not news
    return {"horizon": horizon, "events_removed": removed, "loads": loads}


def before_horizon_reason(kept_from: date) -> str:
    """Why a usage row dated before the horizon is rejected."""
    return (
        f"dated before {day(kept_from)}: this organisation keeps raw usage events from that day on, "
        "so an earlier row cannot be checked against what is stored (its day is already counted)"
    )
