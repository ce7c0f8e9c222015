"""Every chart of the app goes through here: each Plotly figure is built once and shared by every
session and rerun that draws it from the same inputs (ui/shared.py; tests/test_figures.py checks
that no page calls st.plotly_chart with a figure built on the page).

Building a figure (analysis/charts/, ui/flags.py) is 10-20 ms of Python a chart: Plotly validates
every property it is given. Handed a built figure, st.plotly_chart only writes its JSON
(DrawnFigure below spares it the copy it makes of the figure).
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from ui.shared import shared


def show_chart(org_id: int | tuple[int, ...], build: Callable[..., go.Figure], *args, key=None, config=None, **kwargs):
    """st.plotly_chart (full width) of build(*args, **kwargs), built once per organisation and inputs
    (org_id: the organisation, or the ids of every organisation a chart across them shows)."""
    return st.plotly_chart(shared_figure(org_id, build, *args, **kwargs), width="stretch", key=key, config=config)


def shared_figure(org_id: int | tuple[int, ...], build: Callable[..., go.Figure | None], *args, **kwargs):
    """build(*args, **kwargs) as a DrawnFigure (None when it builds none), shared: never change it."""
    name = f"{build.__module__}.{build.__qualname__}"
    if "<" in name:  # a lambda or a nested function: its name would not tell it from another
        raise ValueError(f"a chart builder needs a module-level name, not {name}")
    return shared(org_id, drawn, build, *args, **kwargs)


def drawn(build: Callable[..., go.Figure | None], *args, **kwargs) -> DrawnFigure | None:
    figure = build(*args, **kwargs)
    return None if figure is None else DrawnFigure(figure)


class DrawnFigure(go.Figure):
    """A built figure whose dict is made once. st.plotly_chart asks every figure for to_dict (a
    deep copy of the whole figure, then its arrays to base64) and writes that dict out as JSON,
    reading it only; a shared figure hands it the one dict made here instead."""

    def __init__(self, figure: go.Figure):
        super().__init__(figure)
        self._drawn = figure.to_dict()  # the built figure's own (a copy orders its layout otherwise)

    def to_dict(self) -> dict:
        return self._drawn
