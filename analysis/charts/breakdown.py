"""The breakdown chart of the Adoption page (analysis/breakdowns.py): adoption per group."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.charts.base import COLOURS
from analysis.words import label


def breakdown_chart(frame: pd.DataFrame, group_column: str, target: float | None = None) -> go.Figure:
    """One bar per group (frame's 'all' rows: every cohort), weakest at the top, its share of the
    licensed people active in the window with "N of M"; the adoption target as a dashed line."""
    rows = frame[frame["cohort"] == "all"].sort_values("adoption_rate", ascending=False)
    fig = go.Figure(
        go.Bar(
            x=rows["adoption_rate"],
            y=[label(g) for g in rows[group_column]],
            orientation="h",
            marker_color=COLOURS["all"],
            text=[
                f"{r:.0%} ({a:,} of {n:,})"
                for r, a, n in zip(rows["adoption_rate"], rows["active_users"], rows["licensed_users"])
            ],
            textposition="auto",
            hovertemplate="%{y}: %{x:.0%}<extra></extra>",
        )
    )
    if target is not None:
        fig.add_vline(x=target, line_dash="dash", line_color="#dc2626", annotation_text=f"target {target:.0%}")
    fig.update_layout(
        template="plotly_white",
        height=140 + 32 * len(rows),
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis=dict(range=[0, 1.05], tickformat=".0%", title="share of licensed people active in the window"),
        yaxis=dict(title=""),
        showlegend=False,
    )
    return fig
