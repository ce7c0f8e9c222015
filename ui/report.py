"""The pack builder moved to analysis/reports/pack.py (the command line builds the same pack).
These names stay importable from here until pages/overview.py imports analysis.reports.pack
(issue 11, phase 2); then this module goes."""
from analysis.reports.pack import LABELS, MIME, build_pack  # noqa: F401 (re-exported for the Overview page)
