"""The rollout's baselines: the computed one (its baseline window, worked out from the data as it
is now) and locked, named ones (figures stored once, never moving), and the one selected."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from analysis import metrics, support
from analysis.kpis import baseline_cache
from analysis.orgs import Rollout
from analysis.scope import Scope
from analysis.settings import BASELINE_DAYS, default_baseline_window

COMPUTED = "computed"
SUPPORT_FIGURES = (
    "tickets",
    "licensed_users",
    "resolved_tickets",
    "timed_resolutions",
    "median_resolution_hours",
    "p90_resolution_hours",
    "backlog",
    "reopen_rate",
    "rated_tickets",
    "satisfaction",
)


@dataclass
class Baseline:
    """A baseline's window and figures. figures = {
    "window_days": the adoption window of the champion curve,
    "support": {tickets, licensed_users, resolved_tickets, timed_resolutions,
                median_resolution_hours, p90_resolution_hours, backlog, reopen_rate,
                rated_tickets, satisfaction} over the window (backlog at its end),
    "cohorts": {cohort: {adoption_rate, activation_rate, habitual_share, licensed_users}}
               over the window (as of its last day, with a window of its length),
    "champion_by_age": {age: {adoption_rate, activation_rate, habitual_share}} from the
               champion go-live to as_of,
    "ticket_data_start": the organisation's first ticket day (None: no tickets)}."""

    name: str
    start: date
    end: date
    figures: dict
    as_of: date | None = None
    locked: bool = False
    baseline_id: int | None = None
    upload_ids: list[int] = field(default_factory=list)
    locked_by: str | None = None
    locked_at: datetime | None = None
    selected: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def support_figure(self, key: str):
        return self.figures.get("support", {}).get(key)

    def tickets_per_100_users_7d(self, licensed: int | None) -> float | None:
        """100 x tickets created in the window x 7 / its days / people licensed now
        (docs/metrics.md#the-kpi-table). Example: 6 tickets in 28 days, 150 licensed -> 100 x 6 x 7 / 28 / 150 = 1.0."""
        tickets = self.support_figure("tickets")
        if tickets is None or not licensed:
            return None
        return 100 * tickets * 7 / self.days / licensed

    def ticket_data_covers_window(self) -> bool:
        """Whether the ticket data starts on or before the window opens."""
        first = self.figures.get("ticket_data_start")
        return first is not None and date.fromisoformat(first) <= self.start

    def champion_at_age(self, age: int, key: str) -> float | None:
        if age < 0:
            return None
        return self.figures.get("champion_by_age", {}).get(str(age), {}).get(key)

    def cohort_figure(self, cohort: str, key: str) -> float | None:
        return self.figures.get("cohorts", {}).get(cohort, {}).get(key)


def baseline_window(scope: Scope, rollout: Rollout) -> tuple[date, date] | None:
    """The rollout's baseline window: rollouts.baseline_start / baseline_end when set (one alone:
    28 days from it or up to it), else [g - 28, g - 1] for the first go-live g; None when the
    rollout has no cohort and no window set. Example: first go-live 2025-01-06 -> 2024-12-09 ..
    2025-01-05."""
    row = scope.df("rollout_targets", rollout_id=rollout.rollout_id).iloc[0]
    start = None if pd.isna(row["baseline_start"]) else pd.Timestamp(row["baseline_start"]).date()
    end = None if pd.isna(row["baseline_end"]) else pd.Timestamp(row["baseline_end"]).date()
    if start and end:
        return start, end
    if start:
        return start, start + timedelta(days=BASELINE_DAYS - 1)
    if end:
        return end - timedelta(days=BASELINE_DAYS - 1), end
    return default_baseline_window(rollout)


def _clean(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value


def ratio(part, whole) -> float | None:
    return None if part is None or not whole else part / whole


def champion_curve(scope: Scope, rollout: Rollout, as_of: date, window_days: int) -> dict[str, dict]:
    """The champion cohort's adoption_rate, activation_rate and habitual_share (habitual_users /
    licensed_users; None under 84 days) as of each day from its go-live to as_of, by age in days
    (keys are strings, as stored in JSON). Empty without a champion cohort or before its go-live."""
    go_live = rollout.cohorts.get("champion")
    if go_live is None or as_of < go_live:
        return {}
    days = scope.rows(
        "champion_series", rollout_id=rollout.rollout_id, start=go_live, end=as_of, window_days=window_days
    )
    curve = {}
    for day, licensed, active, activated, habitual in days:
        age = (day - go_live).days
        licensed = int(licensed)
        curve[str(age)] = {
            "adoption_rate": ratio(int(active), licensed),
            "activation_rate": ratio(int(activated), licensed),
            "habitual_share": ratio(int(habitual), licensed) if age >= 84 else None,
        }
    return curve


def baseline_figures(
    scope: Scope,
    rollout: Rollout,
    start: date,
    end: date,
    as_of: date,
    window_days: int | None = None,
    curve: bool = True,
) -> dict:
    """The figures of a baseline over [start, end] (see Baseline), with the champion curve up to
    as_of. Example: tickets T1..T6 created in a 28-day window with 150 licensed people ->
    support.tickets 6, and the window's rate 1.0 per 100 people per 7 days."""
    days = (end - start).days + 1
    window = window_days or rollout.window_days
    k = support.support_kpis(scope, rollout, end, days)
    cohorts = metrics.cohort_figures(scope, rollout, end, days)
    span = scope.df("ticket_span").iloc[0]
    return {
        "window_days": window,
        "support": {key: _clean(k.get(key)) for key in SUPPORT_FIGURES},
        "cohorts": {
            c: {
                "adoption_rate": f["adoption_rate"],
                "activation_rate": f["activation_rate"],
                "habitual_share": ratio(f["habitual_users"], f["licensed_users"]),
                "licensed_users": f["licensed_users"],
            }
            for c, f in cohorts.items()
        },
        "champion_by_age": champion_curve(scope, rollout, as_of, window) if curve else {},
        "ticket_data_start": None
        if pd.isna(span["oldest_ticket_day"])
        else pd.Timestamp(span["oldest_ticket_day"]).date().isoformat(),
    }


def computed_baseline(
    scope: Scope, rollout: Rollout, as_of: date | None = None, window_days: int | None = None, curve: bool = True
) -> Baseline | None:
    """The default baseline: the rollout's baseline window computed from the data as it is now
    (None when the rollout has no window: no cohort and none set). curve False leaves out the
    champion curve (the red-flag rules do not read it)."""
    window = baseline_window(scope, rollout)
    if window is None:
        return None
    as_of = as_of or metrics.default_as_of(scope, rollout) or window[1]
    w = window_days or rollout.window_days
    kept = baseline_cache.read(scope, rollout, baseline_cache.key(scope), as_of, w, window)
    if kept is not None:  # kept by the recording evaluation at this data version (baseline_cache.py)
        figures = kept if curve else kept | {"champion_by_age": {}}
    else:
        figures = baseline_figures(scope, rollout, *window, as_of, w, curve)
    return Baseline(COMPUTED, window[0], window[1], figures, as_of=as_of)


def keep_computed(scope: Scope, rollout: Rollout, found: Baseline | None, as_of: date, window_days: int):
    """What the recording evaluation keeps of the computed baseline it used (None when it used a
    locked one): (as_of, window_days, its window, its figures with the champion curve), for
    baseline_cache.write inside its transaction. The curve is computed here, the only extra work."""
    if found is None or found.locked:
        return None
    curve = found.figures.get("champion_by_age") or champion_curve(scope, rollout, as_of, window_days)
    return as_of, window_days, (found.start, found.end), found.figures | {"champion_by_age": curve}


def _locked(scope: Scope, rollout: Rollout) -> list[Baseline]:
    frame = scope.df("locked_baselines", rollout_id=rollout.rollout_id)
    return [
        Baseline(
            row.name,
            pd.Timestamp(row.window_start).date(),
            pd.Timestamp(row.window_end).date(),
            json.loads(row.figures),
            None if pd.isna(row.as_of) else pd.Timestamp(row.as_of).date(),
            True,
            int(row.baseline_id),
            [int(u) for u in row.upload_ids],
            row.locked_by,
            pd.Timestamp(row.locked_at).to_pydatetime(),
            bool(row.selected),
        )
        for row in frame.itertuples()
    ]


def locked_baselines(scope: Scope, rollout: Rollout) -> list[Baseline]:
    """The rollout's locked baselines, oldest first."""
    return _locked(scope, rollout)


def baseline(
    scope: Scope,
    rollout: Rollout,
    name: str | None = None,
    as_of: date | None = None,
    window_days: int | None = None,
    curve: bool = True,
) -> Baseline | None:
    """A baseline by name (`computed` or a locked one, any case); None or no name: the selected
    one (the computed one unless another is selected). LookupError for an unknown name."""
    if name is None:
        chosen = [b for b in _locked(scope, rollout) if b.selected]
        if chosen:
            return chosen[0]
        found = computed_baseline(scope, rollout, as_of, window_days, curve)
        if found is not None:
            found.selected = True
        return found
    if name.strip().lower() == COMPUTED:
        found = computed_baseline(scope, rollout, as_of, window_days, curve)
        if found is not None:
            found.selected = not any(b.selected for b in _locked(scope, rollout))
        return found
    for b in _locked(scope, rollout):
        if b.name.lower() == name.strip().lower():
            return b
    raise LookupError(f"no baseline named {name!r} for {rollout.name!r} (see `python -m analysis baseline list`)")


def lock_baseline(
    scope: Scope,
    rollout: Rollout,
    name: str,
    start: date | None = None,
    end: date | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
) -> Baseline:
    """Compute the figures over [start, end] (default: the baseline window) from the data as it
    is now and store them under name with the ids of the loads they came from, who locked it and
    when; 'configure' only (the provider's roles). The stored figures never change afterwards.

    Example: lock "pre-go-live" over 2024-12-09 .. 2025-01-05 with 6 tickets in it; a later load
    adds 3 tickets to those days: the computed baseline counts 9, "pre-go-live" still 6.
    """
    scope.require("configure")
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("a locked baseline needs a name (e.g. pre-go-live)")
    if len(name) > 60:
        raise ValueError("keep a baseline's name to 60 characters")
    if name.lower() == COMPUTED:
        raise ValueError(f"{COMPUTED!r} is the name of the default baseline: choose another")
    if (start is None) != (end is None):
        raise ValueError("give both the start and the end of the window, or neither")
    if start is None or end is None:  # both or neither (checked above)
        window = baseline_window(scope, rollout)
        if window is None:
            raise ValueError("the rollout has no baseline window: give --start and --end")
        start, end = window
    if start > end:
        raise ValueError("the window's start is after its end")
    if any(b.name.lower() == name.lower() for b in _locked(scope, rollout)):
        raise ValueError(
            f"{rollout.name!r} already has a baseline named {name!r}: a locked baseline never "
            "changes, so lock the new figures under another name"
        )
    as_of = max(as_of or metrics.default_as_of(scope, rollout) or end, end)
    figures = baseline_figures(scope, rollout, start, end, as_of)
    first = min([start, *rollout.cohorts.values()])
    loads = scope.df("baseline_uploads", rollout_id=rollout.rollout_id, start=first, as_of=as_of)
    upload_ids = [int(u) for u in loads["upload_id"]]
    when = now or datetime.now()
    with scope.store.transaction("lock a baseline", org_id=scope.org_id) as cur:
        if cur.execute(
            "SELECT count(*) FROM baselines WHERE org_id = ? AND rollout_id = ? AND lower(name) = lower(?)",
            [scope.org_id, rollout.rollout_id, name],
        ).fetchall()[0][0]:
            raise ValueError(f"{rollout.name!r} already has a baseline named {name!r}")
        baseline_id = cur.execute(
            "INSERT INTO baselines (org_id, rollout_id, name, window_start, window_end, as_of, figures, upload_ids, "
            "locked_by, locked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING baseline_id",
            [
                scope.org_id,
                rollout.rollout_id,
                name,
                start,
                end,
                as_of,
                json.dumps(figures),
                upload_ids,
                scope.principal.name,
                when,
            ],
        ).fetchall()[0][0]
    return Baseline(name, start, end, figures, as_of, True, baseline_id, upload_ids, scope.principal.name, when)


def select_baseline(scope: Scope, rollout: Rollout, name: str | None, now: datetime | None = None) -> Baseline | None:
    """Make a locked baseline (by name) the rollout's selected one, or go back to the computed
    one (name None or `computed`); 'configure' only. The KPI table and the ticket rules use it."""
    scope.require("configure")
    chosen = None
    if name is not None and name.strip().lower() != COMPUTED:
        chosen = baseline(scope, rollout, name)
    with scope.store.transaction("choose a baseline", org_id=scope.org_id) as cur:
        cur.execute(
            "INSERT INTO baseline_selection (rollout_id, org_id, baseline_id, chosen_by, chosen_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (rollout_id) DO UPDATE SET baseline_id = excluded.baseline_id, "
            "chosen_by = excluded.chosen_by, chosen_at = excluded.chosen_at",
            [
                rollout.rollout_id,
                scope.org_id,
                chosen.baseline_id if chosen else None,
                scope.principal.name,
                now or datetime.now(),
            ],
        )
    return baseline(scope, rollout)
