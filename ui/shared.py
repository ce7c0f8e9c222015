"""Values built once and shared by every session and rerun that asks for them with the same
inputs: the pages' Plotly figures (ui/figures.py) and the files behind their download buttons.

A page rerun rebuilt these from data that came from the cache, on every run of every session:
under 20 sessions that was most of the server's CPU per page change
(docs/performance.md#many-people-at-once).

The key is the organisation id and a digest of the builder's name and its inputs, pickled: equal
bytes mean equal inputs, so a key can only ever name what those inputs build (Streamlit's own
argument hash samples a frame of 50,000 rows or more). Inputs alike that pickle differently (a
frame laid out in another memory order) make another key: a miss, never a wrong value.
st.cache_resource hands every session the same object (st.cache_data would unpickle a new one
each time, for a figure 10-20 ms, as slow as building it), so a value from here is never changed:
bytes cannot be, and a figure is only read by st.plotly_chart.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Callable
from typing import Any

import streamlit as st


def shared(org_id: int | tuple[int, ...], build: Callable[..., Any], *args, **kwargs) -> Any:
    """build(*args, **kwargs) for the organisation (or the ids of every organisation a value across
    them shows), from the shared cache; built on a miss. Shared: never change it."""
    name = f"{build.__module__}.{build.__qualname__}"
    if "<" in name:  # a lambda or a nested function: its name would not tell it from another
        raise ValueError(f"a shared value needs a builder with a module-level name, not {name}")
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
def _built(org_id: int | tuple[int, ...], digest: str, _build, _args: tuple, _kwargs: dict) -> Any:  # noqa: ARG001 - keys
    return _build(*_args, **_kwargs)
