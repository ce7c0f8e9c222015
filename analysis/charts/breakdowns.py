"""The Adoption page's breakdown chart (by activity or by a roster column)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.charts.base import _plain_layout


def breakdown_chart(frame: pd.DataFrame, group_column: str, target: float | None) -> go.Figure:
    """Adoption per group as horizontal bars, weakest at the top, with the adoption target dashed."""
    ordered = frame.sort_values("adoption_rate", ascending=False, na_position="first")
    fig = go.Figure(
        go.Bar(
            x=ordered["adoption_rate"],
            y=ordered[group_column].astype(str),
            orientation="h",
            customdata=ordered[["active_users", "licensed_users"]],
            hovertemplate="%{y}: %{x:.0%} (%{customdata[0]} of %{customdata[1]} licensed people)<extra></extra>",
        )
    )
    if target is not None:
        fig.add_vline(x=target, line_dash="dash", annotation_text=f"target {target:.0%}")
    _plain_layout(fig, "", "Adoption", height=max(240, 60 + 28 * len(ordered)))
    fig.update_layout(xaxis=dict(tickformat=".0%", range=[0, 1]))
    return fig
