"""Every table of the app goes through here (tests/test_markup.py checks that no page calls
st.dataframe or st.table itself).

`show_table`: st.dataframe's toolbar lets people download the table as CSV (and copy cells), and
Streamlit writes those cells out as they are, so a roster's "=HYPERLINK(...)" would reach a
spreadsheet as a formula. The table is handed over with the same neutralisation as the app's own
downloads (analysis/exports.py): a text cell or column name that starts with = + - @ tab or CR
gets a leading apostrophe, on screen and in the download alike; numbers stay numbers.

`markdown_table`: st.table renders markdown in its cells and headers, so each goes in through
ui.text.literal.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.exports import neutralise, safe_frame
from ui.text import literal


def show_table(data, column_config: dict | None = None, column_order=None, row_style=None, **kwargs):
    """st.dataframe of data (a frame or rows), with formulas neutralised; column_config and
    column_order follow any column whose name was neutralised. row_style(row) -> one CSS string
    per cell styles the (neutralised) rows, as pandas' Styler.apply(axis=1) does."""
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    renamed = {c: neutralise(str(c)) for c in frame.columns}
    if column_config:
        column_config = {renamed.get(k, k): neutralise(v) for k, v in column_config.items()}
    if column_order is not None:
        column_order = [renamed.get(c, c) for c in column_order]
    safe = safe_frame(frame)
    shown = safe.style.apply(row_style, axis=1) if row_style is not None else safe
    return st.dataframe(shown, column_config=column_config, column_order=column_order, **kwargs)


def markdown_table(frame: pd.DataFrame) -> None:
    """st.table of frame with every cell, column name and index label shown as its characters."""
    shown = frame.map(lambda v: literal(v) if isinstance(v, str) else v)
    shown.columns = [literal(c) for c in shown.columns]
    shown.index = shown.index.map(lambda v: literal(v) if isinstance(v, str) else v)
    st.table(shown)
