"""A red flag's root cause and actions, and the rollout's post-mortem, on the Red flags page
(analysis/alerts/actions.py, analysis/lessons.py): read by everyone who sees the rollout, written
by provider roles."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from analysis import lessons
from analysis.alerts import actions as flag_actions
from analysis.orgs import Rollout
from analysis.scope import Scope
from analysis.words import day, plural
from ui.flags import rule_title
from ui.forms import done
from ui.lazy import opened
from ui.tables import show_table
from ui.text import literal


def action_rows(found: pd.DataFrame) -> pd.DataFrame:
    """Actions as people read them: what, who, when, status (overdue said), outcome."""
    return pd.DataFrame(
        {
            "Action": found["title"],
            "Owner": found["owner"],
            "Due": [day(pd.Timestamp(d).date()) for d in found["due"]],
            "Status": [f"{s} (overdue)" if late else s for s, late in zip(found["status"], found["overdue"])],
            "Outcome": found["outcome"].fillna(""),
        }
    )


def followup(rule: str, causes: pd.DataFrame, found: pd.DataFrame) -> None:
    """The rule's root cause (in every place) and its actions, under its card."""
    cause = causes[(causes["rule"] == rule) & causes["alert_id"].isna()]
    mine = found[found["rule"] == rule]
    if cause.empty and mine.empty:
        return
    if not cause.empty:
        row = cause.iloc[0]
        cause_md = (
            f"**Root cause:** {literal(row['summary'])}" if row["summary"] else "**Root cause:** being worked out"
        )
        for category in row["categories"]:
            cause_md += f" :violet-badge[{literal(category)}]"
        st.markdown(cause_md)
        for i, why in enumerate(row["whys"], 1):
            st.markdown(f"{i:d}. Why? {literal(why)}")
    if not mine.empty:
        show_table(action_rows(mine), hide_index=True)


def editor(scope: Scope, rollout: Rollout, rule: str, causes: pd.DataFrame, found: pd.DataFrame, key: str):
    """Provider roles: the rule's root cause (5 Whys, fishbone, one sentence), a new action, and an
    action moved on."""
    title_md = rule_title(rule)
    if (box := opened(f"Root cause and actions: {title_md}", f"cause_{rule}")) is None:
        return
    with box:
        current = causes[(causes["rule"] == rule) & causes["alert_id"].isna()]
        known = current.iloc[0] if not current.empty else None
        with st.form(f"cause_{key}", clear_on_submit=False):
            st.markdown("**Why does it hold?** Ask why, then why again, up to five times.")
            whys = [
                st.text_input(
                    f"Why {i:d}",
                    value=known["whys"][i - 1] if known is not None and i <= len(known["whys"]) else "",
                    key=f"why_{key}_{i}",
                )
                for i in range(1, 6)
            ]
            categories = st.multiselect(
                "Where the cause lies (fishbone)",
                flag_actions.FISHBONE,
                default=list(known["categories"]) if known is not None else [],
                key=f"fishbone_{key}",
            )
            summary = st.text_input(
                "The root cause in a sentence",
                value=(known["summary"] or "") if known is not None else "",
                key=f"summary_{key}",
            )
            if st.form_submit_button("Save the root cause"):
                try:
                    flag_actions.save_root_cause(scope, rollout, rule, whys, categories, summary)
                    done({}, f"Saved the root cause of {title_md}.")
                except ValueError as exc:
                    st.error(literal(exc))
        with st.form(f"action_{key}", clear_on_submit=False):
            st.markdown("**A new action**")
            left, mid, right = st.columns([3, 2, 2])
            what = left.text_input("Action", key=f"what_{key}")
            owner = mid.text_input("Owner", key=f"owner_{key}")
            due = right.date_input("Due", value=date.today() + timedelta(days=7), key=f"due_{key}")
            if st.form_submit_button("Add the action"):
                try:
                    flag_actions.add_action(scope, rollout, rule, what, owner, due)
                    done({f"what_{key}": "", f"owner_{key}": ""}, f"Added the action {literal(what.strip())}.")
                except ValueError as exc:
                    st.error(literal(exc))
        mine = found[found["rule"] == rule]
        if not mine.empty:
            _move_on(scope, mine, key)


def _move_on(scope: Scope, mine: pd.DataFrame, key: str) -> None:
    with st.form(f"status_{key}", clear_on_submit=False):
        st.markdown("**Move an action on**")
        choices = {
            f"{r.title} ({r.owner}, due {day(pd.Timestamp(r.due).date())})": int(r.action_id) for r in mine.itertuples()
        }
        left, right = st.columns([3, 2])
        chosen = left.selectbox("Action", list(choices), key=f"which_action_{key}")
        status = right.selectbox("Status", flag_actions.STATUSES, index=1, key=f"status_{key}")
        outcome = st.text_input("Outcome (needed to close it)", key=f"outcome_{key}")
        if st.form_submit_button("Save the status"):
            try:
                flag_actions.update_action(scope, choices[chosen], status, outcome)
                done({f"outcome_{key}": ""}, f"The action is {literal(status)} now.")
            except (ValueError, LookupError) as exc:
                st.error(literal(exc))


def post_mortem(scope: Scope, rollout: Rollout, may_write: bool) -> None:
    """The rollout's post-mortem (five headings) and its wins (red flags resolved)."""
    st.subheader("Post-mortem and lessons")
    written = lessons.post_mortem(scope, rollout)
    if written is None and not may_write:
        st.caption("No post-mortem written for this rollout yet.")
    for field in lessons.HEADINGS:
        if written is not None and written[field]:
            st.markdown(f"**{lessons.HEADINGS[field]}**")
            st.markdown(literal(written[field]))
    if written is not None:
        st.caption(f"Written by {literal(written['updated_by'])}, {day(pd.Timestamp(written['updated_at']).date())}.")
    won = lessons.wins(scope, rollout)
    if not won.empty:
        st.markdown(f"**Wins**: {plural(len(won), 'red flag')} resolved")
        show_table(
            pd.DataFrame(
                {
                    "Flag": [rule_title(r) for r in won["rule"]],
                    "Where": [
                        ", ".join(str(p) for p in (d, c) if isinstance(p, str)) or "whole rollout"
                        for d, c in zip(won["department"], won["cohort"])
                    ],
                    "Resolved": [day(pd.Timestamp(t).date()) for t in won["resolved_at"]],
                }
            ),
            hide_index=True,
        )
    if may_write and (box := opened("Write the post-mortem", "post_mortem")) is not None:
        with box, st.form("post_mortem", clear_on_submit=False):
            texts = {
                field: st.text_area(
                    lessons.HEADINGS[field], value=(written or {}).get(field) or "", key=f"lesson_{field}"
                )
                for field in lessons.HEADINGS
            }
            if st.form_submit_button("Save the post-mortem"):
                try:
                    lessons.save(scope, rollout, texts)
                    done({}, "Saved the post-mortem.")
                except ValueError as exc:
                    st.error(literal(exc))
