"""Red-flag rules (METRICS.md section 5) and alert states.

Each rule is evaluated as of d (default: the newest usage day of the rollout), with the rollout's
own window (not the one someone is viewing), its selected baseline (analysis.baselines) and its
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
"""
from __future__ import annotations

import bisect
import json
import math
import statistics
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from analysis import kpis, metrics, support
from analysis.orgs import Rollout
from analysis.scope import Scope

BOUND_DAYS = 90          # `since` looks back at most this far
_EPS = 1e-9


@dataclass(frozen=True)
class Rule:
    name: str
    fires_when: str
    action: str
    per: str                       # what it is evaluated for
    settings: dict[str, float]     # threshold -> default


RULES: dict[str, Rule] = {r.name: r for r in (
    Rule("LOW_ADOPTION",
         "a cohort (and a department) whose age is at least the target's due age has adoption_rate < the target "
         "(high if < half the target)",
         "Targeted training; champions in that department.", "cohort, department",
         {"high_share_of_target": 0.5, "min_department_people": 5}),
    Rule("CHAMPION_GAP",
         "at the cohort's age k = d - g(c) >= 7: its adoption_by_age(k) < 70 % of the champions' adoption_by_age(k)",
         "Champions share their experience; look at what champions got that others did not.", "cohort",
         {"min_age_days": 7, "share_of_champion": 0.7}),
    Rule("PILOT_NOT_READY",
         "before the wider go-live, with champions >= 14 days past their go-live: champion adoption_rate < target",
         "Delay or stage the wider rollout.", "champion cohort",
         {"min_champion_age_days": 14}),
    Rule("TICKET_SPIKE",
         "tickets_per_100_users_7d > 2 x the baseline's tickets per 100 people per 7 days, and >= 5 tickets in those "
         "7 days (high above 4 x)",
         "Extra floor support; FAQ of the top categories.", "rollout",
         {"multiple": 2.0, "high_multiple": 4.0, "min_tickets": 5, "min_baseline_tickets": 5}),
    Rule("SLOW_RESOLUTION",
         "median resolution hours over the window > 1.5 x the baseline's, with >= 5 tickets resolved in the window",
         "Staffing and escalation review.", "rollout",
         {"multiple": 1.5, "min_resolved": 5, "min_baseline_resolved": 5}),
    Rule("BACKLOG_GROWING",
         "the backlog at the end of days d-28, d-21, d-14, d-7, d rises at every step",
         "Stabilise before further rollout.", "rollout",
         {"steps": 4, "step_days": 7}),
    Rule("DECLINING_USAGE",
         "with >= 3 full ISO weeks since go-live: weekly active people in the last full week < 80 % of the highest "
         "full week since go-live",
         "Find out why; re-engage.", "cohort",
         {"min_full_weeks": 3, "share_of_peak": 0.8}),
    Rule("LAPSING",
         "lapsed_users >= 10 % of activated_users, and >= 5 people",
         "Follow up with the lapsed people by name.", "cohort, department",
         {"share_of_activated": 0.1, "min_people": 5, "min_department_people": 5}),
    Rule("WORKAROUNDS",
         "d - g(c) >= 14 and legacy_users >= 20 % of licensed_users",
         "Remove the old path; explain why.", "cohort, department",
         {"min_age_days": 14, "share_of_licensed": 0.2, "min_department_people": 5}),
    Rule("STALE_DATA",
         "for usage and for tickets separately: the newest date (usage day; ticket created or updated) is more than "
         "14 days before the as-of date given, or before today when none is given",
         "Upload a fresh export.", "usage, tickets",
         {"max_age_days": 14}),
)}
WHOLE_SETTINGS = ("min_department_people", "min_age_days", "min_champion_age_days", "min_tickets",
                  "min_baseline_tickets", "min_resolved", "min_baseline_resolved", "steps", "step_days",
                  "min_full_weeks", "min_people", "max_age_days")
OPEN_STATES = ("firing", "acknowledged", "snoozed", "not_enough_data")
STATE_ORDER = {s: i for i, s in enumerate(OPEN_STATES)}
CONTRACT_KEYS = ("rule", "severity", "cohort", "department", "state", "since", "message", "evidence", "action")


def _lt(a: float, b: float) -> bool:
    """a < b, with shares like 0.1 x 30 compared exactly (3 lapsed of 30 is 10 %, not less)."""
    return a < b - _EPS * max(1.0, abs(b))


def _gt(a: float, b: float) -> bool:
    return a > b + _EPS * max(1.0, abs(b))


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


# -- thresholds ----------------------------------------------------------------------------------------

def _share_words(x: float) -> str:
    return "half" if x == 0.5 else _pct(x)


def thresholds(scope: Scope, rollout: Rollout) -> dict[str, dict[str, float]]:
    """rule -> {setting: value}: the defaults of RULES with the rollout's overrides."""
    found = {name: dict(rule.settings) for name, rule in RULES.items()}
    for row in scope.df("alert_settings", rollout_id=rollout.rollout_id).itertuples():
        if row.rule in found and row.setting in found[row.rule]:
            found[row.rule][row.setting] = float(row.value)
    return found


def set_threshold(scope: Scope, rollout: Rollout, rule: str, setting: str, value: float | None,
                  now: datetime | None = None) -> dict[str, float]:
    """Override one threshold of a rule for the rollout (value None: back to the default);
    'configure' only. Counts and days are whole numbers; shares and multiples are above 0."""
    scope.require("configure")
    rule = rule.strip().upper()
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}: one of {', '.join(RULES)}")
    if setting not in RULES[rule].settings:
        raise ValueError(f"{rule} has no setting {setting!r}: it has {', '.join(RULES[rule].settings)}")
    with scope.store.transaction() as cur:
        if value is None:
            cur.execute("DELETE FROM alert_settings WHERE org_id = ? AND rollout_id = ? AND rule = ? AND setting = ?",
                        [scope.org_id, rollout.rollout_id, rule, setting])
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
                [rollout.rollout_id, scope.org_id, rule, setting, value, scope.principal.name, now or datetime.now()])
    return thresholds(scope, rollout)[rule]


# -- evaluation ------------------------------------------------------------------------------------------

@dataclass
class Finding:
    """One rule's verdict for one cohort / department / data kind as of a day."""
    rule: str
    status: str                      # holds | not_enough_data | clear
    cohort: str | None = None
    department: str | None = None
    kind: str | None = None          # STALE_DATA: usage | tickets
    severity: str = "medium"
    message: str = ""
    evidence: dict = field(default_factory=dict)
    since: date | None = None

    @property
    def key(self) -> tuple:
        return (self.rule, self.cohort, self.department, self.kind)


@dataclass
class _Data:
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
    per_day: dict[date, list[tuple]]              # day -> [(cohort, department, counts dict)]
    rolling: dict[tuple[str, date], float]        # (cohort, day) -> 7-day adoption
    weekly: dict[str, list[tuple[date, int]]]     # cohort -> [(week_start, active_users)]
    created_days: list[date]
    resolutions: list[tuple[date, float]]         # (resolved day, hours), sorted
    backlog: dict[date, int]
    newest_usage: date | None
    newest_ticket: date | None
    oldest_ticket: date | None
    ticket_count: int
    unknowable: dict[str, str]                  # figure -> why it is not computable (snapshots)
    memo: dict = field(default_factory=dict)

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


def _load(scope: Scope, rollout: Rollout, as_of: date | None, now: datetime) -> _Data:
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
            (row.cohort, row.department, {c: int(getattr(row, c)) for c in COUNT_COLUMNS}))
    rolling_frame = metrics.rolling_adoption(scope, rollout, d)
    rolling = {(r.cohort, pd.Timestamp(r.day).date()): float(r.adoption) for r in rolling_frame.itertuples()}
    weekly_frame = metrics.weekly_active_users(scope, rollout, d)
    weekly: dict[str, list[tuple[date, int]]] = {}
    for r in weekly_frame.itertuples():
        weekly.setdefault(r.cohort, []).append((pd.Timestamp(r.week_start).date(), int(r.active_users)))
    tickets = support.tickets(scope, rollout, date(1900, 1, 1), d)
    created_days = sorted(pd.Timestamp(t).date() for t in tickets["created_at"])
    resolutions = sorted((pd.Timestamp(r.resolved_at).date(), float(r.resolution_hours))
                         for r in tickets.itertuples() if not pd.isna(r.resolution_hours))
    steps = rules["BACKLOG_GROWING"]
    back = int(steps["steps"] * steps["step_days"])
    backlog_frame = support.backlog_by_day(scope, rollout, first - timedelta(days=back), d)
    backlog = {pd.Timestamp(r.day).date(): int(r.backlog) for r in backlog_frame.itertuples()}
    span = scope.df("ticket_span").iloc[0]
    licensed = int(scope.df("licensed_headcount", rollout_id=rollout.rollout_id)["licensed_users"].iloc[0])
    return _Data(rollout, d, reference, window, rules, goals["adoption_rate"], chosen, licensed,
                 dict(rollout.cohorts), per_day, rolling, weekly, created_days, resolutions, backlog,
                 fresh["newest_usage_day"], fresh["newest_ticket_day"],
                 None if pd.isna(span["oldest_ticket_day"]) else pd.Timestamp(span["oldest_ticket_day"]).date(),
                 int(span["tickets"]), metrics.not_computable(scope, rollout))


def _ned(rule: str, message: str, **where) -> Finding:
    return Finding(rule, "not_enough_data", message=message, **where)


def _cohort_gate(data: _Data, rule: str, cohort: str, x: date, counts: dict | None, min_age: int,
                 why: str) -> Finding | None:
    """The not_enough_data verdicts every cohort rule shares: no usage loaded, nobody licensed,
    not live yet, younger than min_age. None when the cohort can be judged."""
    go_live = data.cohorts[cohort]
    if data.newest_usage is None:
        return _ned(rule, f"No usage data is loaded for this rollout: {cohort} cannot be judged.", cohort=cohort)
    if not counts or not counts["licensed_users"]:
        return _ned(rule, f"Nobody licensed is on the roster of the {cohort} cohort.", cohort=cohort)
    age = (x - go_live).days
    if age < 0:
        return _ned(rule, f"The {cohort} cohort is not live yet (go-live {go_live}).", cohort=cohort)
    if age < min_age:
        return _ned(rule, f"The {cohort} cohort is {age} days old: {why} from age {min_age} "
                          f"({go_live + timedelta(days=min_age)}).", cohort=cohort)
    return None


def _low_adoption(data: _Data, x: date) -> list[Finding]:
    s, target, age_due = data.settings["LOW_ADOPTION"], data.target.value, data.target.due_age_days
    out = []

    def judge(counts: dict, **where) -> Finding:
        rate = counts["active_users"] / counts["licensed_users"]
        evidence = {"adoption_rate": rate, "active_users": counts["active_users"],
                    "licensed_users": counts["licensed_users"], "target": target, "target_age_days": age_due,
                    "window_days": data.window, "high_below": s["high_share_of_target"] * target}
        if not _lt(rate, target):
            return Finding("LOW_ADOPTION", "clear", evidence=evidence, **where)
        high = _lt(rate, s["high_share_of_target"] * target)
        who = f"The {where['cohort']} cohort" if where.get("cohort") else where["department"]
        message = (f"{who}: {_pct(rate)} adoption ({counts['active_users']} of {counts['licensed_users']} licensed "
                   f"people active in the last {data.window} days), below the {_pct(target)} target"
                   + (f" - under {_share_words(s['high_share_of_target'])} of it." if high else "."))
        return Finding("LOW_ADOPTION", "holds", severity="high" if high else "medium", message=message,
                       evidence=evidence, **where)

    by_cohort = data.cohort_counts(x)
    for cohort, go_live in data.cohorts.items():
        counts = by_cohort.get(cohort)
        gate = _cohort_gate(data, "LOW_ADOPTION", cohort, x, counts, age_due, "adoption is judged against the target")
        if gate:
            out.append(gate)
            continue
        found = judge(counts, cohort=cohort)
        found.evidence["age_days"] = (x - go_live).days
        out.append(found)
    if data.newest_usage is not None:
        for department, counts in sorted(data.department_counts(x, age_due).items()):
            if counts["licensed_users"] >= s["min_department_people"]:
                out.append(judge(counts, department=department))
    return out


def _champion_gap(data: _Data, x: date) -> list[Finding]:
    s = data.settings["CHAMPION_GAP"]
    champion = data.cohorts.get("champion")
    if champion is None:
        return []
    out = []
    by_cohort = data.cohort_counts(x)
    for cohort, go_live in data.cohorts.items():
        if cohort == "champion" or go_live < champion:
            continue
        gate = _cohort_gate(data, "CHAMPION_GAP", cohort, x, by_cohort.get(cohort), int(s["min_age_days"]),
                            "the comparison with the champions starts")
        if gate is None and not (by_cohort.get("champion") or {}).get("licensed_users"):
            gate = _ned("CHAMPION_GAP", "Nobody licensed is on the roster of the champion cohort.", cohort=cohort)
        if gate:
            out.append(gate)
            continue
        k = (x - go_live).days
        mine = data.rolling.get((cohort, x), 0.0)
        theirs = data.rolling.get(("champion", champion + timedelta(days=k)), 0.0)
        evidence = {"age_days": k, "adoption_by_age": mine, "champion_adoption_by_age": theirs,
                    "share_of_champion": mine / theirs if theirs else None,
                    "threshold_share": s["share_of_champion"]}
        if _lt(mine, s["share_of_champion"] * theirs):
            out.append(Finding("CHAMPION_GAP", "holds", cohort=cohort, evidence=evidence, message=(
                f"At age {k} days the {cohort} cohort's 7-day adoption is {_pct(mine)}, against {_pct(theirs)} for "
                f"the champions at the same age (under {_pct(s['share_of_champion'])} of theirs).")))
        else:
            out.append(Finding("CHAMPION_GAP", "clear", cohort=cohort, evidence=evidence))
    return out


def _pilot_not_ready(data: _Data, x: date) -> list[Finding]:
    s = data.settings["PILOT_NOT_READY"]
    champion = data.cohorts.get("champion")
    others = [g for c, g in data.cohorts.items() if c != "champion"]
    if champion is None or not others:
        return []
    wider = min(others)
    if x >= wider:
        return [Finding("PILOT_NOT_READY", "clear", cohort="champion")]
    counts = data.cohort_counts(x).get("champion")
    gate = _cohort_gate(data, "PILOT_NOT_READY", "champion", x, counts, int(s["min_champion_age_days"]),
                        "the pilot is judged")
    if gate:
        return [gate]
    rate = counts["active_users"] / counts["licensed_users"]
    target = data.target.value
    evidence = {"adoption_rate": rate, "active_users": counts["active_users"],
                "licensed_users": counts["licensed_users"], "target": target, "champion_age_days": (x - champion).days,
                "wider_go_live": wider.isoformat(), "days_to_wider_go_live": (wider - x).days}
    if not _lt(rate, target):
        return [Finding("PILOT_NOT_READY", "clear", cohort="champion", evidence=evidence)]
    return [Finding("PILOT_NOT_READY", "holds", cohort="champion", evidence=evidence, message=(
        f"The champions are at {_pct(rate)} adoption after {(x - champion).days} days, below the {_pct(target)} "
        f"target, and the wider go-live is on {wider} ({(wider - x).days} days away)."))]


def _ticket_gate(data: _Data, rule: str, minimum: float | None = None, figure: str = "tickets") -> Finding | None:
    """not_enough_data for a ticket rule: no tickets, no baseline window, ticket data starting after
    the baseline window opens, or fewer than `minimum` tickets (resolutions) in the baseline window."""
    b = data.baseline
    if data.ticket_count == 0:
        return _ned(rule, "No tickets are loaded for this organisation.")
    if b is None:
        return _ned(rule, "The rollout has no baseline window (no go-live and none set).")
    if not b.ticket_data_covers_window():
        return _ned(rule, f"The ticket data starts on {b.figures.get('ticket_data_start')}, after the baseline "
                          f"window ({b.name}) opens on {b.start}.")
    if minimum is not None:
        n = b.support_figure(figure) or 0
        if n < minimum:
            what = "tickets" if figure == "tickets" else "tickets resolved with a resolution time"
            return _ned(rule, f"The baseline window ({b.name}, {b.start} .. {b.end}) holds {n} {what}: "
                              f"fewer than {int(minimum)}.")
    if not data.licensed_now:
        return _ned(rule, "Nobody licensed is on the rollout's roster.")
    return None


def _ticket_spike(data: _Data, x: date) -> list[Finding]:
    s = data.settings["TICKET_SPIKE"]
    gate = _ticket_gate(data, "TICKET_SPIKE", s["min_baseline_tickets"])
    if gate:
        return [gate]
    base = data.baseline.tickets_per_100_users_7d(data.licensed_now)
    lo = bisect.bisect_left(data.created_days, x - timedelta(days=6))
    n = bisect.bisect_right(data.created_days, x) - lo
    rate = 100 * n / data.licensed_now
    evidence = {"tickets_7d": n, "licensed_users": data.licensed_now, "tickets_per_100_users_7d": rate,
                "baseline_tickets_per_100_users_7d": base, "ratio": rate / base if base else None,
                "baseline": data.baseline.name, "baseline_tickets": data.baseline.support_figure("tickets"),
                "baseline_days": data.baseline.days, "multiple": s["multiple"], "high_multiple": s["high_multiple"]}
    if not (_gt(rate, s["multiple"] * base) and n >= s["min_tickets"]):
        return [Finding("TICKET_SPIKE", "clear", evidence=evidence)]
    high = _gt(rate, s["high_multiple"] * base)
    return [Finding("TICKET_SPIKE", "holds", severity="high" if high else "medium", evidence=evidence, message=(
        f"{n} tickets in the 7 days to {x}: {rate:.1f} per 100 people, {rate / base:.1f} x the baseline's "
        f"{base:.1f}."))]


def _slow_resolution(data: _Data, x: date) -> list[Finding]:
    s = data.settings["SLOW_RESOLUTION"]
    gate = _ticket_gate(data, "SLOW_RESOLUTION", s["min_baseline_resolved"], "timed_resolutions")
    if gate:
        return [gate]
    base = data.baseline.support_figure("median_resolution_hours")
    days = [r[0] for r in data.resolutions]
    lo = bisect.bisect_left(days, x - timedelta(days=data.window - 1))
    hours = [h for _, h in data.resolutions[lo:bisect.bisect_right(days, x)]]
    median = statistics.median(hours) if hours else None
    evidence = {"median_resolution_hours": median, "resolved_tickets": len(hours), "window_days": data.window,
                "baseline_median_resolution_hours": base, "baseline": data.baseline.name,
                "ratio": median / base if median is not None and base else None, "multiple": s["multiple"]}
    if median is None or len(hours) < s["min_resolved"] or not _gt(median, s["multiple"] * base):
        return [Finding("SLOW_RESOLUTION", "clear", evidence=evidence)]
    return [Finding("SLOW_RESOLUTION", "holds", evidence=evidence, message=(
        f"Median resolution {median:.1f} h over the {len(hours)} tickets resolved in the {data.window} days to {x}, "
        f"against {base:.1f} h in the baseline."))]


def _backlog_growing(data: _Data, x: date) -> list[Finding]:
    s = data.settings["BACKLOG_GROWING"]
    steps, step = int(s["steps"]), int(s["step_days"])
    days = [x - timedelta(days=step * i) for i in range(steps, -1, -1)]
    if data.ticket_count == 0:
        return [_ned("BACKLOG_GROWING", "No tickets are loaded for this organisation.")]
    if data.oldest_ticket is None or data.oldest_ticket > days[0]:
        return [_ned("BACKLOG_GROWING", f"The ticket data starts on {data.oldest_ticket}, after {days[0]}, the "
                                        f"first of the days compared.")]
    values = [data.backlog.get(day, 0) for day in days]
    evidence = {"backlog_by_day": {day.isoformat(): v for day, v in zip(days, values)}}
    if all(a < b for a, b in zip(values, values[1:])):
        return [Finding("BACKLOG_GROWING", "holds", evidence=evidence, message=(
            "The backlog rose at every step: " + " -> ".join(str(v) for v in values)
            + f" open tickets at the end of {', '.join(day.strftime('%d %b') for day in days)}."))]
    return [Finding("BACKLOG_GROWING", "clear", evidence=evidence)]


def _declining_usage(data: _Data, x: date) -> list[Finding]:
    s = data.settings["DECLINING_USAGE"]
    need = int(s["min_full_weeks"])
    out = []
    by_cohort = data.cohort_counts(x)
    for cohort, go_live in data.cohorts.items():
        gate = _cohort_gate(data, "DECLINING_USAGE", cohort, x, by_cohort.get(cohort), 0, "")
        if gate is None and "DECLINING_USAGE" in data.unknowable:
            gate = _ned("DECLINING_USAGE", data.unknowable["DECLINING_USAGE"], cohort=cohort)
        full = [(w, n) for w, n in data.weekly.get(cohort, []) if w >= go_live and w + timedelta(days=6) <= x]
        if gate is None and len(full) < need:
            first = go_live + timedelta(days=(7 - go_live.weekday()) % 7)   # the first Monday on or after go-live
            gate = _ned("DECLINING_USAGE", f"The {cohort} cohort has {len(full)} full ISO weeks since go-live: "
                                           f"judged after {need} (from {first + timedelta(days=7 * need - 1)}).",
                        cohort=cohort)
        if gate:
            out.append(gate)
            continue
        last_week, last = full[-1]
        peak_week, peak = max(full, key=lambda item: (item[1], item[0]))
        evidence = {"last_week_start": last_week.isoformat(), "weekly_active_users": last,
                    "peak_week_start": peak_week.isoformat(), "peak_weekly_active_users": peak,
                    "share_of_peak": last / peak if peak else None, "full_weeks": len(full),
                    "threshold_share": s["share_of_peak"]}
        if peak and _lt(last, s["share_of_peak"] * peak):
            out.append(Finding("DECLINING_USAGE", "holds", cohort=cohort, evidence=evidence, message=(
                f"The {cohort} cohort had {last} weekly active people in the week of {last_week}, "
                f"{_pct(last / peak)} of its best week ({peak}, week of {peak_week}).")))
        else:
            out.append(Finding("DECLINING_USAGE", "clear", cohort=cohort, evidence=evidence))
    return out


def _lapsing(data: _Data, x: date) -> list[Finding]:
    s = data.settings["LAPSING"]
    out = []

    def judge(counts: dict, **where) -> Finding:
        lapsed, activated = counts["lapsed_users"], counts["activated_users"]
        evidence = {"lapsed_users": lapsed, "activated_users": activated,
                    "share_of_activated": lapsed / activated if activated else None,
                    "licensed_users": counts["licensed_users"], "window_days": data.window,
                    "threshold_share": s["share_of_activated"]}
        if activated and not _lt(lapsed, s["share_of_activated"] * activated) and lapsed >= s["min_people"]:
            who = f"The {where['cohort']} cohort" if where.get("cohort") else where["department"]
            return Finding("LAPSING", "holds", evidence=evidence, message=(
                f"{who}: {lapsed} of {activated} activated people ({_pct(lapsed / activated)}) used it before and "
                f"not in the last {data.window} days."), **where)
        return Finding("LAPSING", "clear", evidence=evidence, **where)

    by_cohort = data.cohort_counts(x)
    for cohort in data.cohorts:
        gate = _cohort_gate(data, "LAPSING", cohort, x, by_cohort.get(cohort), data.window,
                            "people can lapse (a use, then none in the window)")
        out.append(gate or judge(by_cohort[cohort], cohort=cohort))
    if data.newest_usage is not None:
        for department, counts in sorted(data.department_counts(x, data.window).items()):
            if counts["licensed_users"] >= s["min_department_people"]:
                out.append(judge(counts, department=department))
    return out


def _workarounds(data: _Data, x: date) -> list[Finding]:
    s = data.settings["WORKAROUNDS"]
    if not data.rollout.legacy_activities:
        return [_ned("WORKAROUNDS", "The rollout names no legacy activity (the old way), so workarounds cannot be "
                                    "seen: set one on the Settings page (or `rollout set --legacy`).")]
    min_age = int(s["min_age_days"])
    out = []

    def judge(counts: dict, **where) -> Finding:
        legacy, licensed = counts["legacy_users"], counts["licensed_users"]
        evidence = {"legacy_users": legacy, "licensed_users": licensed, "share_of_licensed": legacy / licensed,
                    "legacy_activities": list(data.rollout.legacy_activities),
                    "threshold_share": s["share_of_licensed"]}
        if not _lt(legacy, s["share_of_licensed"] * licensed) and legacy > 0:
            who = f"The {where['cohort']} cohort" if where.get("cohort") else where["department"]
            return Finding("WORKAROUNDS", "holds", evidence=evidence, message=(
                f"{who}: {legacy} of {licensed} licensed people ({_pct(legacy / licensed)}) used the old way ("
                f"{', '.join(data.rollout.legacy_activities)}) in the last 14 days."), **where)
        return Finding("WORKAROUNDS", "clear", evidence=evidence, **where)

    by_cohort = data.cohort_counts(x)
    for cohort, go_live in data.cohorts.items():
        gate = _cohort_gate(data, "WORKAROUNDS", cohort, x, by_cohort.get(cohort), min_age,
                            "the old way is watched")
        if gate:
            out.append(gate)
            continue
        found = judge(by_cohort[cohort], cohort=cohort)
        found.evidence["age_days"] = (x - go_live).days
        out.append(found)
    if data.newest_usage is not None:
        for department, counts in sorted(data.department_counts(x, min_age).items()):
            if counts["licensed_users"] >= s["min_department_people"]:
                out.append(judge(counts, department=department))
    return out


def _stale_data(data: _Data) -> list[Finding]:
    limit = int(data.settings["STALE_DATA"]["max_age_days"])
    out = []
    for kind, newest in (("usage", data.newest_usage), ("tickets", data.newest_ticket)):
        if newest is None:
            out.append(_ned("STALE_DATA", f"No {'ticket' if kind == 'tickets' else kind} data is loaded.", kind=kind))
            continue
        age = (data.reference - newest).days
        evidence = {"kind": kind, "newest_day": newest.isoformat(), "reference_day": data.reference.isoformat(),
                    "days_old": age, "max_age_days": limit}
        if age > limit:
            out.append(Finding("STALE_DATA", "holds", kind=kind, evidence=evidence,
                               since=newest + timedelta(days=limit + 1), message=(
                                   f"The newest {kind} data is from {newest}, {age} days before {data.reference}.")))
        else:
            out.append(Finding("STALE_DATA", "clear", kind=kind, evidence=evidence))
    return out


EVALUATORS = {"LOW_ADOPTION": _low_adoption, "CHAMPION_GAP": _champion_gap, "PILOT_NOT_READY": _pilot_not_ready,
              "TICKET_SPIKE": _ticket_spike, "SLOW_RESOLUTION": _slow_resolution,
              "BACKLOG_GROWING": _backlog_growing, "DECLINING_USAGE": _declining_usage, "LAPSING": _lapsing,
              "WORKAROUNDS": _workarounds}


def _with_since(data: _Data, evaluate) -> list[Finding]:
    """The verdicts as of d, each holding one with `since`: the first day of its current run of
    days on which it held (evaluated back day by day, at most BOUND_DAYS)."""
    now = evaluate(data, data.d)
    held = {f.key: data.d for f in now if f.status == "holds"}
    pending = set(held)
    x = data.d - timedelta(days=1)
    while pending and x >= data.d - timedelta(days=BOUND_DAYS):
        then = {f.key: f for f in evaluate(data, x)}
        for key in list(pending):
            if key in then and then[key].status == "holds":
                held[key] = x
            else:
                pending.discard(key)
        x -= timedelta(days=1)
    for f in now:
        if f.status == "holds":
            f.since = held[f.key]
    return now


def findings(scope: Scope, rollout: Rollout, as_of: date | None = None, now: datetime | None = None) -> list[Finding]:
    """Every rule's verdicts for the rollout as of d (clear ones included), in RULES order; no
    writes. as_of None: d is the newest usage day and STALE_DATA compares with today (now)."""
    data = _load(scope, rollout, as_of, now or datetime.now())
    found = []
    for name in RULES:
        found.extend(_stale_data(data) if name == "STALE_DATA" else _with_since(data, EVALUATORS[name]))
    return found


# -- alerts and their states ---------------------------------------------------------------------------

@dataclass
class Alert:
    """One alert as the pages and `kpis --json` show it (resolved ones live in the history)."""
    rule: str
    severity: str
    cohort: str | None
    department: str | None
    state: str
    since: date | None
    message: str
    evidence: dict
    action: str
    kind: str | None = None
    alert_id: int | None = None
    rollout: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    note: str | None = None
    snoozed_until: date | None = None

    def as_json(self, contract: bool = False) -> dict:
        """The alert of METRICS.md section 6 (contract=True: exactly its nine keys), or with the
        id, rollout, kind, acknowledgement and snooze added."""
        full = {"rule": self.rule, "severity": self.severity, "cohort": self.cohort, "department": self.department,
                "state": self.state, "since": self.since.isoformat() if self.since else None,
                "message": self.message, "evidence": self.evidence, "action": self.action}
        if contract:
            return full
        return {"id": self.alert_id, "rollout": self.rollout, **full, "kind": self.kind,
                "acknowledged_by": self.acknowledged_by,
                "acknowledged_at": self.acknowledged_at.isoformat(timespec="seconds") if self.acknowledged_at else None,
                "note": self.note, "snoozed_until": self.snoozed_until.isoformat() if self.snoozed_until else None}


def _value(v):
    if v is None or (not isinstance(v, (list, dict, str)) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def _stored(scope: Scope, rollout_id: int | None = None, alert_id: int | None = None,
            include_resolved: bool = False) -> list[dict]:
    frame = scope.df("stored_alerts", rollout_id=rollout_id, alert_id=alert_id, include_resolved=include_resolved)
    rows = []
    for record in frame.to_dict("records"):
        row = {k: _value(v) for k, v in record.items()}
        for k in ("since", "as_of", "snoozed_until"):
            if isinstance(row.get(k), datetime):
                row[k] = row[k].date()
        rows.append(row)
    return rows


def _key(row: dict) -> tuple:
    return (row["rule"], row["cohort"], row["department"], row["kind"])


def _state(found: Finding, row: dict | None, today: date) -> tuple[str, bool]:
    """The state a verdict takes given the stored alert: (state, escalated)."""
    if found.status == "not_enough_data":
        return "not_enough_data", False
    if row is None:
        return "firing", False
    held_before = row["state"] in ("acknowledged", "snoozed")
    if held_before and row["severity"] == "medium" and found.severity == "high":
        return "firing", True
    if row["snoozed_until"] and today < row["snoozed_until"]:
        return "snoozed", False
    if row["acknowledged_at"]:
        return "acknowledged", False
    return "firing", False


def _event(cur, alert_id: int, org_id: int, at: datetime, event: str, before: str | None, after: str, by: str,
           note: str | None = None, as_of: date | None = None, severity: str | None = None,
           evidence: dict | None = None) -> None:
    cur.execute("INSERT INTO alert_events (alert_id, org_id, event_at, event, from_state, to_state, by_name, note, "
                "as_of, severity, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [alert_id, org_id, at, event, before, after, by, note, as_of, severity,
                 json.dumps(evidence) if evidence is not None else None])


def _record(cur, scope: Scope, rollout: Rollout, found: Finding, row: dict | None, state: str, escalated: bool,
            now: datetime, d: date) -> int:
    evidence = json.dumps(found.evidence)
    action = RULES[found.rule].action
    if row is None:
        alert_id = cur.execute(
            "INSERT INTO alerts (org_id, rollout_id, rule, cohort, department, kind, state, severity, since, message, "
            "evidence, action, as_of, opened_at, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING alert_id",
            [scope.org_id, rollout.rollout_id, found.rule, found.cohort, found.department, found.kind, state,
             found.severity, found.since, found.message, evidence, action, d, now, now]).fetchall()[0][0]
        _event(cur, alert_id, scope.org_id, now, "fired" if state == "firing" else state, None, state, "system",
               found.message, d, found.severity, found.evidence)
        return alert_id
    alert_id = row["alert_id"]
    cur.execute("UPDATE alerts SET state = ?, severity = ?, since = ?, message = ?, evidence = ?, as_of = ?, "
                "evaluated_at = ? WHERE alert_id = ? AND org_id = ?",
                [state, found.severity, found.since, found.message, evidence, d, now, alert_id, scope.org_id])
    if escalated:
        cur.execute("UPDATE alerts SET acknowledged_by = NULL, acknowledged_at = NULL, snoozed_until = NULL, "
                    "snoozed_by = NULL WHERE alert_id = ? AND org_id = ?", [alert_id, scope.org_id])
        _event(cur, alert_id, scope.org_id, now, "escalated", row["state"], state, "system",
               "severity rose from medium to high", d, found.severity, found.evidence)
    elif state != row["state"]:
        event = {"not_enough_data": "not_enough_data"}.get(state) or (
            "snooze_ended" if row["state"] == "snoozed" and state == "firing" else "fired")
        _event(cur, alert_id, scope.org_id, now, event, row["state"], state, "system", found.message, d,
               found.severity, found.evidence)
    return alert_id


def _resolve(cur, scope: Scope, row: dict, now: datetime, d: date, note: str) -> None:
    cur.execute("UPDATE alerts SET state = 'resolved', resolved_at = ?, evaluated_at = ?, as_of = ? "
                "WHERE alert_id = ? AND org_id = ?", [now, now, d, row["alert_id"], scope.org_id])
    _event(cur, row["alert_id"], scope.org_id, now, "resolved", row["state"], "resolved", "system", note, d)


def evaluate_alerts(scope: Scope, rollout: Rollout, as_of: date | None = None, now: datetime | None = None,
                    record: bool | None = None) -> list[Alert]:
    """Recompute every rule for the rollout, record the transitions, and return the alerts that
    hold or cannot be judged (firing first, then acknowledged, snoozed, not_enough_data; high
    before medium; in RULES order).

    Recording (record None: only when as_of is None or on or after the newest usage day, so a look
    back at an older date never rewrites the history): a new verdict opens an alert (event
    `fired` or `not_enough_data`); a stored alert takes the verdict's state (acknowledged and
    snoozed stay so while it holds; a snooze ends on its date: `snooze_ended`; medium -> high
    fires again: `escalated`); an alert that no longer holds is `resolved`. now (default: the
    clock) dates the events and ends snoozes. With record False nothing is written, and states
    come from the stored alerts.
    """
    now = now or datetime.now()
    found = findings(scope, rollout, as_of, now)
    if record is None:
        newest = metrics.default_as_of(scope, rollout)
        record = as_of is None or newest is None or as_of >= newest
    d = as_of or metrics.default_as_of(scope, rollout) or now.date()
    result = []
    with (scope.store.transaction() if record else nullcontext()) as cur:
        stored = {_key(row): row for row in _stored(scope, rollout.rollout_id)}
        for f in found:
            row = stored.pop(f.key, None)
            if f.status == "clear":
                if row is not None and record:
                    _resolve(cur, scope, row, now, d, "the rule no longer holds")
                continue
            state, escalated = _state(f, row, now.date())
            alert_id = _record(cur, scope, rollout, f, row, state, escalated, now, d) if record else (
                row["alert_id"] if row else None)
            keep = row if row is not None and not escalated else {}
            result.append(Alert(f.rule, f.severity, f.cohort, f.department, state, f.since, f.message, f.evidence,
                                RULES[f.rule].action, f.kind, alert_id, rollout.name, keep.get("acknowledged_by"),
                                keep.get("acknowledged_at"), keep.get("note"),
                                keep.get("snoozed_until") if state == "snoozed" else None))
        if record:
            for row in stored.values():
                _resolve(cur, scope, row, now, d, "no longer evaluated (its cohort or department is gone)")
    order = list(RULES)
    result.sort(key=lambda a: (STATE_ORDER[a.state], a.severity != "high", order.index(a.rule),
                               a.cohort or "", a.department or "", a.kind or ""))
    return result


def _open_one(scope: Scope, alert_id: int) -> dict:
    rows = _stored(scope, alert_id=int(alert_id), include_resolved=True)
    if not rows:
        raise LookupError(f"no alert {alert_id} in this organisation (see `python -m analysis alerts --org ORG`)")
    row = rows[0]
    if row["state"] not in ("firing", "acknowledged", "snoozed"):
        raise ValueError(f"alert {alert_id} is {row['state'].replace('_', ' ')}: only a firing, acknowledged or "
                         "snoozed alert can be acknowledged or snoozed")
    return row


def acknowledge_alert(scope: Scope, alert_id: int, note: str, now: datetime | None = None) -> dict:
    """Acknowledge an open alert with a note (who and when are recorded); provider roles only
    ('configure'). It stays acknowledged while it holds, unless it escalates to high. Returns
    the stored alert."""
    scope.require("configure")
    note = " ".join((note or "").split())
    if not note:
        raise ValueError("an acknowledgement needs a note (what is being done about it)")
    if len(note) > 500:
        raise ValueError("keep the note to 500 characters")
    row = _open_one(scope, alert_id)
    now = now or datetime.now()
    with scope.store.transaction() as cur:
        cur.execute("UPDATE alerts SET state = 'acknowledged', acknowledged_by = ?, acknowledged_at = ?, note = ?, "
                    "snoozed_until = NULL, snoozed_by = NULL WHERE alert_id = ? AND org_id = ?",
                    [scope.principal.name, now, note, row["alert_id"], scope.org_id])
        _event(cur, row["alert_id"], scope.org_id, now, "acknowledged", row["state"], "acknowledged",
               scope.principal.name, note)
    return _stored(scope, alert_id=row["alert_id"], include_resolved=True)[0]


def snooze_alert(scope: Scope, alert_id: int, until: date, note: str | None = None,
                 now: datetime | None = None) -> dict:
    """Snooze an open alert until a date (at most a year ahead): from that date it fires again if
    it still holds. Provider roles only ('configure'). Returns the stored alert."""
    scope.require("configure")
    now = now or datetime.now()
    if not isinstance(until, date) or until <= now.date():
        raise ValueError("snooze until a date after today")
    if until > now.date() + timedelta(days=366):
        raise ValueError("snooze for at most a year")
    note = " ".join((note or "").split()) or None
    row = _open_one(scope, alert_id)
    with scope.store.transaction() as cur:
        cur.execute("UPDATE alerts SET state = 'snoozed', snoozed_until = ?, snoozed_by = ?, note = coalesce(?, note), "
                    "acknowledged_by = NULL, acknowledged_at = NULL WHERE alert_id = ? AND org_id = ?",
                    [until, scope.principal.name, note, row["alert_id"], scope.org_id])
        _event(cur, row["alert_id"], scope.org_id, now, "snoozed", row["state"], "snoozed", scope.principal.name,
               f"until {until}" + (f": {note}" if note else ""))
    return _stored(scope, alert_id=row["alert_id"], include_resolved=True)[0]


def alert_history(scope: Scope, rollout: Rollout | None = None) -> pd.DataFrame:
    """Every event of the organisation's alerts (of one rollout), oldest first: event_id,
    alert_id, rollout, rule, cohort, department, kind, event_at, event (fired, not_enough_data,
    acknowledged, snoozed, snooze_ended, escalated, resolved), from_state, to_state, by_name,
    note, as_of, severity, evidence (JSON)."""
    return scope.df("alert_history", rollout_id=rollout.rollout_id if rollout else None)


def stored_alerts(scope: Scope, rollout: Rollout | None = None, include_resolved: bool = True) -> pd.DataFrame:
    """The stored alert episodes (one row per alert id, resolved ones included by default)."""
    return scope.df("stored_alerts", rollout_id=rollout.rollout_id if rollout else None, alert_id=None,
                    include_resolved=include_resolved)


def alerts_frame(alerts: list[Alert]) -> pd.DataFrame:
    """The alerts as a table for the pages (one row each; columns as Alert.as_json)."""
    columns = ["id", "rollout", *CONTRACT_KEYS, "kind", "acknowledged_by", "acknowledged_at", "note",
               "snoozed_until"]
    return pd.DataFrame([a.as_json() for a in alerts], columns=columns)


def red_flag_counts(alerts: list[Alert]) -> dict[str, int]:
    """Counts for the Overview and the Portfolio: open red flags (firing, acknowledged or
    snoozed) by severity, and the rules that cannot be judged. Example: one high firing, one
    medium acknowledged, one not_enough_data -> {"high": 1, "medium": 1, "firing": 1,
    "not_enough_data": 1}."""
    held = [a for a in alerts if a.state != "not_enough_data"]
    return {"high": sum(a.severity == "high" for a in held), "medium": sum(a.severity == "medium" for a in held),
            "firing": sum(a.state == "firing" for a in held),
            "not_enough_data": sum(a.state == "not_enough_data" for a in alerts)}


def alerts_version(scope: Scope) -> tuple:
    """Changes whenever an alert's state, an acknowledgement, a snooze, a threshold, a KPI target
    or a baseline of the organisation changes (a cache key, next to the data and settings
    versions)."""
    row = scope.df("alerts_version").iloc[0]
    return (int(row["parts"]), str(row["fingerprint"]))
