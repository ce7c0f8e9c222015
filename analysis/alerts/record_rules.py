"""The rules on the change-leadership record: NOT_READY (readiness), LOW_CONFIDENCE (feedback) and
KPI_OFF_TRACK (KPI series), each a function of the evaluation's data and a day x giving its
findings (docs/metrics.md#readiness, #feedback, #kpi-series)."""

from __future__ import annotations

from datetime import date

from analysis import feedback
from analysis.alerts.inputs import Finding, RuleData, above, below, nobody_licensed, not_enough
from analysis.kpis import custom
from analysis.kpis.table import kpi_status
from analysis.words import day, pct


def not_ready(data: RuleData, x: date) -> list[Finding]:
    s = data.settings["NOT_READY"]
    days = int(s["days_before"])
    if data.readiness is None:
        # judged once a readiness record is loaded: a rollout that keeps none is not flagged on every
        # page for it (docs/metrics.md#readiness)
        return []
    out = []
    for r in data.readiness:
        if x < r.go_live:
            out.append(
                not_enough(
                    "NOT_READY", f"The {r.cohort} cohort is not live yet (go-live {day(r.go_live)}).", cohort=r.cohort
                )
            )
            continue
        if not r.licensed:
            out.append(nobody_licensed("NOT_READY", r.cohort))
            continue
        share = r.trained / r.licensed
        evidence = {
            "go_live": r.go_live.isoformat(),  # evidence is stored as JSON
            "trainings_in_window": r.trainings_in_window,
            "days_before": days,
            "last_training": r.last_training.isoformat() if r.last_training else None,
            "trained": r.trained,
            "licensed_users": r.licensed,
            "trained_share": share,
            "share_trained": s["share_trained"],
        }
        untrained = r.trainings_in_window == 0
        if not untrained and not below(share, s["share_trained"]):
            out.append(Finding("NOT_READY", "clear", cohort=r.cohort, evidence=evidence))
            continue
        if untrained:
            last = f"; its last one was on {day(r.last_training)}" if r.last_training else ""
            message = (
                f"The {r.cohort} cohort went live on {day(r.go_live)} with no training in the {days} days before its "
                f"go-live{last}; {r.words} licensed people."
            )
        else:
            message = (
                f"The {r.cohort} cohort went live on {day(r.go_live)}, {r.words} ({pct(share)}), under "
                f"{pct(s['share_trained'])} of its licensed people."
            )
        out.append(
            Finding(
                "NOT_READY",
                "holds",
                cohort=r.cohort,
                severity="high" if untrained else "medium",
                message=message,
                evidence=evidence,
            )
        )
    return out


def low_confidence(data: RuleData, x: date) -> list[Finding]:
    """Per place (the whole rollout, each cohort, each department) the scored answers in the `days`
    days to x: holds when there are at least min_answers and their mean is under below_mean (high
    under high_below_mean). A cohort or the rollout with fewer answers cannot be judged; a
    department with fewer is not judged (said only for the larger places)."""
    s = data.settings["LOW_CONFIDENCE"]
    if data.feedback is None:
        return []  # judged once feedback is loaded (docs/metrics.md#feedback)
    table = feedback.confidence_at(data.feedback, x, int(s["days"]))
    out = []
    for row in table.itertuples():
        where = {"cohort": row.place} if row.level == "cohort" else {}
        if row.level == "department":
            where = {"department": row.place}
        if row.answers < s["min_answers"]:
            if row.level != "department":
                who = "this rollout" if row.level == "rollout" else f"the {row.place} cohort"
                out.append(
                    not_enough(
                        "LOW_CONFIDENCE",
                        f"{row.answers} survey answers for {who} in the {int(s['days'])} days to {day(x)}: fewer than "
                        f"{int(s['min_answers'])}.",
                        **where,
                    )
                )
            continue
        evidence = {
            "answers": int(row.answers),
            "mean_score": row.mean,
            "days": int(s["days"]),
            "below_mean": s["below_mean"],
            "high_below_mean": s["high_below_mean"],
        }
        if not below(row.mean, s["below_mean"]):
            out.append(Finding("LOW_CONFIDENCE", "clear", evidence=evidence, **where))
            continue
        who = {"rollout": "The whole rollout", "cohort": f"The {row.place} cohort"}.get(row.level, row.place)
        out.append(
            Finding(
                "LOW_CONFIDENCE",
                "holds",
                severity="high" if below(row.mean, s["high_below_mean"]) else "medium",
                message=(
                    f"{who}: a mean confidence of {row.mean:.1f} of 5 over {row.answers} survey answers in the "
                    f"{int(s['days'])} days to {day(x)}, under {s['below_mean']:g}."
                ),
                evidence=evidence,
                **where,
            )
        )
    return out


def kpi_off_track(data: RuleData, x: date) -> list[Finding]:
    """Per KPI series (analysis/kpis/custom.py): holds when its newest `points` readings to x are each
    on the wrong side of its target (high when the newest is off track in the KPI table's sense: wrong
    by 10 % of the target or more)."""
    s = data.settings["KPI_OFF_TRACK"]
    if data.kpi_points is None:
        return []  # judged once a KPI series is loaded (docs/metrics.md#kpi-series)
    window = (data.baseline.start, data.baseline.end) if data.baseline else None
    out = []
    for found in custom.series_of(data.kpi_points, x, window):
        where: dict = {"kind": found.kpi}
        if found.place in data.cohorts:
            where["cohort"] = found.place
        elif found.place:
            where["department"] = found.place
        if found.current is None:
            out.append(not_enough("KPI_OFF_TRACK", f"{found.label}: no reading on or before {day(x)}.", **where))
            continue
        if found.target is None:
            out.append(not_enough("KPI_OFF_TRACK", f"{found.label}: the series gives no target.", **where))
            continue
        target, n = found.target, int(s["points"])
        newest = [v for _, v in found.readings[-n:]]
        wrong = [below(v, target) if found.direction == "higher" else above(v, target) for v in newest]
        status = kpi_status(found.current, target, found.direction)
        evidence = {
            "kpi": found.kpi,
            "value": found.current,
            "day": found.current_day.isoformat() if found.current_day else None,
            "target": target,
            "direction": found.direction,
            "unit": found.unit,
            "baseline": found.baseline,
            "status": status,
            "points": n,
        }
        if len(newest) < n or not all(wrong):
            out.append(Finding("KPI_OFF_TRACK", "clear", evidence=evidence, **where))
            continue
        side = "under" if found.direction == "higher" else "over"
        base = f" (baseline {found.baseline:g})" if found.baseline is not None else ""
        out.append(
            Finding(
                "KPI_OFF_TRACK",
                "holds",
                severity="high" if status == "off track" else "medium",
                message=(
                    f"{found.label}: {found.current:g} on {day(found.current_day)}{base}, {side} its target of {target:g}"
                    + (f" at each of its last {n} readings." if n > 1 else ".")
                ),
                evidence=evidence,
                **where,
            )
        )
    return out
