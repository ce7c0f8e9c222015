"""KPIs with a baseline, a current value and a target (METRICS.md section 4), and the rollout's
baselines: the computed one (its baseline window) and locked, named ones.

A KPI is a metric with a baseline, a current value (as of d), a target with a due age and a
direction (higher or lower is better). The KPI table shows baseline -> current -> target, the
change (current - baseline, absolute and per cent of the baseline) and a status:

- `on track`: on the right side of the target (or on it);
- `at risk`: on the wrong side by less than 10 % of the target (relative: |current - target| <
  0.1 x target);
- `off track`: further away;
- `no target` / `no data` when there is no target or no current value.

Before the target's due age the status compares with the target all the same, and the row says
"due at age N". The age of a cohort is d - g(c); for the cohort `all` and the rollout-level KPIs
(tickets, resolution, backlog, ...) it is d - the last go-live (every cohort live).

Baselines. By default the baseline is computed over the rollout's baseline window (rollouts
baseline_start / baseline_end, else the 28 days before the first go-live, [g - 28, g - 1]).
Adoption, activation and habitual share are zero or undefined before go-live, so (section 4) the
baseline of cohort c is the champion cohort's figure as of g(champion) + (d - g(c)): the champions
at the same age; the champion cohort's own baseline is the target. For `all`, and for a rollout
without a champion cohort, it is the figure over the baseline window. Support KPIs: the metric over
the baseline window (tickets created in it, resolutions in it, the backlog at its end); tickets per
100 people per 7 days = 100 x tickets created in the window x 7 / the window's days / the licensed
people now (so both sides of a comparison divide by the same roster).

A locked baseline stores its window, its figures (the support figures and the literal cohort
figures over the window, and the champion curve by age up to the day it was locked), the loads
those were computed from, and who locked it when. It never moves when later loads arrive or are
undone. A rollout may hold several (names are unique per rollout; `computed` is the default's
name), and one may be selected for the KPI table and the ticket rules.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from analysis import metrics, support
from analysis.orgs import Rollout
from analysis.scope import Scope

COMPUTED = "computed"
BASELINE_DAYS = 28
AT_RISK_SHARE = 0.10   # "at risk": on the wrong side of the target by less than 10 % of it


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str
    direction: str   # "higher" or "lower" is better
    level: str       # "cohort": one row per cohort (and all); "rollout": one row
    unit: str        # share | per_100 | hours | tickets


KPIS: dict[str, Kpi] = {k.name: k for k in (
    Kpi("adoption_rate", "Adoption rate", "higher", "cohort", "share"),
    Kpi("activation_rate", "Activation rate", "higher", "cohort", "share"),
    Kpi("habitual_share", "Habitual share", "higher", "cohort", "share"),
    Kpi("tickets_per_100_users_7d", "Tickets per 100 people (7 days)", "lower", "rollout", "per_100"),
    Kpi("median_resolution_hours", "Median resolution (hours)", "lower", "rollout", "hours"),
    Kpi("backlog", "Backlog (open tickets)", "lower", "rollout", "tickets"),
    Kpi("reopen_rate", "Reopen rate", "lower", "rollout", "share"),
    Kpi("satisfaction", "Satisfaction (share rated good)", "higher", "rollout", "share"),
)}
SUPPORT_FIGURES = ("tickets", "licensed_users", "resolved_tickets", "timed_resolutions", "median_resolution_hours",
                   "p90_resolution_hours", "backlog", "reopen_rate", "rated_tickets", "satisfaction")


# -- targets ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    kpi: str
    value: float | None       # None: no target
    due_age_days: int
    source: str               # rollout (its own columns) | set (kpi_targets) | none


def targets(scope: Scope, rollout: Rollout) -> dict[str, Target]:
    """kpi -> Target. Defaults (METRICS.md section 1): adoption from the rollout's target_adoption
    by target_age_days (80 % by 30 days unless set); tickets per 100 people per 7 days and median
    resolution hours from the rollout's target columns (none unless set); the others none. A
    target set with set_target overrides the default; every due age defaults to the rollout's
    target age. Example: a new rollout -> adoption_rate 0.8 due at 30, backlog None."""
    frame = scope.df("rollout_targets", rollout_id=rollout.rollout_id)
    if frame.empty:
        raise LookupError("no such rollout in this organisation")
    first = frame.iloc[0]
    age = int(rollout.target_age_days)
    found = {name: Target(name, None, age, "none") for name in KPIS}
    found["adoption_rate"] = Target("adoption_rate", float(rollout.target_adoption), age, "rollout")
    for name, column in (("tickets_per_100_users_7d", "target_tickets_per_100"),
                         ("median_resolution_hours", "target_median_resolution_hours")):
        if not pd.isna(first[column]):
            found[name] = Target(name, float(first[column]), age, "rollout")
    for row in frame.itertuples():
        if isinstance(row.kpi, str) and row.kpi in KPIS and row.kpi != "adoption_rate":
            found[row.kpi] = Target(row.kpi, None if pd.isna(row.target) else float(row.target),
                                    age if pd.isna(row.due_age_days) else int(row.due_age_days), "set")
    return found


def set_target(scope: Scope, rollout: Rollout, kpi: str, value: float | None, due_age_days: int | None = None,
               now: datetime | None = None) -> Target:
    """Set (or, with value None, remove) a KPI's target and due age; 'configure' only. Shares
    (adoption, activation, habitual, reopen, satisfaction) are between 0 and 1. The adoption
    target is the rollout's own (target_adoption, target_age_days: what every page draws)."""
    scope.require("configure")
    if kpi not in KPIS:
        raise ValueError(f"unknown KPI {kpi!r}: one of {', '.join(KPIS)}")
    if value is not None:
        value = float(value)
        if not math.isfinite(value) or value < 0:
            raise ValueError("a target is a number, 0 or more")
        if KPIS[kpi].unit == "share" and value > 1:
            raise ValueError(f"the {kpi} target is a share between 0 and 1 (e.g. 0.8)")
    if due_age_days is not None and not (isinstance(due_age_days, int) and 1 <= due_age_days <= 730):
        raise ValueError("the due age is a number of days after go-live, 1 to 730")
    with scope.store.transaction() as cur:
        if kpi == "adoption_rate":
            if value is None or value == 0:
                raise ValueError("the adoption target is a share above 0 (e.g. 0.8)")
            cur.execute("UPDATE rollouts SET target_adoption = ?, target_age_days = coalesce(?, target_age_days) "
                        "WHERE org_id = ? AND rollout_id = ?",
                        [value, due_age_days, scope.org_id, rollout.rollout_id])
        else:
            cur.execute(
                "INSERT INTO kpi_targets (rollout_id, org_id, kpi, target, due_age_days, set_by, set_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rollout_id, kpi) DO UPDATE SET target = excluded.target, "
                "due_age_days = excluded.due_age_days, set_by = excluded.set_by, set_at = excluded.set_at",
                [rollout.rollout_id, scope.org_id, kpi, value, due_age_days, scope.principal.name,
                 now or datetime.now()])
    if kpi == "adoption_rate":
        rollout.target_adoption = value
        rollout.target_age_days = due_age_days or rollout.target_age_days
    return targets(scope, rollout)[kpi]


# -- baselines --------------------------------------------------------------------------------------

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

    def tickets_per_100_users_7d(self, licensed_now: int | None) -> float | None:
        """100 x tickets created in the window x 7 / its days / licensed people now (METRICS.md
        section 5). Example: 6 tickets in 28 days, 150 licensed -> 100 x 6 x 7 / 28 / 150 = 1.0."""
        tickets = self.support_figure("tickets")
        if tickets is None or not licensed_now:
            return None
        return 100 * tickets * 7 / self.days / licensed_now

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
    first = rollout.first_go_live
    if first is None:
        return None
    return first - timedelta(days=BASELINE_DAYS), first - timedelta(days=1)


def _clean(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value


def _share(part, whole) -> float | None:
    return None if part is None or not whole else part / whole


def champion_curve(scope: Scope, rollout: Rollout, as_of: date, window_days: int) -> dict[str, dict]:
    """The champion cohort's adoption_rate, activation_rate and habitual_share (habitual_users /
    licensed_users; None under 84 days) as of each day from its go-live to as_of, by age in days
    (keys are strings, as stored in JSON). Empty without a champion cohort or before its go-live."""
    go_live = rollout.cohorts.get("champion")
    if go_live is None or as_of < go_live:
        return {}
    frame = scope.df("adoption_series", rollout_id=rollout.rollout_id, start=go_live, end=as_of,
                     window_days=window_days)
    frame = frame[frame["cohort"] == "champion"]
    curve = {}
    for day, rows in frame.groupby("day"):
        age = (pd.Timestamp(day).date() - go_live).days
        licensed = int(rows["licensed_users"].sum())
        curve[str(age)] = {
            "adoption_rate": _share(int(rows["active_users"].sum()), licensed),
            "activation_rate": _share(int(rows["activated_users"].sum()), licensed),
            "habitual_share": _share(int(rows["habitual_users"].sum()), licensed) if age >= 84 else None,
        }
    return curve


def baseline_figures(scope: Scope, rollout: Rollout, start: date, end: date, as_of: date,
                     window_days: int | None = None, curve: bool = True) -> dict:
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
        "cohorts": {c: {"adoption_rate": f["adoption_rate"], "activation_rate": f["activation_rate"],
                        "habitual_share": _share(f["habitual_users"], f["licensed_users"]),
                        "licensed_users": f["licensed_users"]} for c, f in cohorts.items()},
        "champion_by_age": champion_curve(scope, rollout, as_of, window) if curve else {},
        "ticket_data_start": None if pd.isna(span["oldest_ticket_day"])
        else pd.Timestamp(span["oldest_ticket_day"]).date().isoformat(),
    }


def computed_baseline(scope: Scope, rollout: Rollout, as_of: date | None = None,
                      window_days: int | None = None, curve: bool = True) -> Baseline | None:
    """The default baseline: the rollout's baseline window computed from the data as it is now
    (None when the rollout has no window: no cohort and none set). curve False leaves out the
    champion curve (the red-flag rules do not read it)."""
    window = baseline_window(scope, rollout)
    if window is None:
        return None
    as_of = as_of or metrics.default_as_of(scope, rollout) or window[1]
    return Baseline(COMPUTED, window[0], window[1],
                    baseline_figures(scope, rollout, *window, as_of, window_days, curve), as_of=as_of)


def _locked(scope: Scope, rollout: Rollout) -> list[Baseline]:
    frame = scope.df("locked_baselines", rollout_id=rollout.rollout_id)
    return [Baseline(row.name, pd.Timestamp(row.window_start).date(), pd.Timestamp(row.window_end).date(),
                     json.loads(row.figures), None if pd.isna(row.as_of) else pd.Timestamp(row.as_of).date(),
                     True, int(row.baseline_id), [int(u) for u in row.upload_ids], row.locked_by,
                     pd.Timestamp(row.locked_at).to_pydatetime(), bool(row.selected))
            for row in frame.itertuples()]


def locked_baselines(scope: Scope, rollout: Rollout) -> list[Baseline]:
    """The rollout's locked baselines, oldest first."""
    return _locked(scope, rollout)


def baseline(scope: Scope, rollout: Rollout, name: str | None = None, as_of: date | None = None,
             window_days: int | None = None, curve: bool = True) -> Baseline | None:
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


def lock_baseline(scope: Scope, rollout: Rollout, name: str, start: date | None = None, end: date | None = None,
                  as_of: date | None = None, now: datetime | None = None) -> Baseline:
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
    if start is None:
        window = baseline_window(scope, rollout)
        if window is None:
            raise ValueError("the rollout has no baseline window: give --start and --end")
        start, end = window
    if start > end:
        raise ValueError("the window's start is after its end")
    if any(b.name.lower() == name.lower() for b in _locked(scope, rollout)):
        raise ValueError(f"{rollout.name!r} already has a baseline named {name!r}: a locked baseline never "
                         "changes, so lock the new figures under another name")
    as_of = max(as_of or metrics.default_as_of(scope, rollout) or end, end)
    figures = baseline_figures(scope, rollout, start, end, as_of)
    first = min([start, *rollout.cohorts.values()])
    loads = scope.df("baseline_uploads", rollout_id=rollout.rollout_id, start=first, as_of=as_of)
    upload_ids = [int(u) for u in loads["upload_id"]]
    when = now or datetime.now()
    with scope.store.transaction() as cur:
        if cur.execute("SELECT count(*) FROM baselines WHERE org_id = ? AND rollout_id = ? AND lower(name) = lower(?)",
                       [scope.org_id, rollout.rollout_id, name]).fetchall()[0][0]:
            raise ValueError(f"{rollout.name!r} already has a baseline named {name!r}")
        baseline_id = cur.execute(
            "INSERT INTO baselines (org_id, rollout_id, name, window_start, window_end, as_of, figures, upload_ids, "
            "locked_by, locked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING baseline_id",
            [scope.org_id, rollout.rollout_id, name, start, end, as_of, json.dumps(figures), upload_ids,
             scope.principal.name, when]).fetchall()[0][0]
    return Baseline(name, start, end, figures, as_of, True, baseline_id, upload_ids, scope.principal.name, when)


def select_baseline(scope: Scope, rollout: Rollout, name: str | None, now: datetime | None = None) -> Baseline | None:
    """Make a locked baseline (by name) the rollout's selected one, or go back to the computed
    one (name None or `computed`); 'configure' only. The KPI table and the ticket rules use it."""
    scope.require("configure")
    chosen = None
    if name is not None and name.strip().lower() != COMPUTED:
        chosen = baseline(scope, rollout, name)
    with scope.store.transaction() as cur:
        cur.execute("INSERT INTO baseline_selection (rollout_id, org_id, baseline_id, chosen_by, chosen_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (rollout_id) DO UPDATE SET baseline_id = excluded.baseline_id, "
                    "chosen_by = excluded.chosen_by, chosen_at = excluded.chosen_at",
                    [rollout.rollout_id, scope.org_id, chosen.baseline_id if chosen else None,
                     scope.principal.name, now or datetime.now()])
    return baseline(scope, rollout)


def baseline_list(scope: Scope, rollout: Rollout, as_of: date | None = None) -> pd.DataFrame:
    """The computed baseline and every locked one: name, locked, selected, window_start,
    window_end, days, adoption_rate (everyone's, over the window), tickets,
    tickets_per_100_users_7d (with today's licensed people), median_resolution_hours, backlog,
    satisfaction, locked_by, locked_at, upload_ids."""
    rows = []
    found = [b for b in [computed_baseline(scope, rollout, as_of)] if b is not None] + _locked(scope, rollout)
    if found and not found[0].locked:
        found[0].selected = not any(b.selected for b in found[1:])
    licensed = _licensed_now(scope, rollout)
    for b in found:
        rows.append({"name": b.name, "locked": b.locked, "selected": b.selected, "window_start": b.start,
                     "window_end": b.end, "days": b.days, "adoption_rate": b.cohort_figure("all", "adoption_rate"),
                     "tickets": b.support_figure("tickets"),
                     "tickets_per_100_users_7d": b.tickets_per_100_users_7d(licensed),
                     "median_resolution_hours": b.support_figure("median_resolution_hours"),
                     "backlog": b.support_figure("backlog"), "satisfaction": b.support_figure("satisfaction"),
                     "locked_by": b.locked_by, "locked_at": b.locked_at, "upload_ids": b.upload_ids})
    return pd.DataFrame(rows, columns=["name", "locked", "selected", "window_start", "window_end", "days",
                                       "adoption_rate", "tickets", "tickets_per_100_users_7d",
                                       "median_resolution_hours", "backlog", "satisfaction", "locked_by", "locked_at",
                                       "upload_ids"])


def _licensed_now(scope: Scope, rollout: Rollout) -> int:
    return int(scope.df("licensed_headcount", rollout_id=rollout.rollout_id)["licensed_users"].iloc[0])


# -- the KPI table ------------------------------------------------------------------------------------

def kpi_status(current: float | None, target: float | None, direction: str) -> str:
    """on track / at risk / off track against the target (see the module docstring); `no target`
    or `no data` when either is missing. Example: target 0.8, higher is better: 0.8 -> on track,
    0.75 -> at risk (0.05 < 0.08), 0.72 -> off track (0.08 is not less than 0.08)."""
    if target is None:
        return "no target"
    if current is None:
        return "no data"
    wrong_by = (target - current) if direction == "higher" else (current - target)
    if wrong_by <= 0:
        return "on track"
    if target > 0 and round(wrong_by / target, 9) < AT_RISK_SHARE:
        return "at risk"
    return "off track"


@dataclass
class KpiRow:
    kpi: str
    label: str
    cohort: str | None        # None for the rollout-level KPIs
    direction: str
    unit: str
    baseline: float | None
    current: float | None
    target: float | None
    change: float | None      # current - baseline
    change_pct: float | None  # (current - baseline) / baseline; None when the baseline is 0 or None
    status: str
    age_days: int | None
    due_age_days: int
    due: bool                 # the age has reached the due age
    note: str                 # "due at age 30" before the due age; how the baseline was taken
    baseline_name: str


def _row(kpi: str, cohort: str | None, base, current, target: Target, age: int | None, note: str,
         baseline_name: str) -> KpiRow:
    spec = KPIS[kpi]
    change = None if base is None or current is None else current - base
    pct = None if change is None or not base else change / base
    due = age is not None and age >= target.due_age_days
    notes = [] if due else [f"due at age {target.due_age_days}"]
    if note:
        notes.append(note)
    return KpiRow(kpi, spec.label, cohort, spec.direction, spec.unit, base, current, target.value, change, pct,
                  kpi_status(current, target.value, spec.direction), age, target.due_age_days, due,
                  "; ".join(notes), baseline_name)


def kpi_rows(scope: Scope, rollout: Rollout, as_of: date | None = None, baseline_name: str | None = None,
             window_days: int | None = None) -> list[KpiRow]:
    """The KPI table as rows: per cohort (champion, wider, ..., all) adoption_rate,
    activation_rate and habitual_share, then the rollout's tickets_per_100_users_7d,
    median_resolution_hours, backlog, reopen_rate and satisfaction, as of d (default: the
    newest usage day) against the selected baseline (or the one named).

    Worked example (the tiny test set): target 80 % by 30 days; champions a b c d live
    2025-01-06, wider e f live 2025-02-03. As of 2025-02-10 (w = 28) the wider cohort is 7 days
    old and both e and f are active: 1.0. The champions' adoption as of 2025-01-13 (their age 7;
    window 2024-12-17 .. 2025-01-13) was a and b of 4 = 0.5. Wider adoption row: baseline 0.5 ->
    current 1.0 -> target 0.8, change +0.5 (+100 %), on track, "due at age 30".
    """
    d = as_of or metrics.default_as_of(scope, rollout) or date.today()
    w = window_days or rollout.window_days
    chosen = baseline(scope, rollout, baseline_name, d, w)
    goals = targets(scope, rollout)
    figures = metrics.cohort_figures(scope, rollout, d, w)
    desk = support.support_kpis(scope, rollout, d, w)
    last_go_live = max(rollout.cohorts.values()) if rollout.cohorts else None
    has_champion = "champion" in rollout.cohorts
    name = chosen.name if chosen else COMPUTED
    window_note = f"baseline: {chosen.name!r} (locked)" if chosen and chosen.locked else "baseline: the baseline window"
    habit_unknown = "habitual_users" in metrics.not_computable(scope, rollout)
    rows = []
    for cohort, f in figures.items():
        go_live = rollout.cohorts.get(cohort) if cohort != "all" else last_go_live
        age = (d - go_live).days if go_live else None
        current = {"adoption_rate": f["adoption_rate"], "activation_rate": f["activation_rate"],
                   "habitual_share": _share(f["habitual_users"], f["licensed_users"])}
        for kpi in ("adoption_rate", "activation_rate", "habitual_share"):
            note = ""
            if chosen is None:
                base = None
            elif cohort == "champion":   # champions go first: nothing earlier to compare with but the target
                base = goals[kpi].value
                note = "baseline: the target (champions go first)" if base is not None else \
                    "no baseline: champions go first and this KPI has no target"
            elif cohort != "all" and has_champion and age is not None:
                base = chosen.champion_at_age(age, kpi)
                note = f"baseline: champions at age {age}"
            else:
                base = chosen.cohort_figure(cohort, kpi)
                note = window_note
            if kpi == "habitual_share" and habit_unknown:   # the champions' habit at an age is as unknowable
                base, note = None, "not computable from this data (snapshot exports too far apart)"
            rows.append(_row(kpi, cohort, base, current[kpi], goals[kpi], age, note, name))
    age = (d - last_go_live).days if last_go_live else None
    # no ticket loaded at all is missing data, not a quiet helpdesk: no figures rather than zeros
    no_tickets = int(scope.df("ticket_span")["tickets"].iloc[0]) == 0
    for kpi in ("tickets_per_100_users_7d", "median_resolution_hours", "backlog", "reopen_rate", "satisfaction"):
        if chosen is None or (no_tickets and not chosen.locked):
            base = None
        elif kpi == "tickets_per_100_users_7d":
            base = chosen.tickets_per_100_users_7d(desk["licensed_users"])
        else:
            base = chosen.support_figure(kpi)
        rows.append(_row(kpi, None, base, None if no_tickets else desk[kpi], goals[kpi], age,
                         "no tickets loaded" if no_tickets else "", name))
    return rows


def kpi_table(scope: Scope, rollout: Rollout, as_of: date | None = None, baseline_name: str | None = None,
              window_days: int | None = None) -> pd.DataFrame:
    """kpi_rows as a DataFrame (one row per KPI and cohort; columns as KpiRow), for the pages."""
    rows = kpi_rows(scope, rollout, as_of, baseline_name, window_days)
    return pd.DataFrame([asdict(r) for r in rows], columns=list(KpiRow.__dataclass_fields__))
