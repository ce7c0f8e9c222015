"""The red-flag rules: what each fires on, the next step it suggests, its thresholds with their
documented defaults (a per-rollout setting in alert_settings), and how a rule and the place it holds
are named wherever they are shown (the pages, the report pack, the command line)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from analysis.orgs import Rollout
from analysis.scope import Scope


@dataclass(frozen=True)
class Rule:
    name: str
    fires_when: str
    action: str
    per: str  # what it is evaluated for
    settings: dict[str, float]  # threshold -> default

    @property
    def title(self) -> str:
        """The rule's name in words: LOW_ADOPTION -> Low Adoption."""
        return self.name.replace("_", " ").title()


RULES: dict[str, Rule] = {
    r.name: r
    for r in (
        Rule(
            "LOW_ADOPTION",
            "a cohort (and a department) whose age is at least the target's due age has adoption_rate < the target "
            "(high if < half the target)",
            "Targeted training; champions in that department.",
            "cohort, department",
            {"high_share_of_target": 0.5, "min_department_people": 5},
        ),
        Rule(
            "CHAMPION_GAP",
            "at the cohort's age k = d - g(c) >= 7: its adoption_by_age(k) < 70 % of the champions' adoption_by_age(k)",
            "Champions share their experience; look at what champions got that others did not.",
            "cohort",
            {"min_age_days": 7, "share_of_champion": 0.7},
        ),
        Rule(
            "PILOT_NOT_READY",
            "before the wider go-live, with champions >= 14 days past their go-live: champion adoption_rate < target",
            "Delay or stage the wider rollout.",
            "champion cohort",
            {"min_champion_age_days": 14},
        ),
        Rule(
            "TICKET_SPIKE",
            "tickets_per_100_users_7d > 2 x the baseline's tickets per 100 people per 7 days, and >= 5 tickets in those "
            "7 days (high above 4 x)",
            "Extra floor support; FAQ of the top categories.",
            "rollout",
            {"multiple": 2.0, "high_multiple": 4.0, "min_tickets": 5, "min_baseline_tickets": 5},
        ),
        Rule(
            "SLOW_RESOLUTION",
            "median resolution hours over the window > 1.5 x the baseline's, with >= 5 tickets resolved in the window",
            "Staffing and escalation review.",
            "rollout",
            {"multiple": 1.5, "min_resolved": 5, "min_baseline_resolved": 5},
        ),
        Rule(
            "BACKLOG_GROWING",
            "the backlog at the end of days d-28, d-21, d-14, d-7, d rises at every step",
            "Stabilise before further rollout.",
            "rollout",
            {"steps": 4, "step_days": 7},
        ),
        Rule(
            "DECLINING_USAGE",
            "with >= 3 full ISO weeks since go-live: weekly active people in the last full week < 80 % of the highest "
            "full week since go-live",
            "Find out why; re-engage.",
            "cohort",
            {"min_full_weeks": 3, "share_of_peak": 0.8},
        ),
        Rule(
            "LAPSING",
            "lapsed_users >= 10 % of activated_users, and >= 5 people",
            "Follow up with the lapsed people by name.",
            "cohort, department",
            {"share_of_activated": 0.1, "min_people": 5, "min_department_people": 5},
        ),
        Rule(
            "WORKAROUNDS",
            "d - g(c) >= 14 and legacy_users >= 20 % of licensed_users",
            "Remove the old path; explain why.",
            "cohort, department",
            {"min_age_days": 14, "share_of_licensed": 0.2, "min_department_people": 5},
        ),
        Rule(
            "NOT_READY",
            "a live cohort had no training session in the days_before days before its go-live (high), or the "
            "share of its licensed people trained before go-live is under share_trained",
            "Train the cohort now (sessions with their attendance recorded); train the next cohort before its go-live.",
            "cohort",
            {"days_before": 28, "share_trained": 0.5},
        ),
        Rule(
            "LOW_CONFIDENCE",
            "the survey answers of the last `days` days in a place (the whole rollout, a cohort, a department) number "
            "at least min_answers and their mean score (1-5) is under below_mean (high under high_below_mean)",
            "Ask the people there what is in the way (champions, a drop-in); answer the survey's comments.",
            "rollout, cohort, department",
            {"below_mean": 3.0, "high_below_mean": 2.0, "min_answers": 5, "days": 28},
        ),
        Rule(
            "KPI_OFF_TRACK",
            "a KPI series (loaded from another system) has its newest `points` readings each on the wrong side of its "
            "target (high when the newest is off track in the KPI table: wrong by 10 % of the target or more)",
            "Ask the system's owner why; plan the fix as an action on this flag.",
            "KPI series",
            {"points": 1},
        ),
        Rule(
            "STALE_DATA",
            "for usage and for tickets separately: the newest date (usage day; ticket created or updated) is more than "
            "14 days before the as-of date given, or before today when none is given",
            "Upload a fresh export.",
            "usage, tickets",
            {"max_age_days": 14},
        ),
        Rule(
            "SATISFACTION_DROP",
            "satisfaction over the window < the baseline's - 10 pts, with >= 5 rated tickets resolved in the window",
            "Read the badly rated tickets; follow up with their requesters and fix what they share.",
            "rollout",
            {"share_drop": 0.1, "min_rated": 5, "min_baseline_rated": 5},
        ),
    )
}
WHOLE_SETTINGS = (
    "min_department_people",
    "min_age_days",
    "min_champion_age_days",
    "min_tickets",
    "min_baseline_tickets",
    "min_resolved",
    "min_baseline_resolved",
    "steps",
    "step_days",
    "min_full_weeks",
    "min_people",
    "max_age_days",
    "days_before",
    "min_answers",
    "days",
    "points",
    "min_rated",
    "min_baseline_rated",
)


def thresholds(scope: Scope, rollout: Rollout) -> dict[str, dict[str, float]]:
    """rule -> {setting: value}: the defaults of RULES with the rollout's overrides."""
    found = {name: dict(rule.settings) for name, rule in RULES.items()}
    for row in scope.df("alert_settings", rollout_id=rollout.rollout_id).itertuples():
        if row.rule in found and row.setting in found[row.rule]:
            found[row.rule][row.setting] = float(row.value)
    return found


def set_threshold(
    scope: Scope, rollout: Rollout, rule: str, setting: str, value: float | None, now: datetime | None = None
) -> dict[str, float]:
    """Override one threshold of a rule for the rollout (value None: back to the default);
    'configure' only. Counts and days are whole numbers; shares and multiples are above 0."""
    scope.require("configure")
    rule = rule.strip().upper()
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}: one of {', '.join(RULES)}")
    if setting not in RULES[rule].settings:
        raise ValueError(f"{rule} has no setting {setting!r}: it has {', '.join(RULES[rule].settings)}")
    with scope.store.transaction("set a red-flag threshold", org_id=scope.org_id) as cur:
        if value is None:
            cur.execute(
                "DELETE FROM alert_settings WHERE org_id = ? AND rollout_id = ? AND rule = ? AND setting = ?",
                [scope.org_id, rollout.rollout_id, rule, setting],
            )
        else:
            value = float(value)
            if not math.isfinite(value) or value < 0 or (value == 0 and setting not in WHOLE_SETTINGS):
                raise ValueError(f"{rule}.{setting} is a number above 0")
            if setting in WHOLE_SETTINGS and value != int(value):
                raise ValueError(f"{rule}.{setting} is a whole number")
            if setting.startswith("share") and value > 1:
                raise ValueError(f"{rule}.{setting} is a share between 0 and 1 (e.g. 0.2)")
            cur.execute(
                "INSERT INTO alert_settings (rollout_id, org_id, rule, setting, value, set_by, set_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rollout_id, rule, setting) DO UPDATE SET "
                "value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at",
                [rollout.rollout_id, scope.org_id, rule, setting, value, scope.principal.name, now or datetime.now()],
            )
    return thresholds(scope, rollout)[rule]


def rule_title(rule: str) -> str:
    """How a rule is named on the pages, in the report pack and on the chart markers."""
    return RULES[rule].title if rule in RULES else rule.replace("_", " ").title()


def place(cohort: str | None, department: str | None, kind: str | None) -> str:
    """Where an alert holds, in words: its department, cohort, data kind or the whole rollout.
    Example: cohort wider -> "wider cohort"; kind tickets -> "ticket data"; none -> "whole rollout"."""
    if department:
        return department
    if cohort:
        return f"{cohort} cohort"
    if kind:
        return f"{'ticket' if kind == 'tickets' else kind} data"
    return "whole rollout"


def where(found) -> str:
    """place() of an Alert or a Finding."""
    return place(found.cohort, found.department, found.kind)
