"""The pack's model: what a report holds (sections of texts, tables and charts), and a KPI row in
words; analysis.reports.contents fills it, powerpoint.py and pdf.py lay it out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from analysis.words import day


def kpi_line(row) -> dict[str, str]:
    """One row of the KPI table in words (a kpis.KpiRow, or a row of kpi_table): baseline ->
    now -> target, the change, the status. A change between two shares is in percentage points
    (62 % -> 66 %: "up 4.0 pts", not "+4%", which reads as 4 % of 62 %); any other change also in
    per cent of the baseline: 2.3 -> 6.3 tickets per 100: "up 4.0 (+174%)"."""
    missing = lambda v: v is None or (isinstance(v, float) and math.isnan(v))
    digits = 0 if row.unit == "tickets" else 1  # a backlog is a count of tickets
    shown = lambda v: "n/a" if missing(v) else f"{v:.0%}" if row.unit == "share" else f"{v:,.{digits}f}"
    # "up"/"down" rather than a sign: a cell starting with + or - reads as a formula in a spreadsheet
    # (so the tables' downloads would prefix it with an apostrophe), and words read aloud better
    way = lambda v: "up " if v > 0 else "down " if v < 0 else ""
    change = (
        "n/a"
        if missing(row.change)
        else f"{way(row.change)}{abs(row.change) * 100:.1f} pts"
        if row.unit == "share"
        else f"{way(row.change)}{abs(row.change):,.{digits}f}"
    )
    if not missing(row.change) and not missing(row.change_pct) and row.unit != "share":
        change += f" ({row.change_pct:+.0%})"
    return {
        "KPI": row.label,
        "Cohort": row.cohort if isinstance(row.cohort, str) else "rollout",
        "Baseline": shown(row.baseline),
        "Now": shown(row.current),
        "Target": shown(row.target),
        "Change": change,
        "Status": row.status,
        "Note": row.note,
    }


# -- what the pack holds ----------------------------------------------------------------------------------


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    widths: list[float]  # relative widths of the columns
    size: float = 11  # points on a slide (the PDF's A4 page takes 1.5 less)
    headings: bool = True  # the first line names the columns


@dataclass
class Chart:
    name: str  # the key of its image: adoption, snapshot_adoption or tickets
    frame: pd.DataFrame  # what analysis.reports.pack draws it from
    options: dict  # the chart builder's other arguments


@dataclass
class Section:
    """One slide, one PDF page: a title, a line saying what it shows, then its blocks from top
    to bottom (a table, a chart, or a line of text)."""

    title: str
    lead: str
    blocks: list[Table | Chart | str] = field(default_factory=list)


@dataclass
class ReportContents:
    organisation: str
    rollout: str
    as_of: date
    window_days: int
    synthetic: bool
    prepared_by: str
    prepared_at: datetime
    cover: list[tuple[str, str]]  # what the figures are of: filters, baseline, freshness, author
    sections: list[Section]
    figures: dict  # the numbers behind the words (cohorts, support, red flags)
    summary: list[str] = field(default_factory=list)  # analysis/summary.py: on the cover, under the title
    provider: str = ""  # the provider's name and logo (analysis/branding.py), on the cover
    logo: bytes | None = None  # PNG or JPEG

    @property
    def title(self) -> str:
        return f"{self.rollout}: adoption report"

    @property
    def footer(self) -> str:
        return f"{self.organisation} · {self.rollout} · as of {day(self.as_of)} · {self.window_days}-day window" + (
            " · Synthetic demo data" if self.synthetic else ""
        )

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]
