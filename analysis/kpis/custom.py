"""KPIs from other systems (docs/metrics.md#kpi-series): the readings loaded as `--kind kpi_series`
(date, kpi, value, unit, direction, optional target and cohort or department) read as KPIs with the
built-in ones' baseline, current value, target and status (analysis/kpis/table.py).

Per series (a KPI and a place): current = its newest reading on or before d; target = the newest
target given on or before d (else the first given after); baseline = the mean of its readings in
the selected baseline's window, else its newest reading before the window ends, else none.
Example: uptime readings 99.9 (1 Jan), 99.7 (15 Jan), 97.0 (10 Feb), target 99.5, the window
7 Dec .. 3 Jan: baseline 99.9, current (as of 20 Feb) 97.0, off track by 2.5 (under 10 % of 99.5:
at risk, analysis.kpis.table.kpi_status)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analysis.orgs import Rollout
from analysis.scope import Scope


@dataclass(frozen=True)
class Series:
    kpi: str
    place: str  # a cohort or department; '' the whole rollout
    unit: str | None
    direction: str  # higher | lower (the KPI table's words)
    baseline: float | None
    current: float | None
    current_day: date | None
    target: float | None
    readings: tuple[tuple[date, float], ...]  # to d, oldest first

    @property
    def label(self) -> str:
        """The KPI's name with its unit: "uptime (%)"."""
        return f"{self.kpi} ({self.unit})" if self.unit else self.kpi


def points(scope: Scope, rollout: Rollout) -> pd.DataFrame:
    frame = scope.df("kpi_points", rollout_id=rollout.rollout_id).astype(object)
    frame = frame.where(frame.notna(), None)
    frame["day"] = [pd.Timestamp(d).date() for d in frame["day"]]
    return frame


def series(scope: Scope, rollout: Rollout, d: date, window: tuple[date, date] | None) -> list[Series]:
    """Every series as of d against the baseline window (start, end) (None: no baseline)."""
    return series_of(points(scope, rollout), d, window)


def series_against_baseline(scope: Scope, rollout: Rollout, d: date, window_days: int) -> list[Series]:
    """series() against the rollout's selected baseline's window; the baseline (figures over a
    whole window) is looked up only when a series is loaded, which most rollouts have none of."""
    from analysis.kpis.baselines import baseline  # baselines reads the KPI table, which reads this module

    frame = points(scope, rollout)
    if frame.empty:
        return []
    chosen = baseline(scope, rollout, None, d, window_days, curve=False)
    return series_of(frame, d, (chosen.start, chosen.end) if chosen else None)


def series_of(frame: pd.DataFrame, d: date, window: tuple[date, date] | None) -> list[Series]:
    """series() of readings already read (points())."""
    out = []
    for (kpi, place), part in frame.groupby(["kpi", "grp"], sort=True):
        rows = list(part.itertuples())
        upto = [r for r in rows if r.day <= d]
        newest = upto[-1] if upto else None
        targets = [r.target for r in upto if r.target is not None] or [r.target for r in rows if r.target is not None]
        out.append(
            Series(
                str(kpi),
                str(place),
                (newest or rows[-1]).unit,
                "higher" if (newest or rows[-1]).direction == "up" else "lower",
                _baseline(rows, window),
                float(newest.value) if newest else None,
                newest.day if newest else None,
                float(targets[-1]) if targets else None,
                tuple((r.day, float(r.value)) for r in upto),
            )
        )
    return out


def _baseline(rows, window: tuple[date, date] | None) -> float | None:
    if window is None:
        return None
    start, end = window
    inside = [float(r.value) for r in rows if start <= r.day <= end]
    if inside:
        return sum(inside) / len(inside)
    before = [float(r.value) for r in rows if r.day <= end]
    return before[-1] if before else None


def as_json(scope: Scope, rollout: Rollout, d: date, window: tuple[date, date] | None) -> list[dict]:
    """For `kpis --json` (key `custom_kpis`): each series as of d; [] when none is loaded."""
    from analysis.kpis.table import kpi_status  # the table reads this module

    return [
        {
            "kpi": s.kpi,
            "place": s.place or None,
            "unit": s.unit,
            "direction": s.direction,
            "baseline": s.baseline,
            "current": s.current,
            "current_date": s.current_day.isoformat() if s.current_day else None,
            "target": s.target,
            "status": kpi_status(s.current, s.target, s.direction),
        }
        for s in series(scope, rollout, d, window)
    ]
