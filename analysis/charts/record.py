"""The change-leadership record's chart: a KPI series (analysis/kpis/custom.py) against its target
and baseline, with the rollout's markers (go-lives, phases, training, red flags)."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go

from analysis.charts.base import _layout, add_markers, fit_period
from analysis.kpis.custom import Series
from analysis.words import label


def kpi_series_chart(
    found: Series, markers: list[dict], cohorts: list[str], period: tuple[date, date] | None = None
) -> go.Figure:
    fig = go.Figure()
    days = [d for d, _ in found.readings]
    fig.add_trace(
        go.Scatter(
            x=days,
            y=[v for _, v in found.readings],
            mode="lines+markers",
            name=label(found.label),
            line=dict(color="#334155", width=3),
            hovertemplate="%{y:,.4g}<extra>" + label(found.label) + "</extra>",
        )
    )
    if found.target is not None:
        fig.add_hline(
            y=found.target,
            line_dash="dash",
            line_color="#16a34a",
            annotation_text=f"target {found.target:,.4g}",
            annotation_position="top left",
        )
    if found.baseline is not None:
        fig.add_hline(
            y=found.baseline,
            line_dash="dot",
            line_color="#64748b",
            annotation_text=f"baseline {found.baseline:,.4g}",
            annotation_position="bottom left",
        )
    return fit_period(add_markers(_layout(fig, label(found.unit or found.kpi), ""), markers, cohorts), period)
