"""KPIs with a baseline, a current value and a target (docs/metrics.md#the-kpi-table), and the rollout's
baselines: the computed one (its baseline window) and locked, named ones.

A KPI is a metric with a baseline, a current value (as of d), a target with a due age and a
direction (higher or lower is better). The KPI table shows baseline -> current -> target, the
change (current - baseline, absolute and per cent of the baseline) and a status:

- `on track`: on the right side of the target (or on it);
- `at risk`: on the wrong side by less than 10 % of the target (relative: |current - target| <
  0.1 x target);
- `off track`: further away;
- `no target` / `no data` when there is no target or no current value.

Before the target's due age the status compares with the target all the same, and the row says
"due by day N". The age of a cohort is d - g(c); for the cohort `all` and the rollout-level KPIs
(tickets, resolution, backlog, ...) it is d - the last go-live (every cohort live).

Baselines. By default the baseline is computed over the rollout's baseline window (rollouts
baseline_start / baseline_end, else the 28 days before the first go-live, [g - 28, g - 1]).
Adoption, activation and habitual share are zero or undefined before go-live, so (section 4) the
baseline of cohort c is the champion cohort's figure as of g(champion) + (d - g(c)): the champions
at the same age; the champion cohort's own baseline is the target. For `all`, and for a rollout
without a champion cohort, it is the figure over the baseline window. Support KPIs: the metric over
the baseline window (tickets created in it, resolutions in it, the backlog at its end); tickets per
100 people per 7 days = 100 x tickets created in the window x 7 / the window's days / the licensed
people now (so both sides of a comparison divide by the same roster).

A locked baseline stores its window, its figures (the support figures and the literal cohort
figures over the window, and the champion curve by age up to the day it was locked), the loads
those were computed from, and who locked it when. It never moves when later loads arrive or are
undone. A rollout may hold several (names are unique per rollout; `computed` is the default's
name), and one may be selected for the KPI table and the ticket rules.

Where each part lives: goals.py (the KPIs and their targets), baselines.py (the computed, locked
and selected baselines), table.py (the KPI table and its statuses).
"""

from analysis.kpis.baseline_list import baseline_list
from analysis.kpis.baselines import (
    BASELINE_DAYS,
    COMPUTED,
    SUPPORT_FIGURES,
    Baseline,
    baseline,
    baseline_figures,
    baseline_window,
    champion_curve,
    computed_baseline,
    keep_computed,
    lock_baseline,
    locked_baselines,
    select_baseline,
)
from analysis.kpis.goals import KPIS, Kpi, Target, set_target, targets
from analysis.kpis.table import AT_RISK_SHARE, KpiRow, kpi_rows, kpi_status, kpi_table

__all__ = [
    "AT_RISK_SHARE",
    "BASELINE_DAYS",
    "COMPUTED",
    "KPIS",
    "SUPPORT_FIGURES",
    "Baseline",
    "Kpi",
    "KpiRow",
    "Target",
    "baseline",
    "baseline_figures",
    "baseline_list",
    "baseline_window",
    "champion_curve",
    "computed_baseline",
    "keep_computed",
    "kpi_rows",
    "kpi_status",
    "kpi_table",
    "lock_baseline",
    "locked_baselines",
    "select_baseline",
    "set_target",
    "targets",
]
