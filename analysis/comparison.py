"""Now against then, for a quarterly review: the same figures as of an earlier day (the previous
quarter, the previous 28 days, the same day a year before) or a locked baseline, with the change.

A change between two shares is in percentage points, worded "up 4.0 pts" (never "%", which would
read as 4 % of the share), with the ratio of the two ("x1.07"); any other change also in per cent
of then: 2.3 -> 6.3 tickets per 100 is "up 4.0 (+174%)". As in analysis/reports/model.py, words
rather than a sign, so a cell never starts with + or - (a formula in a spreadsheet).

Rules (docs/metrics.md#comparing-with-an-earlier-period): "then" is the as-of day moved back by
three calendar months, 28 days or one calendar year (the 31st to the month's last day, 29 Feb to 28
Feb), with the same window; a cohort not live by then has no "then" (its figures before go-live are
not a baseline). A locked baseline gives its cohorts' figures over its window and its support
figures; it holds no department figures, so departments are compared only with a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from analysis import metrics, support
from analysis.kpis.baselines import baseline as find_baseline
from analysis.months import months_back
from analysis.orgs import Rollout
from analysis.privacy import fold_small_groups
from analysis.scope import Scope
from analysis.words import cohort_label, day, hours, number, pct

PERIODS = {
    "previous-quarter": "the previous quarter",
    "previous-28-days": "the previous 28 days",
    "previous-year": "the same day a year before",
}
BASELINE_PREFIX = "baseline:"

# (figure, label, unit): cohort figures first, then the rollout's support figures
COHORT_FIGURES = [
    ("adoption_rate", "Adoption", "share"),
    ("activation_rate", "Activation", "share"),
    ("habitual_share", "Habitual share", "share"),
]
SUPPORT_FIGURES = [
    ("tickets_per_100_users_7d", "Tickets per 100 people (7 days)", "rate"),
    ("median_resolution_hours", "Median resolution", "hours"),
    ("backlog", "Backlog (open tickets)", "count"),
]


def then_day(as_of: date, against: str) -> date:
    """The earlier day a period comparison reads. ValueError for anything but PERIODS."""
    if against == "previous-quarter":
        return months_back(as_of, 3)
    if against == "previous-28-days":
        return as_of - timedelta(days=28)
    if against == "previous-year":
        return months_back(as_of, 12)
    raise ValueError(f"compare with {against!r}: choose {', '.join(PERIODS)} or {BASELINE_PREFIX}NAME")


@dataclass
class Change:
    figure: str
    label: str
    unit: str  # share | rate | hours | count
    cohort: str | None  # None: the rollout's support figures
    then: float | None
    now: float | None

    @property
    def change(self) -> float | None:
        return None if self.then is None or self.now is None else self.now - self.then

    def words(self) -> dict[str, str]:
        """The row as the page and the pack print it."""
        shown = {"share": pct, "rate": number, "hours": hours, "count": lambda v: f"{v:,.0f}"}[self.unit]
        return {
            "Figure": self.label,
            "Cohort": cohort_label(self.cohort) if self.cohort else "rollout",
            "Then": "n/a" if self.then is None else shown(self.then),
            "Now": "n/a" if self.now is None else shown(self.now),
            "Change": change_words(self.then, self.now, self.unit),
        }


def change_words(then: float | None, now: float | None, unit: str) -> str:
    """Examples: shares 0.47 -> 0.63: "up 16.0 pts (x1.34)"; 2.3 -> 6.3 per 100: "up 4.0 (+174%)";
    equal: "no change"; either missing: "n/a"."""
    if then is None or now is None:
        return "n/a"
    delta = now - then
    if abs(delta) < 1e-12:
        return "no change"
    way = "up" if delta > 0 else "down"
    if unit == "share":
        return f"{way} {abs(delta) * 100:.1f} pts" + (f" (x{now / then:.2f})" if then else "")
    size = f"{abs(delta):,.0f}" if unit == "count" else f"{abs(delta):,.1f}"
    return f"{way} {size}" + (f" ({delta / then:+.0%})" if then else "")


@dataclass
class Comparison:
    against: str  # a PERIODS key or baseline:NAME
    then_label: str  # "15 Aug 2026 (the previous quarter)" or "baseline 'pre-remediation' (1 Sep .. 28 Sep 2026)"
    as_of: date
    rows: list[Change]
    departments: pd.DataFrame | None  # department, licensed_users, then, now (adoption); None for a baseline


def _share(part, whole) -> float | None:
    return None if part is None or not whole else part / whole


def _cohort_values(f: dict) -> dict[str, float | None]:
    return {
        "adoption_rate": f.get("adoption_rate"),
        "activation_rate": f.get("activation_rate"),
        "habitual_share": _share(f.get("habitual_users"), f.get("licensed_users")),
    }


def compare(scope: Scope, rollout: Rollout, as_of: date, window: int, against: str, fold: bool) -> Comparison:
    """Now (as of as_of, window days) against then (see the module docstring), per cohort and
    for the support desk, and per department (fold: groups under 5 licensed people folded, as
    client leadership sees them; an argument, not the scope's principal, so a cache keyed on it
    never hands one reader's departments to another)."""
    now = metrics.cohort_figures(scope, rollout, as_of, window)
    desk_now = support.support_kpis(scope, rollout, as_of, window)
    if against.startswith(BASELINE_PREFIX):
        chosen = find_baseline(scope, rollout, against[len(BASELINE_PREFIX) :], as_of, window, curve=False)
        if chosen is None:
            raise LookupError(f"no baseline to compare with for {rollout.name!r} yet")
        then_cohorts = {c: chosen.figures.get("cohorts", {}).get(c, {}) for c in now}
        then_desk = {
            "tickets_per_100_users_7d": chosen.tickets_per_100_users_7d(desk_now.get("licensed_users")),
            "median_resolution_hours": chosen.support_figure("median_resolution_hours"),
            "backlog": chosen.support_figure("backlog"),
        }
        then_values = {c: {k: f.get(k) for k, _, _ in COHORT_FIGURES} for c, f in then_cohorts.items()}
        label = f"baseline '{chosen.name}' ({day(chosen.start)} to {day(chosen.end)})"
        departments = None
    else:
        then = then_day(as_of, against)
        then_figures = metrics.cohort_figures(scope, rollout, then, window)
        then_values = {
            c: (_cohort_values(f) if not _before_go_live(rollout, c, then) else {}) for c, f in then_figures.items()
        }
        then_desk = support.support_kpis(scope, rollout, then, window)
        label = f"{day(then)} ({PERIODS[against]})"
        departments = _departments(scope, rollout, then, as_of, window, fold)
    rows = [
        Change(key, name, unit, cohort, then_values.get(cohort, {}).get(key), _cohort_values(f)[key])
        for cohort, f in now.items()
        for key, name, unit in COHORT_FIGURES
    ]
    rows += [
        Change(key, name, unit, None, _number(then_desk.get(key)), _number(desk_now.get(key)))
        for key, name, unit in SUPPORT_FIGURES
    ]
    return Comparison(against, label, as_of, rows, departments)


def _number(value) -> float | None:
    return None if value is None or value != value else float(value)


def _before_go_live(rollout: Rollout, cohort: str, d: date) -> bool:
    """Whether the cohort (every cohort, for 'all') was not yet live on d."""
    dates = list(rollout.cohorts.values()) if cohort == "all" else [rollout.cohorts.get(cohort)]
    return not dates or any(g is None or d < g for g in dates)


def _departments(scope: Scope, rollout: Rollout, then: date, as_of: date, window: int, fold: bool) -> pd.DataFrame:
    """Each department's adoption (all cohorts) then and now, weakest now first; folded under 5
    licensed people for client leadership (the roster is today's for both days, so the same
    groups fold)."""
    ratios = {"adoption_rate": ("active_users", "licensed_users")}

    def frame(d: date) -> pd.DataFrame:
        f = metrics.department_kpis(scope, rollout, d, window)
        f = f[f["cohort"] == "all"][["department", "licensed_users", "active_users", "adoption_rate"]]
        return fold_small_groups(f, "department", "licensed_users", ratios=ratios) if fold else f

    both = frame(as_of).merge(
        frame(then)[["department", "adoption_rate"]].rename(columns={"adoption_rate": "then"}),
        on="department",
        how="left",
    )
    both = both.rename(columns={"adoption_rate": "now"})[["department", "licensed_users", "then", "now"]]
    return both.sort_values(["now", "department"]).reset_index(drop=True)
