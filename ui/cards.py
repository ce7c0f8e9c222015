"""KPI cards: one row of st.metric per cohort."""
from __future__ import annotations

import streamlit as st

HELP = {
    "adoption": "Adoption rate: licensed people of the cohort with at least one use in the "
                "window, divided by the cohort's licensed people.",
    "active": "Active people: licensed people of the cohort with at least one use in the window "
              "(use before go-live counts).",
    "activated": "Activated: licensed people with at least one use on or after their cohort's "
                 "go-live; activation rate = activated / licensed.",
    "licensed": "Licensed people of the cohort on the rollout's current roster.",
}

DEFINITIONS = "\n".join(f"- {text}" for text in HELP.values()) + (
    "\n- Adoption by age: for each day k since a cohort's go-live, the share of its licensed people "
    "with a use in the 7 days ending that day (days before go-live count, as for active people)."
    "\n- The as-of date is the newest day with usage of the rollout's activities; the window is "
    "the rollout's active window ending on it."
)


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def cohort_cards(cohorts: dict[str, dict], window: int) -> None:
    for cohort, k in cohorts.items():
        label = "All licensed people" if cohort == "all" else f"{cohort.capitalize()} cohort"
        live = f" · go-live {k['go_live']}" if k.get("go_live") else ""
        st.markdown(f"**{label}**{live}")
        a, b, c, d = st.columns(4)
        a.metric(f"Adoption ({window} days)", pct(k["adoption_rate"]), help=HELP["adoption"], border=True)
        b.metric("Active people", f"{k['active_users']:,}", help=HELP["active"], border=True)
        c.metric("Activated", f"{k['activated_users']:,} ({pct(k['activation_rate'])})",
                 help=HELP["activated"], border=True)
        d.metric("Licensed", f"{k['licensed_users']:,}", help=HELP["licensed"], border=True)
