"""The Overview's "compared with" block: the KPIs and the departments now against an earlier day or
a locked baseline (analysis/comparison.py), for a quarterly review."""

from __future__ import annotations

import streamlit as st

from analysis.comparison import BASELINE_PREFIX, PERIODS, change_words
from analysis.kpis import locked_baselines
from analysis.words import day, pct
from ui.tables import show_table
from ui.text import literal


def compare_with(view) -> str | None:
    """The block; returns what was chosen to compare with (None: nothing), for the report pack."""
    st.subheader("Compared with an earlier day")
    baselines = [b.name for b in locked_baselines(view.scope, view.rollout)]
    choices = [None, *PERIODS, *(BASELINE_PREFIX + name for name in ["computed", *baselines])]
    against = st.selectbox(
        "Compare with",
        choices,
        # a selectbox shows its options as plain text (no markdown to escape)
        format_func=lambda c: (
            "no comparison" if c is None else PERIODS.get(c) or "baseline " + c.removeprefix(BASELINE_PREFIX)
        ),
        help="The same figures as of an earlier day with the same window (three calendar months, 28 days or a "
        "year before the as-of date), or a baseline's. Changes of shares are in percentage points (pts).",
    )
    if against is None:
        return None
    try:
        found = view.figure("comparison", (against, view.client, view.alerts_version))
    except LookupError as exc:
        st.info(literal(exc))
        return None
    st.caption(f"Now: {day(found.as_of)} · then: {literal(found.then_label)} · {view.window:d}-day window for both.")
    show_table([r.words() for r in found.rows], hide_index=True)
    if found.departments is None:
        st.caption("A baseline keeps no department figures: choose a day to compare departments.")
    elif not found.departments.empty:
        show_table(
            [
                {
                    "Department": d.department,
                    "Licensed": int(d.licensed_users),
                    "Adoption then": pct(d.then),
                    "Adoption now": pct(d.now),
                    "Change": change_words(d.then, d.now, "share"),
                }
                for d in found.departments.itertuples()
            ],
            hide_index=True,
        )
    return against
