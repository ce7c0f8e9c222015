"""The rollout's phases on the Settings page (analysis/phases.py): the plan (suggested from the
go-live dates until saved), a phase changed, added or removed, and a recovery started."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from analysis import phases
from analysis.kpis.goals import KPIS
from analysis.orgs import Rollout
from analysis.scope import Scope
from analysis.words import day
from ui.session import date_limits
from ui.tables import show_table

NEW = "A new phase"
TARGETS = ("adoption_rate", "tickets_per_100_users_7d")  # the targets offered here; the JSON takes any KPI


def plan_rows(plan: list[phases.Phase]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Phase": [p.name for p in plan],
            "Kind": [p.kind for p in plan],
            "From": [day(p.starts) for p in plan],
            "To": [day(p.ends) for p in plan],
            "Objective": [p.objective or "" for p in plan],
            "Targets": [", ".join(f"{KPIS[k].label} {v:g}" for k, v in p.targets.items()) for p in plan],
        }
    )


def phase_settings(scope: Scope, rollout: Rollout, save) -> None:
    """save: the Settings page's save(action, ...) (says what was saved, or why not)."""
    st.subheader(
        "Phases",
        help="The rollout's dated plan (plan, champion pilot, wider rollout, hypercare; after a failed "
        "landing: stabilise, re-design, re-enable, monitor), each with its objective and targets. "
        "Drawn as bands on every time chart; the Overview says whether each met its targets.",
    )
    plan = phases.phases(scope, rollout)
    if plan and plan[0].suggested:
        st.caption("Suggested from the go-live dates: change a phase below to save the plan.")
    if plan:
        show_table(plan_rows(plan), hide_index=True)
    rid = rollout.rollout_id
    names = {f"{p.name} ({day(p.starts)})": i for i, p in enumerate(plan)}
    chosen = st.selectbox("Change a phase", [NEW, *names], key=f"phase_pick_{rid}")
    current = plan[names[chosen]] if chosen in names else None
    with st.form(f"phase_{rid}_{chosen}", clear_on_submit=False):
        a, b, c, d = st.columns([2, 1, 1, 1])
        name = a.text_input("Phase name", value=current.name if current else "", key=f"phase_name_{rid}_{chosen}")
        kind = b.selectbox("Phase kind", ("plan", "recovery"), index=int(current.kind == "recovery") if current else 0)
        starts = c.date_input("Its first day", value=current.starts if current else None, **date_limits())
        ends = d.date_input("Its last day", value=current.ends if current else None, **date_limits())
        objective = st.text_input("Its objective", value=(current.objective or "") if current else "")
        left, right = st.columns(2)
        adoption = left.number_input(
            "Adoption target at its end (%, 0 for none)",
            0,
            100,
            int(round(100 * current.targets.get("adoption_rate", 0))) if current else 0,
        )
        per_100 = right.number_input(
            "Tickets per 100 people (7 days) at most (0 for none)",
            0.0,
            1000.0,
            float(current.targets.get("tickets_per_100_users_7d", 0)) if current else 0.0,
        )
        save_it, remove = st.columns(2)
        if save_it.form_submit_button("Save the phase"):
            if starts is None or ends is None:
                st.error("Not saved: choose the phase's first and last day.")
            else:
                targets = {
                    k: v for k, v in (("adoption_rate", adoption / 100), ("tickets_per_100_users_7d", per_100)) if v
                }
                edited = phases.Phase(name, kind, starts, ends, objective, targets)
                kept = [
                    replace(p, suggested=False) for i, p in enumerate(plan) if current is None or i != names[chosen]
                ]
                save(lambda s: phases.save_plan(s, rollout, [*kept, edited]) or f"Saved the phase {name.strip()}.")
        if current is not None and remove.form_submit_button("Remove the phase"):
            kept = [p for i, p in enumerate(plan) if i != names[chosen]]
            save(lambda s: phases.save_plan(s, rollout, kept) or f"Removed the phase {current.name}.")
    a, b = st.columns([2, 1], vertical_alignment="bottom")
    start = a.date_input(
        "After a failed landing, start a recovery on", value=date.today(), key=f"recovery_{rid}", **date_limits()
    )
    if b.button("Start a recovery", key=f"recovery_button_{rid}"):
        save(
            lambda s: (
                phases.start_recovery(s, rollout, start)
                and f"Started a recovery on {day(start)}: stabilise, re-design, re-enable, monitor."
            )
        )


STATUS_WORDS = {
    "met": "met",
    "not met": "not met",
    "on track": "on track (running)",
    "off track": "off track (running)",
    "no targets": "no targets set",
}


def phase_table(results: list[dict]) -> None:
    """The Overview's phases: each started phase, its dates, whether it met its targets, and each
    target's baseline (the day before the phase) and value (its last day, or today's as-of)."""
    rows = []
    for r in results:
        p = r["phase"]
        readings = phases.readings_words(r["readings"])
        rows.append(
            {
                "Phase": p.name,
                "From": day(p.starts),
                "To": day(p.ends),
                "Status": STATUS_WORDS[r["status"]],
                "Baseline -> value (target)": readings,
                "Objective": p.objective or "",
            }
        )
    show_table(pd.DataFrame(rows), hide_index=True)
