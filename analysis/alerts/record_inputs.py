"""What the change-leadership record's rules read (analysis/alerts/record_rules.py), loaded once per
evaluation into RuleData."""

from __future__ import annotations

import pandas as pd

from analysis import feedback, readiness
from analysis.kpis import custom
from analysis.orgs import Rollout
from analysis.scope import Scope


def cohort_readiness(scope: Scope, rollout: Rollout, rules: dict) -> list | None:
    """readiness.cohort_readiness with NOT_READY's window, or None when no readiness is loaded."""
    if not readiness.has_record(scope, rollout):
        return None
    return readiness.cohort_readiness(scope, rollout, int(rules["NOT_READY"]["days_before"]))


def feedback_answers(scope: Scope, rollout: Rollout) -> pd.DataFrame | None:
    """feedback.answers, or None when no answer is loaded."""
    frame = feedback.answers(scope, rollout)
    return None if frame.empty else frame


def kpi_points(scope: Scope, rollout: Rollout) -> pd.DataFrame | None:
    """kpis.custom.points, or None when no KPI series is loaded."""
    frame = custom.points(scope, rollout)
    return None if frame.empty else frame
