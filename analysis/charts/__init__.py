"""Plotly figures. Champion is always the same colour, the wider rollout another.

Streamlit-free: the pages show them and the report pack (analysis.reports.pack) draws them.
base.py: colours, layouts and the markers every time chart carries; adoption.py: the Overview's and
the Adoption page's charts; support.py: the Support page's."""

from analysis.charts.adoption import (
    STAGES,
    adoption_by_age_chart,
    adoption_calendar_chart,
    adoption_funnel_chart,
    days_to_first_use_chart,
    department_heatmap_chart,
    snapshot_adoption_chart,
    weekly_active_chart,
)
from analysis.charts.base import (
    COLOURS,
    EXTRA,
    MARKER_COLOURS,
    add_markers,
    cohort_colour,
    fit_period,
    in_period,
    marker_text,
)
from analysis.charts.support import backlog_chart, tickets_per_100_chart, top_categories_chart

__all__ = [
    "COLOURS",
    "EXTRA",
    "MARKER_COLOURS",
    "STAGES",
    "add_markers",
    "adoption_by_age_chart",
    "adoption_calendar_chart",
    "adoption_funnel_chart",
    "backlog_chart",
    "cohort_colour",
    "days_to_first_use_chart",
    "department_heatmap_chart",
    "fit_period",
    "in_period",
    "marker_text",
    "snapshot_adoption_chart",
    "tickets_per_100_chart",
    "top_categories_chart",
    "weekly_active_chart",
]
