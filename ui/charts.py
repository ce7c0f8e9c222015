"""The chart builders moved to analysis/charts.py (Streamlit-free, so the command line's report
pack draws the same figures). The pages import them from there; ui/session.py still imports these
two from here until its own import line changes, then this module goes."""
from analysis.charts import (  # noqa: F401 (re-exported for ui/session.py)
    adoption_by_age_chart,
    snapshot_adoption_chart,
)
