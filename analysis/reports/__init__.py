"""The report pack an account manager hands over in a quarterly business review: one
organisation's rollout as of a day and a window, as a PowerPoint (16:9), a PDF (A4 landscape) and
a self-contained HTML page with live charts; the provider's name and logo on the cover
(analysis/branding.py), an appendix at the end (the loads behind the figures, what they mean).

report_contents() reads every figure through the organisation's Scope, with the functions the
pages use (so the pack says what the app says), and turns them into plain texts and tables of
strings; pptx_bytes() and pdf_bytes() only lay those out. The charts arrive as PNG images keyed
by chart name (analysis.reports.pack draws the app's own Plotly figures); a missing image leaves a
section that says the chart could not be drawn.

What the pack guarantees (docs/security.md#tenant-isolation, docs/user-guide.md#privacy-in-client-views):
- it is aggregate: people are never listed by name, for anyone (no lapsed or never-used lists);
- for client leadership, departments under 5 people fold into "Other (small groups)" exactly as
  on screen (analysis.privacy.fold_small_groups);
- text only: strings from the data (organisation, department, alert messages) are written as
  plain text, never markup, and a cell a spreadsheet would run as a formula gets an apostrophe
  (analysis.exports.neutralise); numbers are formatted by this module.

python-pptx and fpdf2 are imported only when a file is written (they take about 0.4 s to load): the
pages import this module for its wording of the KPI table.

Where each part lives: contents.py (what the pack says), appendix.py and story.py (its later
sections), powerpoint.py, pdf.py and html.py (the three layouts), style.py (what they share),
pack.py (the charts drawn and the files written, for the Overview page and `python -m analysis
report`).
"""

from analysis.reports.contents import (
    MAX_DEPARTMENTS,
    MAX_FLAGS,
    Chart,
    ReportContents,
    Section,
    Table,
    cohort_label,
    kpi_line,
    report_contents,
)
from analysis.reports.pdf import FONT_DIR, latin1_safe, pdf_bytes, pdf_fonts
from analysis.reports.powerpoint import pptx_bytes
from analysis.reports.style import SYNTHETIC
from analysis.words import day, hours, number, pct, plain

__all__ = [
    "FONT_DIR",
    "MAX_DEPARTMENTS",
    "MAX_FLAGS",
    "SYNTHETIC",
    "Chart",
    "ReportContents",
    "Section",
    "Table",
    "cohort_label",
    "day",
    "hours",
    "kpi_line",
    "latin1_safe",
    "number",
    "pct",
    "pdf_bytes",
    "pdf_fonts",
    "plain",
    "pptx_bytes",
    "report_contents",
]
