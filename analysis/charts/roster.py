"""The roster's history as a picture: licensed people per cohort, a step at each dated roster
(analysis/roster_history.py)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.charts.base import cohort_colour
from analysis.words import label


def roster_chart(table: pd.DataFrame, cohorts: list[str]) -> go.Figure:
    """Licensed people per cohort (and everyone) from each snapshot's date on: table is
    roster_history.snapshots; each line holds flat until the next dated roster."""
    fig = go.Figure()
    days = list(pd.to_datetime(table["dated_on"]))
    for i, cohort in enumerate([*cohorts, "licensed"]):
        if cohort not in table:
            continue
        name = "everyone" if cohort == "licensed" else label(cohort)
        fig.add_trace(
            go.Scatter(
                x=days,
                y=list(table[cohort]),
                name=name,
                mode="lines+markers",
                line=dict(shape="hv", color=cohort_colour("all" if cohort == "licensed" else cohort, i)),
                hovertemplate="%{y:d} licensed from %{x|%d %b %Y}<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(
        template="plotly_white",
        height=300,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        yaxis=dict(title="licensed people", rangemode="tozero"),
        xaxis=dict(title="the day each roster holds from"),
    )
    return fig
