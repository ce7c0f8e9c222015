"""Files handed to people: CSV and .xlsx with spreadsheet formulas neutralised (OWASP CSV injection).

A text cell a spreadsheet would run as a formula gets a leading apostrophe: one that starts with
=, +, -, @, tab or carriage return, also after leading spaces or line breaks (a spreadsheet trims
them) and in their full-width forms (＝ ＋ － ＠, which some input methods turn into the ASCII ones).
Numbers and dates are never text here, so they stay numbers and dates (a negative number too); a
text such as '00123' stays text, so its leading zeros stay."""

from __future__ import annotations

import io
import math
import re
import unicodedata
from datetime import date, datetime, time

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# characters an .xlsx cannot hold (XML 1.0 forbids them; openpyxl refuses them): shown as a space
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _runs_as_formula(text: str) -> bool:
    if text.startswith(FORMULA_START):
        return True
    first = text.lstrip(" \n\u00a0\u3000")[:1]
    return bool(first) and unicodedata.normalize("NFKC", first).startswith(FORMULA_START)


def neutralise(value):
    """A cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and _runs_as_formula(value):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of frame whose text cells and column names no spreadsheet would run as formulas
    (numbers, negative ones included, stay numbers)."""
    clean = frame.copy()
    clean.columns = [neutralise(str(c)) for c in clean.columns]
    for i in range(clean.shape[1]):  # by position: two names may neutralise alike
        values = clean.iloc[:, i]
        if (pd.api.types.is_string_dtype(values) or values.dtype == object) and not _all_plain(values):
            clean.isetitem(i, values.map(neutralise))
    return clean


def _all_plain(values: pd.Series) -> bool:
    """Whether no cell of a text column can run as a formula, found without a Python call per
    cell: each is missing, empty or starts with an ASCII letter or digit (its own NFKC form, and
    neither one of FORMULA_START nor a space). A table shown on every page run is mostly such.
    Only for pandas' text dtype: mapping an object column can change its dtype, so it is mapped."""
    if not isinstance(values.dtype, pd.StringDtype):
        return False
    return bool(values.str.match(r"[A-Za-z0-9]|$").fillna(True).all())


def safe_csv(frame: pd.DataFrame) -> bytes:
    """frame as UTF-8 CSV (with BOM, so Excel reads it as UTF-8), formulas neutralised. Lines end
    in CRLF (RFC 4180), so a cell holding a lone carriage return is quoted: unquoted, a spreadsheet
    breaks the row there and what follows the CR (=1+1) starts a new row, un-neutralised."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _cell(value):
    """A value as an .xlsx cell holds it: a number, a bool, a date or datetime (time-zone-free,
    as the sheet has none), None for a blank, else its text, neutralised."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA:
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    elif isinstance(value, np.generic):  # numpy's numbers and bools
        return _cell(value.item())
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    if isinstance(value, list | tuple | set | np.ndarray):  # e.g. an account's organisations
        value = ", ".join(map(str, list(value)))
    return neutralise(_NOT_XML.sub(" ", str(value)))


def safe_xlsx(frame: pd.DataFrame, sheet: str = "Table") -> bytes:
    """frame as an .xlsx workbook of one sheet: numbers as numbers, dates as dates, every other
    cell typed as text (never a formula: a text cell is stored as a string, and neutralised too,
    as in the CSV, so a cell edited in the spreadsheet is not run either)."""
    from openpyxl import Workbook  # loaded when a workbook is asked for, not by every page

    book = Workbook(write_only=False)
    ws = book.active
    ws.title = sheet
    ws.append([_cell(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    for cells in ws.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl reads a leading = as a formula: text stays text
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss" if cell.value.time() != time(0) else "yyyy-mm-dd"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
