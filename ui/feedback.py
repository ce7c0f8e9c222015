"""The Overview's feedback section (docs/metrics.md#feedback): confidence by place over the last 28
days and by week, the champions' answers before the wider go-live, and the comments (searchable by
the provider; to client views only where the organisation allows it, never named)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import feedback
from analysis.words import day, plural
from ui.tables import show_table
from ui.text import literal


def feedback_section(view) -> None:
    """Nothing when no survey answer is loaded for the rollout."""
    scope, rollout, as_of = view.scope, view.rollout, view.as_of
    answers = feedback.answers(scope, rollout)
    if answers.empty:
        return
    st.subheader("Feedback: confidence (mean score of 5)")
    table = feedback.confidence(scope, rollout, as_of, frame=answers)
    st.caption(
        f"Pulse-survey answers in the {feedback.DAYS} days to {day(as_of)}, by place; a low-confidence red flag "
        "holds where the mean is under 3 with at least 5 answers."
    )
    show_table(
        pd.DataFrame(
            {
                "Level": table["level"],
                "Place": table["place"],
                "Answers": table["answers"],
                "Mean score": [round(m, 2) if m is not None else None for m in table["mean"]],
            }
        ),
        hide_index=True,
    )
    voice = feedback.champions_before_wider(scope, rollout, frame=answers)
    if voice is not None:
        said = f"mean {voice.mean:.1f} of 5" if voice.mean is not None else "too few to show"
        st.markdown(
            f"**The champions before the wider go-live** ({literal(day(voice.before))}): "
            f"{plural(voice.answers, 'answer')}, {literal(said)}."
        )
    weeks = feedback.weekly(scope, rollout, as_of, frame=answers)
    if not weeks.empty:
        st.caption("Confidence by week and cohort.")
        show_table(
            weeks.assign(week_start=[day(w) for w in weeks["week_start"]], mean=weeks["mean"].round(2)).rename(
                columns={"cohort": "Cohort", "week_start": "Week of", "answers": "Answers", "mean": "Mean score"}
            ),
            hide_index=True,
        )
    search = st.text_input("Search the survey comments", key=f"feedback_search_{scope.org_id}_{rollout.rollout_id}")
    said = feedback.comments(scope, rollout, search, frame=answers)
    if said.empty:
        if scope.principal.is_client and not feedback.comments_to_clients(scope):
            st.caption("The survey comments are not shared with client views.")
        else:
            st.caption("No comment" + (" holds these words." if search.strip() else "."))
        return
    show_table(said.assign(day=[day(d) for d in said["day"]]), hide_index=True)
