"""The chart builders moved to analysis/charts.py (Streamlit-free, so the command line's report
pack draws the same figures). These names stay importable from here until the pages and
ui/session.py import analysis.charts (issue 11, phase 2); then this module goes."""
from analysis.charts import (  # noqa: F401 (re-exported for the pages)
    adoption_by_age_chart,
    adoption_calendar_chart,
    adoption_funnel_chart,
    backlog_chart,
    days_to_first_use_chart,
    department_heatmap_chart,
    snapshot_adoption_chart,
    tickets_per_100_chart,
    top_categories_chart,
    weekly_active_chart,
)
