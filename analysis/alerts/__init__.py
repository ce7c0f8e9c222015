"""Red-flag rules (docs/metrics.md#red-flag-rules) and alert states.

Each rule is evaluated as of d (default: the newest usage day of the rollout), with the rollout's
own window (not the one someone is viewing), its selected baseline (analysis.kpis) and its
thresholds: every threshold is a per-rollout setting (alert_settings) with the documented default
of RULES. The adoption target and its due age come from the rollout's KPI targets.

A rule gives, for each cohort, department or data kind it watches, one of:
- holds: the alert fires, with a severity (medium unless the rule says when it is high), a
  message, its evidence figures, and `since`: the first day of the current run of days on which
  it held, found by evaluating the rule back in time day by day (at most 90 days back; every day
  uses today's roster and settings);
- not_enough_data: the rule lacks the data it needs (no usage or no tickets loaded, no baseline
  window, ticket data starting after the baseline window opens, fewer than 5 tickets in the
  baseline window, a cohort not live yet or younger than the age the rule needs): said, never
  silently passed; `since` is None;
- clear: it does not hold, and is left out of the list.

Departments: LOW_ADOPTION, LAPSING and WORKAROUNDS are evaluated per department too, over the
department's people in cohorts old enough for the rule (LOW_ADOPTION: the target's due age;
LAPSING: the window; WORKAROUNDS: 14 days); a department with fewer than 5 such people
(min_department_people) is left to its cohort's alert, as small groups are folded elsewhere.

States (evaluate_alerts records them, with the history, in alerts and alert_events):
firing -> acknowledged (by a provider role, with a note) or snoozed (until a date: firing again
from that date if it still holds) -> resolved (it no longer holds; a recurrence opens a new
alert). not_enough_data while it cannot be judged. An acknowledged or snoozed alert whose
severity rises from medium to high fires again (escalated).

Where each part lives: rules.py (the rule table, thresholds, titles), inputs.py (what the rules
read), adoption_rules.py and support_rules.py (the evaluators), evaluate.py (verdicts with
`since`), state.py (alerts and their states), store.py (the stored alerts, acknowledgements,
snoozes and history), verdict_cache.py (the verdicts the recording evaluation keeps per data
version, which a read at the same key reuses).
"""

from analysis.alerts.evaluate import findings
from analysis.alerts.inputs import BOUND_DAYS, Finding
from analysis.alerts.rules import (
    RULES,
    WHOLE_SETTINGS,
    Rule,
    place,
    rule_title,
    set_threshold,
    thresholds,
    where,
)
from analysis.alerts.state import (
    CONTRACT_KEYS,
    OPEN_STATES,
    STATE_ORDER,
    Alert,
    alerts_frame,
    evaluate_alerts,
    red_flag_counts,
)
from analysis.alerts.store import (
    acknowledge_alert,
    alert_history,
    alerts_version,
    snooze_alert,
    stored_alerts,
)

__all__ = [
    "BOUND_DAYS",
    "CONTRACT_KEYS",
    "OPEN_STATES",
    "RULES",
    "STATE_ORDER",
    "WHOLE_SETTINGS",
    "Alert",
    "Finding",
    "Rule",
    "acknowledge_alert",
    "alert_history",
    "alerts_frame",
    "alerts_version",
    "evaluate_alerts",
    "findings",
    "place",
    "red_flag_counts",
    "rule_title",
    "set_threshold",
    "snooze_alert",
    "stored_alerts",
    "thresholds",
    "where",
]
