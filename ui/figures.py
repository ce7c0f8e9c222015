"""Every chart of the app goes through here: each Plotly figure is built once and shared by every
session and rerun that draws it from the same inputs (tests/test_figures.py checks that no page
calls st.plotly_chart itself).

Building a figure (analysis/charts/, ui/flags.py) is 40-100 ms of Python a chart: Plotly validates
every property, and each go-live or annotation line is an add_vline. A page rerun built all of its
figures again even when their data came from the cache, and that was most of the server's CPU per
page change under 20 sessions (docs/performance.md#many-people-at-once). Handed a built figure,
st.plotly_chart only copies it (to_dict) and writes its JSON: 1-2 ms.

The key is the organisation id and a digest of the builder's name and its inputs, pickled: equal
bytes mean equal inputs, so a key can only ever name the figure those inputs build (Streamlit's own
argument hash samples a frame of 50,000 rows or more). Inputs alike that pickle differently (a
frame laid out in another memory order) make another key: a miss, never a wrong figure. st.cache_resource hands every session the same object (st.cache_data would unpickle a new
one each time, 10-20 ms, as slow as building it), so a figure from here is never changed after it
is built: st.plotly_chart reads it and copies it before it writes it out.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st


def show_chart(
    org_id: int | tuple[int, ...], build: Callable[..., go.Figure], *args, key: str | None = None, config=None, **kwargs
):
    """st.plotly_chart (full width) of build(*args, **kwargs), built once per organisation and inputs
    (org_id: the organisation, or the ids of every organisation a chart across them shows)."""
    return st.plotly_chart(shared_figure(org_id, build, *args, **kwargs), width="stretch", key=key, config=config)


def shared_figure(org_id: int | tuple[int, ...], build: Callable[..., go.Figure], *args, **kwargs) -> go.Figure:
    """build(*args, **kwargs) from the shared cache (built on a miss). Shared: never change it."""
    name = f"{build.__module__}.{build.__qualname__}"
    if "<" in name:  # a lambda or a nested function: its name would not tell it from another
        raise ValueError(f"a chart builder needs a module-level name, not {name}")
    return _built(org_id, digest((name, args, sorted(kwargs.items()))), build, args, kwargs)


def digest(value: object) -> str:
    """A digest of value's pickle, written without pickle's memo: a value read from st.cache_data
    (a new copy each time) and the one first computed share objects differently, and with the memo
    they would pickle differently (a miss each time the sharing differs)."""
    written = io.BytesIO()
    pickler = pickle.Pickler(written, protocol=5)
    pickler.fast = True  # no memo; a value that holds itself cannot be written, and raises
    pickler.dump(value)
    return hashlib.sha256(written.getvalue()).hexdigest()


@st.cache_resource(ttl=600, max_entries=500, show_spinner=False)
def _built(org_id: int | tuple[int, ...], digest: str, _build, _args: tuple, _kwargs: dict) -> go.Figure:  # noqa: ARG001 - keys
    return _build(*_args, **_kwargs)
