"""Plotly figures. Champion is always the same colour, the wider rollout another."""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

COLOURS = {"champion": "#7c3aed", "wider": "#0ea5e9", "all": "#334155"}
EXTRA = ["#f59e0b", "#10b981", "#ef4444", "#64748b"]


def cohort_colour(cohort: str, index: int = 0) -> str:
    return COLOURS.get(cohort, EXTRA[index % len(EXTRA)])


def _layout(fig: go.Figure, y_title: str, x_title: str) -> go.Figure:
    fig.update_layout(template="plotly_white", height=380, margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), hovermode="x unified",
                      yaxis=dict(title=y_title, tickformat=".0%", rangemode="tozero"),
                      xaxis=dict(title=x_title))
    return fig


def adoption_by_age_chart(frame: pd.DataFrame, target: float, target_age: int) -> go.Figure:
    """Each cohort's 7-day adoption from its own go-live, so cohorts compare at the same age."""
    fig = go.Figure()
    for i, (cohort, part) in enumerate(frame[frame["age_days"] >= 0].groupby("cohort", sort=False)):
        fig.add_trace(go.Scatter(
            x=part["age_days"], y=part["adoption"], mode="lines", name=cohort.capitalize(),
            line=dict(color=cohort_colour(cohort, i), width=3),
            customdata=part[["active_7d", "licensed_users"]],
            hovertemplate="%{y:.0%} (%{customdata[0]} of %{customdata[1]})<extra>" + cohort + "</extra>"))
    fig.add_hline(y=target, line_dash="dot", line_color="#16a34a",
                  annotation_text=f"target {target:.0%} by day {target_age}", annotation_position="top left")
    fig.add_vline(x=target_age, line_dash="dot", line_color="#16a34a")
    return _layout(fig, "people active in the last 7 days", "days since the cohort's go-live")


def adoption_calendar_chart(frame: pd.DataFrame, go_lives: dict[str, date]) -> go.Figure:
    """The same 7-day adoption on the calendar, with each cohort's go-live marked."""
    fig = go.Figure()
    for i, (cohort, part) in enumerate(frame.groupby("cohort", sort=False)):
        fig.add_trace(go.Scatter(
            x=part["day"], y=part["adoption"], mode="lines", name=cohort.capitalize(),
            line=dict(color=cohort_colour(cohort, i), width=3),
            customdata=part[["active_7d", "licensed_users"]],
            hovertemplate="%{y:.0%} (%{customdata[0]} of %{customdata[1]})<extra>" + cohort + "</extra>"))
    for i, (cohort, day) in enumerate(go_lives.items()):
        x = pd.Timestamp(day).timestamp() * 1000
        fig.add_vline(x=x, line_dash="dash", line_color=cohort_colour(cohort, i),
                      annotation_text=f"{cohort} go-live", annotation_position="top right")
    return _layout(fig, "people active in the last 7 days", "")
