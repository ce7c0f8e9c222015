"""A rollout's dated plan of phases and whether each met its success measures
(docs/metrics.md#phases).

Until a provider saves a plan, the rollout has a suggested one from its go-live dates: plan (the 28
days before the first go-live), champion pilot (from the champions' go-live to the day before the
next cohort's), wider rollout (28 days from the next go-live) and hypercare (the 28 days after).
After a failed landing, start_recovery adds stabilise, re-design, re-enable and monitor. Each phase
may carry targets for chosen KPIs; a phase's KPI reading takes its baseline on the day before the
phase starts and its value on the phase's last day (or the as-of date while it runs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from analysis import metrics, support
from analysis.kpis.goals import KPIS
from analysis.orgs import Rollout
from analysis.scope import Scope
from analysis.words import pct

PLAN = ("plan", "champion pilot", "wider rollout", "hypercare")
RECOVERY = ("stabilise", "re-design", "re-enable", "monitor")
OBJECTIVES = {
    "plan": "Train and brief every cohort before its go-live; baselines measured.",
    "champion pilot": "The champions use it and say what to fix before the wider go-live.",
    "wider rollout": "Everyone licensed uses it; support absorbs the first weeks.",
    "hypercare": "Use holds without extra support; tickets back to the baseline.",
    "stabilise": "Stop the harm: support load and workarounds back under control.",
    "re-design": "Fix the root causes found (process, training, technology).",
    "re-enable": "Bring people back with the fixes in place.",
    "monitor": "Use and support hold at their targets.",
}
RECOVERY_WEEKS = (2, 4, 2, 4)  # stabilise, re-design, re-enable, monitor
DAYS = 28


@dataclass
class Phase:
    name: str
    kind: str  # plan | recovery
    starts: date
    ends: date
    objective: str | None = None
    targets: dict[str, float] = field(default_factory=dict)  # kpi -> target
    phase_id: int | None = None
    suggested: bool = False  # from the go-live dates, not saved


def suggested_plan(rollout: Rollout) -> list[Phase]:
    """The plan the go-live dates suggest (no phase before a rollout has cohorts)."""
    if not rollout.cohorts:
        return []
    first = min(rollout.cohorts.values())
    champion = rollout.cohorts.get("champion", first)
    later = sorted(g for c, g in rollout.cohorts.items() if c != "champion" and g > champion)
    out = [Phase("plan", "plan", first - timedelta(days=DAYS), first - timedelta(days=1))]
    if later:
        wider = later[0]
        out.append(Phase("champion pilot", "plan", champion, wider - timedelta(days=1)))
    else:
        wider = first
    out.append(Phase("wider rollout", "plan", wider, wider + timedelta(days=DAYS - 1)))
    out.append(Phase("hypercare", "plan", wider + timedelta(days=DAYS), wider + timedelta(days=2 * DAYS - 1)))
    for phase in out:
        phase.objective, phase.suggested = OBJECTIVES[phase.name], True
    return out


def phases(scope: Scope, rollout: Rollout) -> list[Phase]:
    """The saved phases in date order, or the suggested plan when none is saved."""
    found = scope.df("phases", rollout_id=rollout.rollout_id)
    if found.empty:
        return suggested_plan(rollout)
    return [
        Phase(
            r.name,
            r.kind,
            _day(r.starts),
            _day(r.ends),
            r.objective,
            {t["kpi"]: float(t["target"]) for t in r.targets},
            int(r.phase_id),
        )
        for r in found.itertuples()
    ]


def _day(value) -> date:
    return value if isinstance(value, date) and not isinstance(value, datetime) else value.date()


def save_plan(scope: Scope, rollout: Rollout, plan: list[Phase], now: datetime | None = None) -> None:
    """Replace the rollout's phases (provider roles): names, dates in order, no overlap, targets of
    known KPIs (shares between 0 and 1)."""
    scope.require("configure")
    _check(plan)
    now = now or datetime.now()
    with scope.store.transaction("save the phase plan", org_id=scope.org_id) as cur:
        old = [
            r[0]
            for r in cur.execute(
                "SELECT phase_id FROM phases WHERE org_id = ? AND rollout_id = ?", [scope.org_id, rollout.rollout_id]
            ).fetchall()
        ]
        cur.execute("DELETE FROM phase_targets WHERE org_id = ? AND list_contains(?, phase_id)", [scope.org_id, old])
        cur.execute("DELETE FROM phases WHERE org_id = ? AND rollout_id = ?", [scope.org_id, rollout.rollout_id])
        for phase in sorted(plan, key=lambda p: p.starts):
            phase_id = cur.execute("SELECT nextval('phase_id_seq')").fetchall()[0][0]
            cur.execute(
                "INSERT INTO phases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    phase_id,
                    scope.org_id,
                    rollout.rollout_id,
                    phase.name.strip(),
                    phase.kind,
                    phase.starts,
                    phase.ends,
                    (phase.objective or "").strip() or None,
                    scope.principal.name,
                    now,
                ],
            )
            for kpi, target in phase.targets.items():
                cur.execute(
                    "INSERT INTO phase_targets VALUES (?, ?, ?, ?)", [phase_id, scope.org_id, kpi, float(target)]
                )


def _check(plan: list[Phase]) -> None:
    ordered = sorted(plan, key=lambda p: p.starts)
    for phase in ordered:
        if not phase.name.strip() or len(phase.name) > 60:
            raise ValueError("each phase needs a name of at most 60 characters")
        if phase.kind not in ("plan", "recovery"):
            raise ValueError(f"{phase.name}: the kind is plan or recovery")
        if phase.ends < phase.starts:
            raise ValueError(f"{phase.name}: it ends before it starts")
        for kpi, target in phase.targets.items():
            if kpi not in KPIS:
                raise ValueError(f"{phase.name}: unknown KPI {kpi!r}")
            if KPIS[kpi].unit == "share" and not 0 <= target <= 1:
                raise ValueError(f"{phase.name}: a target share is between 0 and 1 ({kpi} {target})")
    for before, after in zip(ordered, ordered[1:]):
        if after.starts <= before.ends:
            raise ValueError(f"{after.name} starts before {before.name} ends: phases follow each other")


def start_recovery(scope: Scope, rollout: Rollout, start: date, now: datetime | None = None) -> list[Phase]:
    """After a failed landing: the phases so far, the one running on `start` ended the day before,
    then stabilise, re-design, re-enable and monitor (2, 4, 2 and 4 weeks). Saved; returned."""
    kept = []
    for phase in phases(scope, rollout):
        if phase.starts >= start:
            continue  # a later planned phase gives way to the recovery
        if phase.ends >= start:
            phase.ends = start - timedelta(days=1)
        kept.append(phase)
    day = start
    for name, weeks in zip(RECOVERY, RECOVERY_WEEKS):
        ends = day + timedelta(weeks=weeks) - timedelta(days=1)
        kept.append(Phase(name, "recovery", day, ends, OBJECTIVES[name]))
        day = ends + timedelta(days=1)
    save_plan(scope, rollout, kept, now)
    return phases(scope, rollout)


def markers(scope: Scope, rollout: Rollout) -> list[dict]:
    """The phases as bands for the time charts (analysis/charts/base.py add_markers): each
    {day: its start, end, kind "phase", label}."""
    return [
        {"day": p.starts, "end": p.ends, "kind": "phase", "label": p.name.capitalize(), "cohort": None, "index": i}
        for i, p in enumerate(phases(scope, rollout))
    ]


def kpi_value(scope: Scope, rollout: Rollout, kpi: str, d: date, window: int) -> float | None:
    """A KPI for the whole rollout as of d (cohort KPIs: the cohort 'all')."""
    if KPIS[kpi].level == "cohort":
        figures = metrics.cohort_figures(scope, rollout, d, window)["all"]
        if kpi == "habitual_share":
            licensed = figures["licensed_users"]
            return None if not licensed or figures["habitual_users"] is None else figures["habitual_users"] / licensed
        return figures[kpi]
    return support.support_kpis(scope, rollout, d, window).get(kpi)


def readings_words(readings: list[dict]) -> str:
    """A phase's readings in words: "Adoption rate: 17% -> 50% (target 50%); ..." (shares as per
    cents, other units to one decimal)."""

    def value(kpi: str, figure: float | None) -> str:
        if figure is None:
            return "n/a"
        return pct(figure) if KPIS[kpi].unit == "share" else f"{figure:.1f}"

    return "; ".join(
        f"{KPIS[r['kpi']].label}: {value(r['kpi'], r['baseline'])} -> {value(r['kpi'], r['value'])} "
        f"(target {value(r['kpi'], r['target'])})"
        for r in readings
    )


def met(kpi: str, value: float | None, target: float) -> bool | None:
    if value is None:
        return None
    return value >= target if KPIS[kpi].direction == "higher" else value <= target


def results(scope: Scope, rollout: Rollout, as_of: date, window: int | None = None) -> list[dict]:
    """Each phase that has started by as_of: its KPI readings (baseline the day before it starts,
    value on its last day or as_of) and its status: met, not met (ended with a target missed), on
    track / off track (running), no targets."""
    w = window or rollout.window_days
    out = []
    for phase in phases(scope, rollout):
        if phase.starts > as_of:
            continue
        end = min(phase.ends, as_of)
        readings = []
        for kpi, target in phase.targets.items():
            value = kpi_value(scope, rollout, kpi, end, w)
            readings.append(
                {
                    "kpi": kpi,
                    "baseline": kpi_value(scope, rollout, kpi, phase.starts - timedelta(days=1), w),
                    "value": value,
                    "target": target,
                    "met": met(kpi, value, target),
                }
            )
        ended = phase.ends <= as_of
        if not readings:
            status = "no targets"
        elif all(r["met"] for r in readings):
            status = "met" if ended else "on track"
        else:
            status = "not met" if ended else "off track"
        out.append({"phase": phase, "ended": ended, "readings": readings, "status": status})
    return out


def as_json(scope: Scope, rollout: Rollout, as_of: date, window: int | None = None) -> list[dict]:
    """The phases for `kpis --json` (key `phases`), a phase not started yet with status 'not started'."""
    started = {(r["phase"].name, r["phase"].starts): r for r in results(scope, rollout, as_of, window)}
    out = []
    for p in phases(scope, rollout):
        reading = started.get((p.name, p.starts))
        out.append(
            {
                "name": p.name,
                "kind": p.kind,
                "starts": p.starts.isoformat(),
                "ends": p.ends.isoformat(),
                "objective": p.objective,
                "suggested": p.suggested,
                "targets": p.targets,
                "status": reading["status"] if reading else "not started",
                "readings": reading["readings"] if reading else [],
            }
        )
    return out
