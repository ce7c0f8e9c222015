"""The Portfolio page's chart."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.charts.base import white
from analysis.words import label


def portfolio_chart(table: pd.DataFrame) -> go.Figure:
    """Each rollout's adoption (a bar) against its target (a tick), in the table's order
    (analysis.rankings.rollouts_worst_first: worst first)."""
    labels = [label(f"{o} · {r}") for o, r in zip(table["Organisation"], table["Rollout"])]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=labels,
            x=table["Adoption"].fillna(0),
            orientation="h",
            name="Adoption",
            marker_color="#0ea5e9",
            text=[f"{v:.0%}" if v == v and v is not None else "no data" for v in table["Adoption"]],
            textposition="outside",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=table["Target"],
            mode="markers",
            name="Target",
            marker=dict(symbol="line-ns-open", size=22, color="#16a34a", line=dict(width=3)),
        )
    )
    white(fig).update_layout(
        height=120 + 40 * len(table),
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(tickformat=".0%", range=[0, 1.1]),
        yaxis=dict(autorange="reversed"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )  # above the bars, not on them
    fig.update_layout(margin=dict(t=40))
    return fig
