"""What the rules read and what they give: a Finding per place, the data loaded once per
evaluation (RuleData), and the not_enough_data verdicts the rules share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from analysis import kpis, metrics, support
from analysis.alerts import record_inputs
from analysis.alerts.rules import thresholds
from analysis.orgs import Rollout
from analysis.scope import Scope
from analysis.words import day, pct

BOUND_DAYS = 90  # `since` looks back at most this far
_EPS = 1e-9


def below(a: float, b: float) -> bool:
    """a < b, with shares like 0.1 x 30 compared exactly (3 lapsed of 30 is 10 %, not less)."""
    return a < b - _EPS * max(1.0, abs(b))


def above(a: float, b: float) -> bool:
    return a > b + _EPS * max(1.0, abs(b))


def share_words(x: float) -> str:
    return "half" if x == 0.5 else pct(x)


@dataclass
class Finding:
    """One rule's verdict for one cohort / department / data kind as of a day."""

    rule: str
    status: str  # holds | not_enough_data | clear
    cohort: str | None = None
    department: str | None = None
    kind: str | None = None  # STALE_DATA: usage | tickets
    severity: str = "medium"
    message: str = ""
    evidence: dict = field(default_factory=dict)
    since: date | None = None

    @property
    def key(self) -> tuple:
        return (self.rule, self.cohort, self.department, self.kind)


@dataclass
class RuleData:
    """Everything the rules read, loaded once per evaluation (a handful of queries)."""

    rollout: Rollout
    d: date
    reference: date
    window: int
    settings: dict
    target: kpis.Target
    baseline: kpis.Baseline | None
    licensed_now: int
    cohorts: dict[str, date]
    per_day: dict[date, list[tuple]]  # day -> [(cohort, department, counts dict)]
    rolling: dict[tuple[str, date], float]  # (cohort, day) -> 7-day adoption
    weekly: dict[str, list[tuple[date, int]]]  # cohort -> [(week_start, active_users)]
    created: dict[date, int]  # day -> tickets created that day
    resolved_hours: dict[date, list[float]]  # day -> resolution hours of the tickets resolved that day
    backlog: dict[date, int]
    newest_usage: date | None
    newest_ticket: date | None
    oldest_ticket: date | None
    ticket_count: int
    unknowable: dict[str, str]  # figure -> why it is not computable (snapshots)
    readiness: list | None = None  # readiness.CohortReadiness per cohort; None: no readiness record loaded
    feedback: pd.DataFrame | None = None  # feedback.answers; None: no survey answer loaded
    kpi_points: pd.DataFrame | None = None  # kpis.custom.points; None: no KPI series loaded
    memo: dict = field(default_factory=dict)
    rated: dict[date, tuple[int, int]] = field(default_factory=dict)  # day resolved -> (rated, rated good)

    @property
    def rated_any(self) -> bool:
        """Whether any ticket in scope resolved by d carries a rating."""
        return any(n for n, _ in self.rated.values())

    @property
    def adoption_target(self) -> float:
        """The adoption target: always set (rollouts.target_adoption is NOT NULL, analysis/kpis/goals.py)."""
        if self.target.value is None:
            raise ValueError("the rollout has no adoption target")
        return self.target.value

    def cohort_counts(self, x: date) -> dict[str, dict]:
        key = ("cohorts", x)
        if key not in self.memo:
            sums: dict[str, dict] = {}
            for cohort, _, counts in self.per_day.get(x, []):
                total = sums.setdefault(cohort, dict.fromkeys(counts, 0))
                for k, v in counts.items():
                    total[k] += v
            self.memo[key] = sums
        return self.memo[key]

    def department_counts(self, x: date, min_age: int) -> dict[str, dict]:
        """Per department, the counts of its people in cohorts at least min_age days old on x."""
        key = ("departments", x, min_age)
        if key not in self.memo:
            sums: dict[str, dict] = {}
            for cohort, department, counts in self.per_day.get(x, []):
                go_live = self.cohorts.get(cohort)
                if go_live is None or (x - go_live).days < min_age:
                    continue
                total = sums.setdefault(department, dict.fromkeys(counts, 0))
                for k, v in counts.items():
                    total[k] += v
            self.memo[key] = sums
        return self.memo[key]


COUNT_COLUMNS = ("licensed_users", "active_users", "activated_users", "lapsed_users", "legacy_users")


def load(scope: Scope, rollout: Rollout, as_of: date | None, now: datetime) -> RuleData:
    fresh = metrics.freshness(scope, rollout)
    d = as_of or fresh["newest_usage_day"] or now.date()
    reference = as_of or now.date()
    window = rollout.window_days
    rules = thresholds(scope, rollout)
    goals = kpis.targets(scope, rollout)
    chosen = kpis.baseline(scope, rollout, None, d, window, curve=False)
    first = d - timedelta(days=BOUND_DAYS)
    series = scope.df("adoption_series", rollout_id=rollout.rollout_id, start=first, end=d, window_days=window)
    per_day: dict[date, list[tuple]] = {}
    for row in series.itertuples(index=False):
        day = pd.Timestamp(row.day).date()
        per_day.setdefault(day, []).append(
            (row.cohort, row.department, {c: int(getattr(row, c)) for c in COUNT_COLUMNS})
        )
    rolling_frame = metrics.rolling_adoption(scope, rollout, d)
    rolling = {(r.cohort, pd.Timestamp(r.day).date()): float(r.adoption) for r in rolling_frame.itertuples()}
    weekly_frame = metrics.weekly_active_users(scope, rollout, d)
    weekly: dict[str, list[tuple[date, int]]] = {}
    for r in weekly_frame.itertuples():
        weekly.setdefault(r.cohort, []).append((pd.Timestamp(r.week_start).date(), int(r.active_users)))
    # per day, not a row per ticket (1 M ticket rows: 200 k tickets)
    created: dict[date, int] = {}
    resolved_hours: dict[date, list[float]] = {}
    rated: dict[date, tuple[int, int]] = {}
    for day, n, hours, n_rated, n_good in scope.rows("ticket_days", rollout_id=rollout.rollout_id, as_of=d):
        created[day], resolved_hours[day], rated[day] = n, hours, (n_rated, n_good)
    steps = rules["BACKLOG_GROWING"]
    back = int(steps["steps"] * steps["step_days"])
    backlog_frame = support.backlog_by_day(scope, rollout, first - timedelta(days=back), d)
    backlog = {pd.Timestamp(r.day).date(): int(r.backlog) for r in backlog_frame.itertuples()}
    span = scope.df("ticket_span").iloc[0]
    licensed = int(scope.df("licensed_headcount", rollout_id=rollout.rollout_id, as_of=d)["licensed_users"].iloc[0])
    return RuleData(
        rollout,
        d,
        reference,
        window,
        rules,
        goals["adoption_rate"],
        chosen,
        licensed,
        dict(rollout.cohorts),
        per_day,
        rolling,
        weekly,
        created,
        resolved_hours,
        backlog,
        fresh["newest_usage_day"],
        fresh["newest_ticket_day"],
        None if pd.isna(span["oldest_ticket_day"]) else pd.Timestamp(span["oldest_ticket_day"]).date(),
        int(span["tickets"]),
        metrics.not_computable(scope, rollout),
        record_inputs.cohort_readiness(scope, rollout, rules),
        record_inputs.feedback_answers(scope, rollout),
        record_inputs.kpi_points(scope, rollout),
        rated=rated,
    )


def not_enough(rule: str, message: str, **where) -> Finding:
    return Finding(rule, "not_enough_data", message=message, **where)


def nobody_licensed(rule: str, cohort: str) -> Finding:
    return not_enough(rule, f"Nobody licensed is on the roster of the {cohort} cohort.", cohort=cohort)


def cohort_gate(
    data: RuleData, rule: str, cohort: str, x: date, counts: dict | None, min_age: int, why: str
) -> Finding | None:
    """The not_enough_data verdicts every cohort rule shares: no usage loaded, nobody licensed,
    not live yet, younger than min_age. None when the cohort can be judged."""
    go_live = data.cohorts[cohort]
    if data.newest_usage is None:
        return not_enough(rule, f"No usage data is loaded for this rollout: {cohort} cannot be judged.", cohort=cohort)
    if not counts or not counts["licensed_users"]:
        return nobody_licensed(rule, cohort)
    age = (x - go_live).days
    if age < 0:
        return not_enough(rule, f"The {cohort} cohort is not live yet (go-live {go_live}).", cohort=cohort)
    if age < min_age:
        return not_enough(
            rule,
            f"The {cohort} cohort is {age} days old: {why} from age {min_age} ({go_live + timedelta(days=min_age)}).",
            cohort=cohort,
        )
    return None


NO_BASELINE = "The rollout has no baseline window (no go-live and none set)."


def ticket_gate(data: RuleData, rule: str, minimum: float | None = None, figure: str = "tickets") -> Finding | None:
    """not_enough_data for a ticket rule: no tickets, no baseline window, ticket data starting after
    the baseline window opens, or fewer than `minimum` tickets (resolutions) in the baseline window."""
    b = data.baseline
    if data.ticket_count == 0:
        return not_enough(rule, "No tickets are loaded for this organisation.")
    if b is None:
        return not_enough(rule, NO_BASELINE)
    if not b.ticket_data_covers_window():
        start = b.figures.get("ticket_data_start")  # None: the baseline was measured with no tickets
        return not_enough(
            rule,
            f"The ticket data starts on {day(date.fromisoformat(start))}, after the baseline window ({b.name}) "
            f"opens on {day(b.start)}."
            if start
            else f"The baseline ({b.name}) was measured before any ticket was loaded.",
        )
    if minimum is not None:
        n = b.support_figure(figure) or 0
        if n < minimum:
            what = "tickets" if figure == "tickets" else "tickets resolved with a resolution time"
            return not_enough(
                rule,
                f"The baseline window ({b.name}, {day(b.start)} to {day(b.end)}) holds {n} {what}: fewer than "
                f"{int(minimum)}.",
            )
    if not data.licensed_now:
        return not_enough(rule, "Nobody licensed is on the rollout's roster.")
    return None
