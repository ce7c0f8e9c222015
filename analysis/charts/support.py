"""The Support page's charts."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from analysis.charts.base import COLOURS, _ms, _plain_layout, add_markers, cohort_colour, fit_period, white
from analysis.words import label

# -- Support page -----------------------------------------------------------------------------------


def tickets_per_100_chart(
    frame: pd.DataFrame,
    markers: list[dict],
    baseline: tuple | None,
    go_lives: dict,
    after_days: int = 28,
    period: tuple[date, date] | None = None,
) -> go.Figure:
    """Tickets per 100 licensed people per ISO week, for everyone and per requester cohort; the
    baseline window shaded grey, the weeks after each go-live shaded in the cohort's colour."""
    fig = go.Figure()
    cohorts = list(dict.fromkeys(frame["cohort"]))
    order = [c for c in cohorts if c != "all"]
    for cohort in cohorts:
        part = frame[frame["cohort"] == cohort]
        is_all = cohort == "all"
        colour = cohort_colour(cohort, order.index(cohort) if cohort in order else 0)
        so_far = ["" if c else " (week so far)" for c in part["complete"]]
        fig.add_trace(
            go.Scatter(
                x=part["week_start"],
                y=part["tickets_per_100_users"],
                mode="lines+markers",
                name="Everyone" if is_all else label(cohort.capitalize()),
                line=dict(color=colour, width=3 if is_all else 2, dash="dash" if is_all else "solid"),
                customdata=list(zip(part["tickets"], part["licensed_users"], so_far)),
                hovertemplate="%{y:.1f} per 100 (%{customdata[0]} tickets, %{customdata[1]} people)%{customdata[2]}"
                "<extra>" + ("everyone" if is_all else label(cohort)) + "</extra>",
            )
        )
    if baseline:
        fig.add_vrect(
            x0=_ms(baseline[0]),
            x1=_ms(pd.Timestamp(baseline[1]) + pd.Timedelta(days=1)),
            fillcolor="#94a3b8",
            opacity=0.18,
            line_width=0,
            layer="below",
        )
        _legend_swatch(fig, "baseline", "#94a3b8", 0.35)
    for cohort, day in go_lives.items():
        colour = cohort_colour(cohort, order.index(cohort) if cohort in order else 0)
        fig.add_vrect(
            x0=_ms(day),
            x1=_ms(pd.Timestamp(day) + pd.Timedelta(days=after_days)),
            fillcolor=colour,
            opacity=0.08,
            line_width=0,
            layer="below",
        )
        _legend_swatch(fig, f"{after_days // 7} weeks after {cohort} go-live", colour, 0.2)
    _plain_layout(fig, "tickets per 100 people", "week (Monday)")
    return fit_period(add_markers(fig, markers, order), period, weeks=True)


def _legend_swatch(fig: go.Figure, name: str, colour: str, opacity: float) -> None:
    """A legend entry for a shaded band (bands have none of their own)."""
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=label(name),
            hoverinfo="skip",
            marker=dict(symbol="square", size=14, color=colour, opacity=opacity),
        )
    )


def backlog_chart(frame: pd.DataFrame, markers: list[dict], period: tuple[date, date] | None = None) -> go.Figure:
    """Open tickets at the end of each day."""
    fig = go.Figure(
        go.Scatter(
            x=frame["day"],
            y=frame["backlog"],
            mode="lines",
            fill="tozeroy",
            name="Backlog",
            line=dict(color=COLOURS["all"], width=2),
            hovertemplate="%{x|%d %b %Y}: %{y} open<extra></extra>",
        )
    )
    _plain_layout(fig, "open tickets at the end of the day", height=320)
    fig.update_layout(showlegend=False)
    return fit_period(add_markers(fig, markers, [m["cohort"] for m in markers if m.get("cohort")]), period)


def top_categories_chart(frame: pd.DataFrame, before: str, after: str) -> go.Figure:
    """Each category's share of the tickets before and after a go-live."""
    fig = go.Figure()
    for side, title, colour in (("before", before, "#94a3b8"), ("after", after, "#0ea5e9")):
        fig.add_trace(
            go.Bar(
                y=[label(c) for c in frame["category"]],
                x=frame[f"share_{side}"],
                orientation="h",
                name=label(title),
                marker_color=colour,
                text=[
                    f"{int(n):,} ({s:.0%})" if pd.notna(s) else "0"
                    for n, s in zip(frame[f"tickets_{side}"].fillna(0), frame[f"share_{side}"])
                ],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{text}<extra>" + label(title) + "</extra>",
            )
        )
    white(fig).update_layout(
        barmode="group",
        height=120 + 60 * len(frame),
        margin=dict(l=10, r=60, t=30, b=10),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        xaxis=dict(title="share of the tickets", tickformat=".0%", rangemode="tozero"),
        yaxis=dict(autorange="reversed", title=""),
    )
    return fig
