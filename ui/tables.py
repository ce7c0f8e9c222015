"""Every table of the app goes through here (tests/test_markup.py checks that no page calls
st.dataframe or st.table itself).

`show_table`: st.dataframe's toolbar lets people download the table as CSV (and copy cells), and
Streamlit writes those cells out as they are, so a roster's "=HYPERLINK(...)" would reach a
spreadsheet as a formula. The table is handed over with the same neutralisation as the app's own
downloads (analysis/exports.py): a text cell or column name that starts with = + - @ tab or CR
gets a leading apostrophe, on screen and in the download alike; numbers stay numbers.

Under each table two buttons download it as CSV and as .xlsx (analysis.exports: the same
neutralisation; in the .xlsx numbers stay numbers and dates dates), with the column names the
table shows; the files are written only when a button is pressed. A table inside a form has none
(Streamlit allows no download button in a form): its toolbar still downloads the CSV.

`markdown_table`: st.table renders markdown in its cells and headers, so each goes in through
ui.text.literal; its downloads are show_table's.
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import streamlit as st
from streamlit.elements.lib.form_utils import is_in_form
from streamlit.errors import StreamlitDuplicateElementKey

from analysis.exports import XLSX_MIME, neutralise, safe_csv, safe_frame, safe_xlsx
from ui.shared import shared
from ui.text import literal


def show_table(
    data,
    column_config: dict | None = None,
    column_order=None,
    row_style=None,
    org_id: int | tuple[int, ...] | None = None,
    **kwargs,
):
    """st.dataframe of data (a frame or rows), with formulas neutralised; column_config and
    column_order follow any column whose name was neutralised. row_style(row) -> one CSS string
    per cell styles the (neutralised) rows, as pandas' Styler.apply(axis=1) does. org_id (the
    organisation the table shows) neutralises a table once for every session and run that shows
    it (ui/shared.py): a list of hundreds of people took 4-11 ms on every run."""
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    renamed = {c: neutralise(str(c)) for c in frame.columns}
    if column_config:
        column_config = {renamed.get(k, k): neutralise(v) for k, v in column_config.items()}
    if column_order is not None:
        column_order = [renamed.get(c, c) for c in column_order]
    safe = safe_frame(frame) if org_id is None else shared(org_id, safe_frame, frame)  # shared: only read below
    shown = safe.style.apply(row_style, axis=1) if row_style is not None else safe
    picked = st.dataframe(shown, column_config=column_config, column_order=column_order, **kwargs)
    if not is_in_form(st._main):  # the block the table went into (st._main follows `with` blocks)
        download_buttons(
            as_shown(safe, column_config, column_order)
            if org_id is None
            else shared(org_id, as_shown, safe, column_config, column_order)
        )
    return picked


def as_shown(frame: pd.DataFrame, column_config: dict | None, column_order) -> pd.DataFrame:
    """frame with the columns the table shows, in its order, under the names it shows."""
    config = column_config or {}
    names = list(column_order) if column_order is not None else list(frame.columns)
    kept = [c for c in names if c in frame.columns and not (c in config and config[c] is None)]
    labels = {}
    for c in kept:
        setting = config.get(c)
        label = setting if isinstance(setting, str) else setting.get("label") if isinstance(setting, dict) else None
        labels[c] = label or c
    return frame[kept].rename(columns=labels)


def download_buttons(frame: pd.DataFrame) -> None:
    """A CSV and an .xlsx button for the table, written when pressed. Keyed by the table's columns
    and size (stable over reruns); a second table alike on the page takes the next number."""
    shape = repr((list(frame.columns), frame.shape)).encode()
    key = "table-" + hashlib.sha1(shape).hexdigest()[:10]
    # named for the table's first columns ("kpi-cohort-baseline.csv"): letters, digits and - only
    stem = re.sub(r"[^a-z0-9]+", "-", " ".join(map(str, frame.columns[:3])).lower()).strip("-")[:60] or "table"
    row = st.container(horizontal=True, gap="small")
    for n in range(50):
        try:
            row.download_button(
                "CSV",
                lambda: safe_csv(frame),
                file_name=f"{stem}.csv",
                mime="text/csv",
                key=f"{key}-{n}-csv",
                icon=":material/download:",
                type="tertiary",
                on_click="ignore",
            )
        except StreamlitDuplicateElementKey:
            continue
        row.download_button(
            "Excel (.xlsx)",
            lambda: safe_xlsx(frame),
            file_name=f"{stem}.xlsx",
            mime=XLSX_MIME,
            key=f"{key}-{n}-xlsx",
            icon=":material/download:",
            type="tertiary",
            on_click="ignore",
        )
        return


def markdown_table(frame: pd.DataFrame, org_id: int | None = None) -> None:
    """st.table of frame with every cell, column name and index label shown as its characters.
    org_id (the organisation the table shows): made ready once for every session and run (ui/shared.py),
    as show_table's are."""
    shown, downloaded = _as_markdown(frame) if org_id is None else shared(org_id, _as_markdown, frame)
    st.table(shown)
    if not is_in_form(st._main):  # the same CSV and .xlsx as show_table's (its index a column)
        download_buttons(downloaded)


def _as_markdown(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """frame as markdown_table shows it (text as its characters) and as it downloads it."""
    shown = frame.map(lambda v: literal(v) if isinstance(v, str) else v)
    shown.columns = [literal(c) for c in shown.columns]
    shown.index = shown.index.map(lambda v: literal(v) if isinstance(v, str) else v)
    named = frame.index.name is not None or frame.index.dtype == object
    return shown, safe_frame(frame.reset_index() if named else frame)
