"""The KPI table: each KPI's baseline -> current -> target, the change and a status."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import pandas as pd

from analysis import metrics, support
from analysis.kpis import custom
from analysis.kpis.baselines import COMPUTED, baseline, ratio
from analysis.kpis.goals import KPIS, Target, targets
from analysis.orgs import Rollout
from analysis.scope import Scope

AT_RISK_SHARE = 0.10  # "at risk": on the wrong side of the target by less than 10 % of it


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
    cohort: str | None  # None for the rollout-level KPIs
    direction: str
    unit: str
    baseline: float | None
    current: float | None
    target: float | None
    change: float | None  # current - baseline
    change_pct: float | None  # (current - baseline) / baseline; None when the baseline is 0 or None
    status: str
    age_days: int | None
    due_age_days: int
    due: bool  # the age has reached the due age
    note: str  # "due by day 30" before the due age; how the baseline was taken
    baseline_name: str


def _row(
    kpi: str, cohort: str | None, base, current, target: Target, age: int | None, note: str, baseline_name: str
) -> KpiRow:
    spec = KPIS[kpi]
    change = None if base is None or current is None else current - base
    pct = None if change is None or not base else change / base
    due = age is not None and age >= target.due_age_days
    notes = [] if due else [f"due by day {target.due_age_days}"]
    if note:
        notes.append(note)
    return KpiRow(
        kpi,
        spec.label,
        cohort,
        spec.direction,
        spec.unit,
        base,
        current,
        target.value,
        change,
        pct,
        kpi_status(current, target.value, spec.direction),
        age,
        target.due_age_days,
        due,
        "; ".join(notes),
        baseline_name,
    )


def kpi_rows(
    scope: Scope,
    rollout: Rollout,
    as_of: date | None = None,
    baseline_name: str | None = None,
    window_days: int | None = None,
    figures: dict | None = None,
    desk: dict | None = None,
) -> list[KpiRow]:
    """The KPI table as rows: per cohort (champion, wider, ..., all) adoption_rate,
    activation_rate and habitual_share, then the rollout's tickets_per_100_users_7d,
    median_resolution_hours, backlog, reopen_rate and satisfaction, as of d (default: the
    newest usage day) against the selected baseline (or the one named).

    Worked example (the tiny test set): target 80 % by 30 days; champions a b c d live
    2025-01-06, wider e f live 2025-02-03. As of 2025-02-10 (w = 28) the wider cohort is 7 days
    old and both e and f are active: 1.0. The champions' adoption as of 2025-01-13 (their age 7;
    window 2024-12-17 .. 2025-01-13) was a and b of 4 = 0.5. Wider adoption row: baseline 0.5 ->
    current 1.0 -> target 0.8, change +0.5 (+50.0 pts), on track, "due by day 30;
    baseline: champions on their day 7" (the day counted from the cohort's go-live, as on the
    adoption-by-age chart).
    """
    d = as_of or metrics.default_as_of(scope, rollout) or date.today()
    w = window_days or rollout.window_days
    chosen = baseline(scope, rollout, baseline_name, d, w)
    goals = targets(scope, rollout)
    # figures / desk: metrics.cohort_figures and support.support_kpis as of d with w, when the
    # caller has them already (the Overview shows them above the table): the same values, read once
    if figures is None:
        figures = metrics.cohort_figures(scope, rollout, d, w)
    if desk is None:
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
        current = {
            "adoption_rate": f["adoption_rate"],
            "activation_rate": f["activation_rate"],
            "habitual_share": ratio(f["habitual_users"], f["licensed_users"]),
        }
        for kpi in ("adoption_rate", "activation_rate", "habitual_share"):
            note = ""
            if chosen is None:
                base = None
            elif cohort == "champion":  # champions go first: nothing earlier to compare with but the target
                base = goals[kpi].value
                note = (
                    "baseline: the target (champions go first)"
                    if base is not None
                    else "no baseline: champions go first, and no target"
                )
            elif cohort != "all" and has_champion and age is not None:
                base = chosen.champion_at_age(age, kpi)
                note = f"baseline: champions on their day {age}"
            else:
                base = chosen.cohort_figure(cohort, kpi)
                note = (
                    window_note
                    if has_champion or cohort == "all"
                    else f"{window_note} (no champion cohort to compare with)"
                )
            if kpi == "habitual_share" and habit_unknown:  # the champions' habit at an age is as unknowable
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
        rows.append(
            _row(
                kpi,
                None,
                base,
                None if no_tickets else desk[kpi],
                goals[kpi],
                age,
                "no tickets loaded" if no_tickets else "",
                name,
            )
        )
    rows += [
        custom_row(s, age, name)
        for s in custom.series(scope, rollout, d, (chosen.start, chosen.end) if chosen else None)
    ]
    return rows


def custom_row(found: custom.Series, age: int | None, baseline_name: str) -> KpiRow:
    """A KPI series' row (analysis/kpis/custom.py): its own target, no due age."""
    change = None if found.baseline is None or found.current is None else found.current - found.baseline
    return KpiRow(
        f"custom:{found.kpi}",
        found.label,
        found.place or None,
        found.direction,
        found.unit or "",
        found.baseline,
        found.current,
        found.target,
        change,
        None if change is None or not found.baseline else change / found.baseline,
        kpi_status(found.current, found.target, found.direction),
        age,
        0,
        True,
        f"from a KPI series; newest reading {found.current_day}"
        if found.current_day
        else "from a KPI series; no reading yet",
        baseline_name,
    )


def kpi_table(
    scope: Scope,
    rollout: Rollout,
    as_of: date | None = None,
    baseline_name: str | None = None,
    window_days: int | None = None,
    figures: dict | None = None,
    desk: dict | None = None,
) -> pd.DataFrame:
    """kpi_rows as a DataFrame (one row per KPI and cohort; columns as KpiRow), for the pages
    (figures, desk: see kpi_rows)."""
    rows = kpi_rows(scope, rollout, as_of, baseline_name, window_days, figures, desk)
    return pd.DataFrame([asdict(r) for r in rows], columns=list(KpiRow.__dataclass_fields__))
