"""The rest of Demo Co's story (issue 14 part 9), written by the seed (analysis/seed.py) after the
demo's files are loaded, through the same functions the pages call:

- the recovery: the plan's phases, then stabilise, re-design, re-enable and monitor from 7 September
  (the first drop-in sessions), each with success measures on the KPIs the recovery was meant to
  move, and a baseline "before recovery" locked on the three weeks of the failed landing;
- the root cause of the wider cohort's NOT_READY flag (5 Whys, fishbone) and three actions: one
  done with its outcome, one past its due date, one open;
- the post-mortem's five headings.

Figures quoted in the texts are the demo's own (tests/test_demo_story.py checks each against the
data). The dates are fixed, except the open action's due date: three weeks after the day the demo
is created, so that on any day it is open and not yet due, beside the one that is overdue.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from analysis import lessons, phases
from analysis.access import Principal
from analysis.alerts import actions
from analysis.kpis.baselines import lock_baseline
from analysis.orgs import Rollout
from analysis.scope import Scope, open_scope

ACCOUNT_MANAGER = Principal(name="Jo Reyes (account manager)", role="admin")
RECOVERY_STARTS = date(2026, 9, 7)  # the first recovery drop-in (data/demo/readiness.csv)
BASELINE = "before recovery"
LANDING = (date(2026, 8, 17), date(2026, 9, 6))  # the wider go-live to the day before the recovery
# Success measures per recovery phase: support first, then confidence, then use.
TARGETS = {
    "stabilise": {"tickets_per_100_users_7d": 10.0, "median_resolution_hours": 8.0},
    "re-design": {"tickets_per_100_users_7d": 6.0, "satisfaction": 0.75},
    "re-enable": {"adoption_rate": 0.75},
    "monitor": {"adoption_rate": 0.8, "tickets_per_100_users_7d": 6.0},
}
WHYS = [
    "Tickets more than doubled after the wider go-live and its confidence score was 2.1 of 5.",
    "People met the authenticator app on the day it became mandatory.",
    "The wider cohort had a go-live e-mail but no training before 17 August.",
    "The plan trained the champions only and assumed they would pass it on.",
    "No readiness check before a cohort's go-live was part of the plan.",
]
ROOT_CAUSE = "No training or set-up help for the wider cohort before go-live; SMS codes left on as a way round."
LESSONS = {
    "went_wrong": (
        "The wider cohort went live on 17 August with a go-live e-mail and no training. By 6 September "
        "tickets had reached 14.3 per 100 people a week (5.9 before go-live), the median resolution had "
        "doubled to 9.7 hours, satisfaction had fallen from 92% to 59% rated good, and the first survey "
        "scored 2.1 of 5 for 'I feel confident using MFA'."
    ),
    "why": (
        "Training and set-up help went to the champions only (22 of 25 trained before their go-live). "
        "The wider cohort met the authenticator app on the day it became mandatory, codes arriving late "
        "locked people out, and SMS codes stayed available as a way round."
    ),
    "what_we_did": (
        "From 7 September: drop-in sessions for the wider cohort (64 attended) and a Warehouse floor "
        "walk (18), then a recovery plan (stabilise, re-design, re-enable, monitor) judged against the "
        "baseline 'before recovery', locked on the three weeks of the failed landing."
    ),
    "learned": (
        "Support recovered: by 18 October tickets were back to 4.8 per 100 people a week and the median "
        "resolution to 5.4 hours. Use did not: adoption peaked at 78% on 20 September and slid to 65% by "
        "15 November as people went back to SMS codes, most in Warehouse and Sales."
    ),
    "recommend": (
        "Train every cohort before its go-live, not the champions only; announce the day the old way "
        "(SMS codes) is switched off and keep to it; plan floor walks for shift workers; keep the pulse "
        "survey running from the champions' go-live to the end of hypercare."
    ),
}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def write_story(scope: Scope, rollout: Rollout, today: date | None = None) -> None:
    """Phases with the recovery, the locked baseline, the root cause with its actions, the
    post-mortem: as the account manager would have recorded them, each on its own day."""
    scope = open_scope(scope.store, ACCOUNT_MANAGER, scope.org_id, "configure")
    lock_baseline(scope, rollout, BASELINE, *LANDING, as_of=LANDING[1], now=_at(RECOVERY_STARTS, 9))
    plan = phases.start_recovery(scope, rollout, RECOVERY_STARTS, now=_at(RECOVERY_STARTS, 9))
    for phase in plan:
        phase.targets = dict(TARGETS.get(phase.name, {}))
    phases.save_plan(scope, rollout, plan, now=_at(RECOVERY_STARTS, 9))

    actions.save_root_cause(
        scope, rollout, "NOT_READY", WHYS, ["people", "process", "technology"], ROOT_CAUSE, now=_at(date(2026, 9, 4))
    )
    drop_ins = actions.add_action(
        scope,
        rollout,
        "NOT_READY",
        "Drop-in set-up sessions for the wider cohort",
        "Sam Patel (service desk lead)",
        date(2026, 9, 11),
        now=_at(date(2026, 9, 4)),
    )
    actions.update_action(
        scope,
        drop_ins,
        "done",
        "64 people attended; tickets per 100 a week fell from 14.3 to 8.5 by 20 September",
        now=_at(date(2026, 9, 21)),
    )
    actions.add_action(
        scope,
        rollout,
        "NOT_READY",
        "Warehouse: set up the app on every shared-shift worker's phone",
        "Dan Okafor (warehouse manager)",
        date(2026, 11, 6),
        now=_at(date(2026, 10, 19)),
    )
    actions.add_action(
        scope,
        rollout,
        "NOT_READY",
        "Announce the day SMS codes are switched off, then switch them off",
        "Sam Patel (service desk lead)",
        (today or date.today()) + timedelta(days=21),
        now=_at(date(2026, 11, 13)),
    )
    lessons.save(scope, rollout, LESSONS, now=_at(date(2026, 11, 13), 16))
