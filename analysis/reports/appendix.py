"""The pack's appendix: the data behind its figures (each load still in effect: its kind, file,
when, rows read, loaded and rejected, the days it covers) and what each metric means (from
analysis/definitions.py, the wording the pages use)."""

from __future__ import annotations

import pandas as pd

from analysis.definitions import definitions
from analysis.reports.model import Section, Table
from analysis.scope import Scope
from analysis.words import day, moment, plain

MAX_LOADS = 30  # the newest; an organisation loading daily through the inbox has hundreds


def appendix_sections(scope: Scope) -> list[Section]:
    return [_loads(scope), _definitions()]


def _covers(first, last) -> str:
    if first is None or pd.isna(first):
        return "none"  # a roster covers no days (and a cell starting with - reads as a formula)
    return day(first) if first == last else f"{day(first)} to {day(last)}"


def _loads(scope: Scope) -> Section:
    loads = scope.df("pack_loads")
    rows = [
        [
            plain(r.kind),
            plain(r.file_name),
            moment(r.loaded_at),
            f"{int(r.rows_read):,}",
            f"{int(r.rows_loaded):,}",
            f"{int(r.rows_rejected):,}",
            _covers(r.first_day, r.last_day),
        ]
        for r in loads.head(MAX_LOADS).itertuples()
    ]
    blocks: list = (
        [
            Table(
                ["Kind", "File", "Loaded on", "Rows read", "Rows loaded", "Rows rejected", "Days covered"],
                rows,
                [1.0, 3.3, 1.7, 1.1, 1.2, 1.2, 2.6],
                size=10,
            )
        ]
        if rows
        else ["No data loaded yet."]
    )
    if len(loads) > MAX_LOADS:
        blocks.append(f"... and {len(loads) - MAX_LOADS} older loads: the Data page lists them all.")
    return Section(
        "Appendix: the data behind the figures",
        "Each load in effect, newest first: rows loaded include rows that updated earlier ones (a ticket's new "
        "status); rejected rows are listed on the Data page. Undone loads are left out.",
        blocks,
    )


def _definitions() -> Section:
    return Section(
        "Appendix: what the figures mean",
        "The definitions the app's pages give (docs/metrics.md has them in full).",
        [Table(["Metric", "Definition"], [[name, text] for name, text in definitions()], [2.4, 9.7], size=9.5)],
    )
