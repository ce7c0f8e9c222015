"""The scripts of the elements the first page after sign-in draws, loaded while a person signs in.

Streamlit loads each kind of element's script (its charts, tables, metric cards, pickers) the first
time a page shows one. A browser new to the app signed in, and the Overview then appeared as grey
boxes for about 1.2 s more while 48 scripts (4.7 MB of Plotly among them) were fetched and compiled
(docs/performance.md#the-first-page-after-sign-in). The sign-in page imports the elements'
scripts itself when the browser is idle, as a person types their email and password; Streamlit's
own import later finds each loaded (a module is loaded once per page). Each script's name carries a
hash of its contents, so the names are read from the Streamlit installed
(tests/test_preload.py checks that every element below is found there).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import streamlit as st

from ui.session import run_in_page

STATIC_JS = Path(st.__file__).parent / "static" / "static" / "js"
# what the Overview and the sidebar draw (Streamlit 1.67's names for them): each brings the
# scripts it needs itself
ELEMENTS = ("Button", "Selectbox", "Radio", "DateInput", "Metric", "DataFrame", "DownloadButton", "PlotlyChart")

# The address of each is taken from Streamlit's own entry script, which sits beside them, so the
# app's base path (server.baseUrlPath) holds. Errors are left to Streamlit's own import.
_SCRIPT = (
    '(() => { const entry = document.querySelector(\'script[type="module"][src*="/static/js/"]\');'
    " if (!entry) return;"
    " const load = () => NAMES.forEach(name => import(new URL(name, entry.src).href).catch(() => {}));"
    " if (window.requestIdleCallback) requestIdleCallback(load, {timeout: 3000}); else setTimeout(load, 1000); })();"
)


@functools.cache  # the Streamlit installed does not change while the app runs
def element_scripts() -> tuple[str, ...]:
    """The file names of ELEMENTS' scripts in this Streamlit; an element with no one file is left out."""
    found = [list(STATIC_JS.glob(f"{element}.*.js")) for element in ELEMENTS]
    return tuple(files[0].name for files in found if len(files) == 1)


def preload_elements() -> None:
    """Have the browser load the elements' scripts when it is idle. Call it last on the page: its
    (empty) element then adds no space above anything."""
    if not (names := element_scripts()):
        return
    run_in_page(_SCRIPT.replace("NAMES", json.dumps(names)))  # with file names from Streamlit's own folder
