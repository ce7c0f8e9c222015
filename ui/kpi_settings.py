"""The Settings page's KPI part: a rollout's baselines (lock a named one, choose the one in use),
its KPI targets and its red-flag thresholds. analysis.kpis and analysis.alerts check the role
and the values; this module only shows them and converts between the units people type (per cent,
hours) and the stored ones (shares between 0 and 1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from analysis import alerts, kpis
from analysis.alerts import rule_title
from analysis.orgs import Rollout
from analysis.scope import Scope
from analysis.words import day, moment
from ui.session import date_limits
from ui.tables import show_table
from ui.text import literal

# a KPI unit -> how its target is typed: (the unit's words, stored value x factor = typed value)
TARGET_UNITS = {
    "share": ("%", 100),
    "per_100": ("tickets per 100 people in 7 days", 1),
    "hours": ("hours", 1),
    "tickets": ("open tickets", 1),
}
# every threshold of alerts.RULES in words (a setting name means the same in each rule that has it)
SETTING_LABELS = {
    "high_share_of_target": "High severity below this share of the target",
    "min_department_people": "Smallest department judged on its own (people)",
    "min_age_days": "Judged from this age of the cohort (days after go-live)",
    "share_of_champion": "Fires below this share of the champions' adoption at the same age",
    "min_champion_age_days": "Judged once the champions are this many days live",
    "multiple": "Fires above this multiple of the baseline",
    "high_multiple": "High severity above this multiple of the baseline",
    "min_tickets": "Fewest tickets in the last 7 days",
    "min_baseline_tickets": "Fewest tickets in the baseline window",
    "min_resolved": "Fewest tickets resolved in the window",
    "min_baseline_resolved": "Fewest tickets resolved in the baseline window",
    "steps": "Weekly rises in a row",
    "step_days": "Days between two steps",
    "min_full_weeks": "Full weeks since go-live before it is judged",
    "share_of_peak": "Fires below this share of the best week",
    "share_of_activated": "Fires at this share of the activated people lapsed",
    "min_people": "Fewest lapsed people",
    "share_of_licensed": "Fires at this share of the licensed people using the old way",
    "max_age_days": "Fires when the newest data is older than this (days)",
    "share_drop": "Fires when satisfaction falls by more than this (0.1 = 10 pts)",
    "min_rated": "Fewest rated tickets resolved in the window",
    "min_baseline_rated": "Fewest rated tickets resolved in the baseline window",
}


def _typed(value: float | None, factor: int) -> float | None:
    return None if value is None else round(value * factor, 6)


def _target_text(value: float | None, unit: str) -> str:
    if value is None:
        return "none"
    words, factor = TARGET_UNITS[unit]
    return f"{_typed(value, factor):g}{words}" if unit == "share" else f"{value:g} {words}"


def _setting_text(setting: str, value: float) -> str:
    if "share" in setting:
        return f"{_typed(value, 100):g}%"
    if "multiple" in setting:
        return f"{value:g} x"
    return f"{int(value)} days" if setting.endswith("_days") else f"{int(value)}"


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def _baseline_list(
    _scope: Scope,
    org_id: int,
    version: tuple,
    alerts_version: tuple,
    _rollout: Rollout,  # noqa: ARG001 - cache keys
    rollout_id: int,
    as_of: date | None,
) -> pd.DataFrame:
    """Keyed by the data and settings versions and alerts_version (which a lock or a selection
    changes): the computed baseline follows new loads, the list follows every lock."""
    if _scope.org_id != org_id or _rollout.rollout_id != rollout_id:
        raise AssertionError("cache key and scope disagree")
    return kpis.baseline_list(_scope, _rollout, as_of)


def _baselines(scope: Scope, rollout: Rollout, as_of: date | None, version: tuple, save: Callable) -> None:
    rid = rollout.rollout_id
    st.subheader(
        "Baselines",
        help="What the KPI table compares with, and what the ticket red flags measure a "
        "spike or slow resolution against. *computed* is the rollout's baseline window (by default the 28 "
        "days before the first go-live), worked out again from the data as it is now. A locked baseline "
        "keeps the figures it had when it was locked, whatever is loaded or undone later.",
    )
    frame = _baseline_list(scope, scope.org_id, version, alerts.alerts_version(scope), rollout, rid, as_of)
    # two tables, so that every column shows without scrolling sideways: which baseline, then its figures
    which = frame[["selected", "name", "window_start", "window_end", "days", "locked_by", "locked_at", "upload_ids"]]
    which = which.assign(
        locked_by=which["locked_by"].fillna("not locked: worked out from the data as it is now"),
        locked_at=[f"{moment(t)}" if pd.notna(t) else "" for t in which["locked_at"]],
    )
    show_table(
        which,
        hide_index=True,
        column_config={
            "selected": st.column_config.CheckboxColumn(
                "In use", help="The baseline the KPI table and the red-flag rules use."
            ),
            "name": "Name",
            "window_start": st.column_config.DateColumn("From", format="D MMM YYYY"),
            "window_end": st.column_config.DateColumn("To", format="D MMM YYYY"),
            "days": st.column_config.NumberColumn("Days", format="%d"),
            "locked_by": "Locked by",
            "locked_at": "Locked at",
            "upload_ids": st.column_config.ListColumn(
                "From loads", help="The loads (see the Data page's load history) its figures were computed from."
            ),
        },
    )
    st.caption("Their figures over each window (a locked baseline's as they were when it was locked):")
    figures = frame[
        [
            "name",
            "adoption_rate",
            "tickets",
            "tickets_per_100_users_7d",
            "median_resolution_hours",
            "backlog",
            "satisfaction",
        ]
    ]
    show_table(
        figures.assign(adoption_rate=figures["adoption_rate"] * 100, satisfaction=figures["satisfaction"] * 100),
        hide_index=True,
        column_config={
            "name": "Name",
            "adoption_rate": st.column_config.NumberColumn(
                "Adoption (everyone)", format="%.0f%%", help="Everyone's adoption rate over the window."
            ),
            "tickets": st.column_config.NumberColumn("Tickets", format="%d", help="Tickets created in the window."),
            "tickets_per_100_users_7d": st.column_config.NumberColumn(
                "Tickets per 100 people (7 days)", format="%.1f", help="Per 100 people licensed now."
            ),
            "median_resolution_hours": st.column_config.NumberColumn("Median resolution (hours)", format="%.1f"),
            "backlog": st.column_config.NumberColumn("Backlog at the end", format="%d"),
            "satisfaction": st.column_config.NumberColumn("Satisfaction", format="%.0f%%"),
        },
    )
    window = frame.iloc[0] if not frame.empty and not frame["locked"].iloc[0] else None
    if frame.empty:
        st.caption("No baseline yet: the rollout has no go-live, so no baseline window. Lock one with its dates.")
    left, right = st.columns(2)
    with left, st.form(f"kpi_lock_{rid}", clear_on_submit=True):
        st.markdown("**Lock a baseline**")
        name = st.text_input(
            "Baseline name", max_chars=60, placeholder="e.g. pre-remediation", key=f"kpi_lock_name_{rid}"
        )
        a, b = st.columns(2)
        start = a.date_input("From", value=None, format="YYYY-MM-DD", key=f"kpi_lock_start_{rid}", **date_limits())
        end = b.date_input("To", value=None, format="YYYY-MM-DD", key=f"kpi_lock_end_{rid}", **date_limits())
        st.caption(
            "Leave both dates empty to lock the baseline window"
            + (f" ({day(window.window_start)} to {day(window.window_end)})." if window is not None else ".")
        )
        if st.form_submit_button("Lock the baseline"):
            save(lambda s: _locked(kpis.lock_baseline(s, rollout, name, start, end)))
    if frame.empty:
        return
    with right, st.form(f"kpi_select_{rid}"):
        st.markdown("**Choose the baseline in use**")
        names = frame["name"].tolist()
        chosen = st.selectbox(
            "Baseline for the KPI table and the red-flag rules",
            names,
            index=int(frame["selected"].to_numpy().argmax()),
            key=f"kpi_select_name_{rid}",
        )
        if st.form_submit_button("Use this baseline"):
            save(lambda s: _selected(kpis.select_baseline(s, rollout, chosen)))


def _locked(made: kpis.Baseline) -> str:
    return (
        f"Locked the baseline {made.name!r}: {day(made.start)} to {day(made.end)}, "
        f"{made.support_figure('tickets')} tickets. Choose it under \u201cChoose the baseline in use\u201d "
        "to use it."
    )


def _selected(chosen: kpis.Baseline | None) -> str:
    if chosen is None:
        return "This rollout has no baseline window (no go-live yet)."
    return (
        f"The KPI table and the red-flag rules now use the baseline {chosen.name!r} "
        f"({day(chosen.start)} to {day(chosen.end)})."
    )


def _targets(scope: Scope, rollout: Rollout, save: Callable) -> None:
    rid = rollout.rollout_id
    st.subheader(
        "Targets",
        help="Each KPI's target and the age (days after a cohort's go-live) it is due by. "
        "Before that age the KPI table compares with the target all the same and says when it is due. "
        "The adoption target is the rollout's own, the one every chart draws and the red flags use.",
    )
    goals = kpis.targets(scope, rollout)
    show_table(
        pd.DataFrame(
            [
                {
                    "KPI": spec.label,
                    "Target": _target_text(goals[name].value, spec.unit),
                    "Better": spec.direction,
                    "Due at age": goals[name].due_age_days,
                }
                for name, spec in kpis.KPIS.items()
            ]
        ),
        hide_index=True,
        column_config={"Due at age": st.column_config.NumberColumn("Due at age (days after go-live)", format="%d")},
    )
    kpi = st.selectbox(
        "KPI to change", list(kpis.KPIS), format_func=lambda k: kpis.KPIS[k].label, key=f"kpi_target_kpi_{rid}"
    )
    spec, goal = kpis.KPIS[kpi], goals[kpi]
    words, factor = TARGET_UNITS[spec.unit]
    # the inputs are keyed by the stored values, so a change made elsewhere (the adoption target in the
    # rollout's settings above) shows at once instead of being saved back over
    with st.form(f"kpi_target_{rid}"):
        a, b = st.columns(2)
        value = a.number_input(
            f"Target ({literal(words)})",
            min_value=0.0,
            max_value=100.0 if spec.unit == "share" else None,
            value=_typed(goal.value, factor),
            step=1.0,
            format="%g",
            key=f"kpi_target_value_{rid}_{kpi}_{goal.value}",
            help=f"{literal(spec.direction.capitalize())} is better. Empty: no target.",
        )
        due = b.number_input(
            "Due by this many days after go-live",
            1,
            730,
            goal.due_age_days,
            key=f"kpi_target_due_{rid}_{kpi}_{goal.due_age_days}",
        )
        left, right = st.columns(2)
        if left.form_submit_button("Save the target"):
            stored = None if value is None else value / factor
            save(lambda s: _target_said(kpis.set_target(s, rollout, kpi, stored, int(due))))
        if right.form_submit_button(
            "Remove the target",
            disabled=kpi == "adoption_rate",
            help="The adoption target is the rollout's own: it can change, not go.",
        ):
            save(lambda s: _target_said(kpis.set_target(s, rollout, kpi, None, int(due))))


def _target_said(goal: kpis.Target) -> str:
    spec = kpis.KPIS[goal.kpi]
    if goal.value is None:
        return f"{spec.label}: no target."
    return f"{spec.label}: target {_target_text(goal.value, spec.unit)}, due {goal.due_age_days} days after go-live."


def _thresholds(scope: Scope, rollout: Rollout, save: Callable) -> None:
    rid = rollout.rollout_id
    st.subheader(
        "Red-flag thresholds",
        help="When each red-flag rule fires, for this rollout. A changed threshold "
        "applies from the next look at the Red flags page; the documented default is shown beside it.",
    )
    now = alerts.thresholds(scope, rollout)
    rows = []
    for rule, values in now.items():
        for setting, value in values.items():
            default = alerts.RULES[rule].settings[setting]
            rows.append(
                {
                    "Rule": rule_title(rule),
                    "Setting": SETTING_LABELS.get(setting, setting),
                    "Value": _setting_text(setting, value),
                    "Default": _setting_text(setting, default),
                    "Changed": value != default,
                }
            )
    show_table(
        pd.DataFrame(rows),
        hide_index=True,
        height=38 + 35 * len(rows),
        column_config={
            "Changed": st.column_config.CheckboxColumn("Changed", help="Differs from the documented default.")
        },
    )
    a, b = st.columns(2)
    rule = a.selectbox("Rule", list(alerts.RULES), format_func=rule_title, key=f"kpi_rule_{rid}")
    setting = b.selectbox(
        "Setting",
        list(alerts.RULES[rule].settings),
        format_func=SETTING_LABELS.get,
        key=f"kpi_rule_setting_{rid}_{rule}",
    )
    spec = alerts.RULES[rule]
    st.caption(
        f"**{rule_title(rule)}**, judged per {literal(spec.per.replace(', ', ' and '))}. With the default "
        f"thresholds it fires when {literal(spec.fires_when)}. Next step: {literal(spec.action)}"
    )
    default, value = spec.settings[setting], now[rule][setting]
    whole = setting in alerts.WHOLE_SETTINGS
    share = "share" in setting
    with st.form(f"kpi_threshold_{rid}"):
        typed = st.number_input(
            literal(SETTING_LABELS.get(setting, setting)) + (" (%)" if share else ""),
            min_value=0 if whole else 0.0,
            max_value=100.0 if share else None,
            value=int(value) if whole else _typed(value, 100 if share else 1),
            step=1 if whole else (1.0 if share else 0.1),
            format="%d" if whole else "%g",
            key=f"kpi_threshold_value_{rid}_{rule}_{setting}_{value}",
            help=f"Default: {literal(_setting_text(setting, default))}.",
        )
        left, right = st.columns(2)
        if left.form_submit_button("Save the threshold"):
            stored = typed / 100 if share else typed
            save(lambda s: _threshold_said(rule, setting, alerts.set_threshold(s, rollout, rule, setting, stored)))
        if right.form_submit_button("Back to the default"):
            save(lambda s: _threshold_said(rule, setting, alerts.set_threshold(s, rollout, rule, setting, None)))


def _threshold_said(rule: str, setting: str, values: dict[str, float]) -> str:
    default = alerts.RULES[rule].settings[setting]
    return (
        f"{rule_title(rule)}: {SETTING_LABELS.get(setting, setting).lower()} is now "
        f"{_setting_text(setting, values[setting])}"
        + (" (the default)." if values[setting] == default else f" (default {_setting_text(setting, default)}).")
    )


def baselines_and_targets(scope: Scope, rollout: Rollout, as_of: date | None, version: tuple, save: Callable) -> None:
    """The rollout's baselines and KPI targets with the forms that change them. save is the page's
    save(action, *args): it shows "Not saved: ..." for a refused change and reruns after one that is
    stored (the caches are keyed by versions that every change moves)."""
    _baselines(scope, rollout, as_of, version, save)
    _targets(scope, rollout, save)


def thresholds(scope: Scope, rollout: Rollout, save: Callable) -> None:
    """The rollout's red-flag thresholds with the form that changes them (save: as above)."""
    _thresholds(scope, rollout, save)
