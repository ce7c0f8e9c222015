"""The rules on the change-leadership record: NOT_READY (readiness), LOW_CONFIDENCE (feedback) and
KPI_OFF_TRACK (KPI series), each a function of the evaluation's data and a day x giving its
findings (docs/metrics.md#readiness, #feedback, #kpi-series)."""

from __future__ import annotations

from datetime import date

from analysis.alerts.inputs import Finding, RuleData, below, nobody_licensed, not_enough
from analysis.words import pct


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
                    "NOT_READY", f"The {r.cohort} cohort is not live yet (go-live {r.go_live}).", cohort=r.cohort
                )
            )
            continue
        if not r.licensed:
            out.append(nobody_licensed("NOT_READY", r.cohort))
            continue
        share = r.trained / r.licensed
        evidence = {
            "go_live": r.go_live,
            "trainings_in_window": r.trainings_in_window,
            "days_before": days,
            "last_training": r.last_training,
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
            last = f"; its last one was on {r.last_training}" if r.last_training else ""
            message = (
                f"The {r.cohort} cohort went live on {r.go_live} with no training in the {days} days before its "
                f"go-live{last}; {r.words} licensed people."
            )
        else:
            message = (
                f"The {r.cohort} cohort went live on {r.go_live}, {r.words} ({pct(share)}), under "
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
