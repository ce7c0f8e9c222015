"""Red flags on screen: one card per rule with every place it holds on one picture, or an alert's own
card with its evidence chart."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis.alerts import RULES, Alert, rule_title, where
from analysis.charts.base import white
from analysis.words import day
from ui import cached
from ui.figures import shared_figure
from ui.onboarding import plain
from ui.tables import markdown_table
from ui.text import label, literal

SEVERITY_ICON = {"high": ":material/error:", "medium": ":material/warning:"}
STATE_LABEL = {
    "firing": "Firing",
    "acknowledged": "Acknowledged",
    "snoozed": "Snoozed",
    "not_enough_data": "Not enough data",
}


def _measure(alert: Alert) -> tuple[str, float, str, float, bool] | None:
    """(what was measured, its value, what it is held against, that value, is a share) per rule."""
    e = alert.evidence
    get = lambda k: e.get(k) if isinstance(e.get(k), (int, float)) else None
    default = RULES[alert.rule].settings if alert.rule in RULES else {}  # for evidence stored without its line
    if alert.rule in ("LOW_ADOPTION", "PILOT_NOT_READY") and get("adoption_rate") is not None:
        return "adoption", e["adoption_rate"], "target", get("target") or 0.0, True
    if alert.rule == "CHAMPION_GAP" and get("adoption_by_age") is not None:
        share = get("threshold_share") or default["share_of_champion"]
        return (
            "this cohort",
            e["adoption_by_age"],
            f"{share:.0%} of the champions",
            (get("champion_adoption_by_age") or 0.0) * share,
            True,
        )
    if alert.rule == "TICKET_SPIKE" and get("tickets_per_100_users_7d") is not None:
        return (
            "tickets per 100 (7 days)",
            e["tickets_per_100_users_7d"],
            "spike level",
            (get("baseline_tickets_per_100_users_7d") or 0.0) * (get("multiple") or default["multiple"]),
            False,
        )
    if alert.rule == "SLOW_RESOLUTION" and get("median_resolution_hours") is not None:
        return (
            "median resolution (h)",
            e["median_resolution_hours"],
            "slow level",
            (get("baseline_median_resolution_hours") or 0.0) * (get("multiple") or default["multiple"]),
            False,
        )
    if alert.rule == "DECLINING_USAGE" and get("weekly_active_users") is not None:
        share = get("threshold_share") or default["share_of_peak"]
        return (
            "last full week",
            e["weekly_active_users"],
            f"{share:.0%} of the best week",
            (get("peak_weekly_active_users") or 0) * share,
            False,
        )
    if alert.rule == "LAPSING" and get("share_of_activated") is not None:
        share = get("threshold_share") or default["share_of_activated"]
        return "lapsed share of activated", e["share_of_activated"], f"{share:.0%} line", share, True
    if alert.rule == "WORKAROUNDS" and get("share_of_licensed") is not None:
        share = get("threshold_share") or default["share_of_licensed"]
        return "using the old way", e["share_of_licensed"], f"{share:.0%} line", share, True
    return None


def evidence_chart(alert: Alert) -> go.Figure | None:
    """A two-bar picture of the alert: what was measured against the line it crossed."""
    if alert.rule == "BACKLOG_GROWING" and isinstance(alert.evidence.get("backlog_by_day"), dict):
        days = alert.evidence["backlog_by_day"]
        fig = go.Figure(
            go.Bar(
                x=list(days),
                y=list(days.values()),
                marker_color="#ef4444",
                text=list(days.values()),
                textposition="outside",
            )
        )
        white(fig).update_layout(
            height=170,
            margin=dict(l=0, r=0, t=10, b=0),
            yaxis=dict(visible=False),
            xaxis=dict(title=None),
        )
        return fig
    measure = _measure(alert)
    if measure is None:
        return None
    label, value, limit_label, limit, share = measure
    colour = "#ef4444" if alert.severity == "high" else "#f59e0b"
    text = [f"{v:.0%}" if share else f"{v:,.1f}" for v in (value, limit)]
    fig = go.Figure(
        go.Bar(
            y=[label, limit_label],
            x=[value, limit],
            orientation="h",
            text=text,
            textposition="outside",
            marker_color=[colour, "#94a3b8"],
        )
    )
    white(fig).update_layout(
        height=130,
        margin=dict(l=0, r=40, t=5, b=5),
        xaxis=dict(visible=False, range=[0, max(value, limit) * 1.3 or 1]),
        yaxis=dict(autorange="reversed"),
    )
    return fig


def rule_groups(alerts: list[Alert]) -> list[tuple[str, list[Alert]]]:
    """The open alerts by rule: rules with a high alert first, then the most places, each group's
    alerts high first, then the furthest over its line (so the worst place leads)."""
    groups: dict[str, list[Alert]] = {}
    for alert in alerts:
        groups.setdefault(alert.rule, []).append(alert)

    def gap(alert: Alert) -> float:
        m = _measure(alert)
        return 0.0 if m is None or not m[3] else abs(m[1] - m[3]) / m[3]

    for group in groups.values():
        group.sort(key=lambda a: (a.severity != "high", -gap(a), where(a)))
    return sorted(groups.items(), key=lambda item: (not any(a.severity == "high" for a in item[1]), -len(item[1])))


def rule_chart(group: list[Alert]) -> go.Figure | None:
    """Every place of one rule on one picture: its measure as a bar (red when high), its line as a
    tick; None when the rule's evidence is not one figure against a line."""
    measures = [_measure(a) for a in group]
    if any(m is None for m in measures) or len(group) < 2:
        return None
    measured, _, limit_label, _, share = measures[0]
    names = [label(where(a)) for a in group]
    values, limits = [m[1] for m in measures], [m[3] for m in measures]
    fmt = (lambda v: f"{v:.0%}") if share else (lambda v: f"{v:,.1f}")
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=names,
            x=values,
            orientation="h",
            name=label(measured),
            text=[fmt(v) for v in values],
            textposition="outside",
            cliponaxis=False,
            marker_color=["#ef4444" if a.severity == "high" else "#f59e0b" for a in group],
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=names,
            x=limits,
            mode="markers",
            name=label(limit_label),
            marker=dict(symbol="line-ns-open", size=20, color="#334155", line=dict(width=3)),
            hovertemplate="%{y}: line at %{x}<extra></extra>",
        )
    )
    white(fig).update_layout(
        height=70 + 34 * len(group),
        margin=dict(l=10, r=40, t=30, b=10),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        yaxis=dict(autorange="reversed"),
        xaxis=dict(
            tickformat=".0%" if share else None, rangemode="tozero", range=[0, max(values + limits) * 1.25 or 1]
        ),
    )
    return fig


def rule_card(org_id: int, rule: str, group: list[Alert], key: str) -> None:
    """One rule that holds in the organisation: where (every place, worst first), since when, the
    picture of all places against their line, and the next step, said once."""
    figure = shared_figure(org_id, rule_chart, group)
    if figure is None:  # one place, or evidence that is not a figure against a line
        for i, alert in enumerate(group):
            alert_card(org_id, alert, key=f"{key}_{i}")
        return
    high = sum(a.severity == "high" for a in group)
    badges_md = (f" :red-badge[{high:d} high]" if high else "") + (
        f" :orange-badge[{len(group) - high:d} medium]" if len(group) > high else ""
    )
    first = min((a.since for a in group if a.since), default=None)
    with st.container(border=True):
        st.markdown(
            f"**{rule_title(rule)}** · {len(group):d} places{badges_md}"
            + (f" :gray-badge[since {day(first)}]" if first else "")
        )
        st.markdown(f"**Next step:** {literal(plain(group[0].action))}")
        st.plotly_chart(
            figure, width="stretch", key=f"rule_{key}", config={"displayModeBar": False}
        )  # shared: ui/figures.py
        markdown_table(
            pd.DataFrame(
                [
                    {
                        "Where": where(a),
                        "Severity": a.severity,
                        "State": state_words(a),
                        "Since": day(a.since) if a.since else "",
                        "What we see": plain(a.message),
                    }
                    for a in group
                ]
            ).set_index("Where"),
            org_id=org_id,
        )


def state_words(alert: Alert) -> str:
    """The alert's state, with who acknowledged it or until when it is snoozed."""
    if alert.state == "acknowledged":
        return f"Acknowledged by {alert.acknowledged_by}: {alert.note}"
    if alert.state == "snoozed":
        return f"Snoozed until {day(alert.snoozed_until)}" + (f": {alert.note}" if alert.note else "")
    return STATE_LABEL.get(alert.state, alert.state)


def alert_card(org_id: int, alert: Alert, key: str) -> None:
    """One alert: where, since when, what was seen (with its picture) and what to do next."""
    title_md = f"**{rule_title(alert.rule)}** · {literal(where(alert))}"
    with st.container(border=True):
        left, right = st.columns([3, 2])
        with left:
            state_md = literal(STATE_LABEL.get(alert.state, alert.state))
            left.markdown(
                f"{title_md}  \n:{'red' if alert.severity == 'high' else 'orange'}-badge"
                f"[{literal(alert.severity)}] :gray-badge[{state_md}]"
                + (f" :gray-badge[since {day(alert.since)}]" if alert.since else "")
            )
            st.markdown(literal(plain(alert.message)))
            st.markdown(f"**Next step:** {literal(plain(alert.action))}")
            if alert.state in ("acknowledged", "snoozed"):
                st.caption(literal(state_words(alert)))
        figure = shared_figure(org_id, evidence_chart, alert)
        if figure is not None:  # shared: ui/figures.py
            right.plotly_chart(figure, width="stretch", key=f"evidence_{key}", config={"displayModeBar": False})


# version, alerts_version, rollout_id only key the cache (an underscore would drop them from the key)
@st.cache_data(ttl=600, max_entries=200, show_spinner="Checking the red-flag rules")
def current_alerts(
    _scope,
    org_id: int,
    version: tuple,
    alerts_version: tuple,
    _rollout,
    rollout_id: int,  # noqa: ARG001
    as_of,
) -> list[Alert]:
    """The rollout's alerts as of a day, read only (a view records nothing); keyed by organisation."""
    from analysis.alerts import evaluate_alerts

    if _scope.org_id != org_id:
        raise AssertionError("cache key and scope disagree")
    return evaluate_alerts(_scope, _rollout, as_of=as_of, record=False)


KPI_COLUMNS = {
    "KPI": "KPI",
    "Cohort": "Cohort",
    "Baseline": "Baseline",
    "Now": "Now",
    "Target": "Target",
    "Change": st.column_config.TextColumn("Change", width=115),  # "+4.0 (+172%)" was cut to "+4.0 (+172"
    "Status": "Status",
    "Note": "Note",
}


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def _kpi_frame(
    _scope,
    org_id: int,
    version: tuple,
    alerts_version: tuple,
    _rollout,
    rollout_id: int,
    as_of,  # noqa: ARG001 - cache keys
    window: int,
    _figures: dict | None = None,
    _desk: dict | None = None,
):
    from analysis.kpis import kpi_table

    if _scope.org_id != org_id:
        raise AssertionError("cache key and scope disagree")
    return kpi_table(_scope, _rollout, as_of, window_days=window, figures=_figures, desk=_desk)


def kpi_frame(
    scope,
    rollout,
    as_of,
    window: int,
    version: tuple,
    alerts: tuple | None = None,
    figures: dict | None = None,
    desk: dict | None = None,
) -> pd.DataFrame:
    """The KPI table's rows (analysis.kpis.kpi_table), cached by data, settings and alert versions
    (alerts: the alerts version when the page has read it already). figures, desk: the cohort and
    support figures as of the same day with the same window, when the page has them (not part of
    the key: at the same versions, day and window they are what kpi_table would compute)."""
    from analysis.alerts import alerts_version

    if alerts is None:
        alerts = cached.until_written(scope, "alerts_version", alerts_version)
    return _kpi_frame(scope, scope.org_id, version, alerts, rollout, rollout.rollout_id, as_of, window, figures, desk)


def view_alerts(view) -> list:
    """The red flags of the view's rollout as of its day, from the cache (current_alerts)."""
    return current_alerts(
        view.scope,
        view.scope.org_id,
        view.version,
        view.alerts_version,
        view.rollout,
        view.rollout.rollout_id,
        view.as_of,
    )


def with_alert_markers(view, markers: list[dict]) -> list[dict]:
    """The chart markers plus one per rule that holds now, on the day it first began to hold
    (where it holds on hover), so a time chart shows when each kind of trouble started without
    a line for every department."""
    found = view_alerts(view)
    by_rule: dict = {}
    for a in found:
        if a.state != "not_enough_data" and a.since is not None:
            first, places = by_rule.get(a.rule, (a.since, []))
            by_rule[a.rule] = (min(first, a.since), places + [where(a)])
    flags = [
        {
            "day": first,
            "kind": "red flag",
            "cohort": None,  # short along the line; where, on hover
            "short": f"red flag: {rule_title(rule).lower()}",
            "label": f"red flag {rule_title(rule).lower()} from here: " + ", ".join(places),
        }
        for rule, (first, places) in by_rule.items()
    ]
    return sorted(markers + flags, key=lambda m: (m["day"], m["kind"] != "go-live"))
