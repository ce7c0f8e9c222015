"""The roster's history as a picture: licensed people per cohort, a step at each dated roster
(analysis/roster_history.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from analysis.charts.base import cohort_colour, white
from analysis.words import label


def roster_chart(table: pd.DataFrame, cohorts: list[str], today: date) -> go.Figure:
    """Licensed people per cohort (and everyone) from each snapshot's date on: table is
    roster_history.snapshots; each line holds flat until the next dated roster, the last one until
    today (so a single roster is a line, not a dot)."""
    fig = go.Figure()
    days = list(pd.to_datetime(table["dated_on"]))
    held = days[-1] < pd.Timestamp(today)
    for i, cohort in enumerate([*cohorts, "licensed"]):
        if cohort not in table:
            continue
        name = "everyone" if cohort == "licensed" else label(cohort)
        counts = [int(n) for n in table[cohort]]
        fig.add_trace(
            go.Scatter(
                x=days + ([pd.Timestamp(today)] if held else []),
                y=counts + (counts[-1:] if held else []),
                name=name,
                mode="lines+markers",
                line=dict(shape="hv", color=cohort_colour("all" if cohort == "licensed" else cohort, i)),
                hovertemplate="%{y:d} licensed from %{x|%d %b %Y}<extra>" + name + "</extra>",
            )
        )
    # a month at least, to the day after today: a single roster dated today was drawn as dots on an
    # axis of milliseconds
    start = min(days[0], pd.Timestamp(today - timedelta(days=30)))
    white(fig).update_layout(
        height=300,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        yaxis=dict(title="licensed people", rangemode="tozero"),
        xaxis=dict(
            title="the day each roster holds from",
            type="date",
            tickformat="%-d %b %Y",
            range=[start, pd.Timestamp(today + timedelta(days=1))],
        ),
    )
    return fig
