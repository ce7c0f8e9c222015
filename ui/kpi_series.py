"""The Overview's KPI series: each against its target and baseline (docs/metrics.md#kpi-series)."""

from __future__ import annotations

import streamlit as st

from analysis.charts.record import kpi_series_chart
from ui.figures import show_chart
from ui.text import literal


def kpi_series_section(view, markers: list[dict]) -> None:
    """Each KPI series against its target and baseline (nothing when none is loaded)."""
    found = view.figure("kpi_series", view.alerts_version)  # the selected baseline is in that version
    if not found:
        return
    st.subheader("KPIs from other systems, against their targets")
    for i, one in enumerate(found):
        where = f" ({one.place})" if one.place else ""
        st.markdown(f"**{literal(one.label)}**{literal(where)}")
        show_chart(
            view.scope.org_id,
            kpi_series_chart,
            one,
            markers,
            list(view.rollout.cohorts),
            view.period,
            key=f"kpi_series_{i}",
        )
