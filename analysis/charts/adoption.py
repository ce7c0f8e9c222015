"""The Overview's and the Adoption page's charts."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from analysis.charts.base import MARGIN, _layout, _plain_layout, add_markers, cohort_colour, fit_period, white
from analysis.words import label


def adoption_by_age_chart(frame: pd.DataFrame, target: float, target_age: int) -> go.Figure:
    """Each cohort's 7-day adoption from its own go-live, so cohorts compare at the same age."""
    fig = go.Figure()
    for i, (cohort, part) in enumerate(frame[frame["age_days"] >= 0].groupby("cohort", sort=False)):
        fig.add_trace(
            go.Scatter(
                x=part["age_days"],
                y=part["adoption"],
                mode="lines",
                name=label(cohort.capitalize()),
                line=dict(color=cohort_colour(cohort, i), width=3),
                customdata=part[["active_7d", "licensed_users"]],
                hovertemplate="%{y:.0%} (%{customdata[0]} of %{customdata[1]})<extra>" + label(cohort) + "</extra>",
            )
        )
    fig.add_hline(
        y=target,
        line_dash="dot",
        line_color="#16a34a",
        annotation_text=f"target {target:.0%} by day {target_age:d}",
        annotation_position="top left",
    )
    fig.add_vline(x=target_age, line_dash="dot", line_color="#16a34a")
    return _layout(fig, "people active in the last 7 days", "days since the cohort's go-live")


def adoption_calendar_chart(
    frame: pd.DataFrame,
    go_lives: dict[str, date],
    markers: list[dict] | None = None,
    period: tuple[date, date] | None = None,
) -> go.Figure:
    """The same 7-day adoption on the calendar, with each cohort's go-live marked (and the
    annotations, when markers from analysis.annotations.markers are given)."""
    fig = go.Figure()
    for i, (cohort, part) in enumerate(frame.groupby("cohort", sort=False)):
        fig.add_trace(
            go.Scatter(
                x=part["day"],
                y=part["adoption"],
                mode="lines",
                name=label(cohort.capitalize()),
                line=dict(color=cohort_colour(cohort, i), width=3),
                customdata=part[["active_7d", "licensed_users"]],
                hovertemplate="%{y:.0%} (%{customdata[0]} of %{customdata[1]})<extra>" + label(cohort) + "</extra>",
            )
        )
    if markers is not None:
        return fit_period(
            add_markers(_layout(fig, "people active in the last 7 days", ""), markers, list(go_lives)), period
        )
    for i, (cohort, day) in enumerate(go_lives.items()):
        x = pd.Timestamp(day).timestamp() * 1000
        fig.add_vline(
            x=x,
            line_dash="dash",
            line_color=cohort_colour(cohort, i),
            annotation_text=f"{label(cohort)} go-live",
            annotation_position="top right",
        )
    return fit_period(_layout(fig, "people active in the last 7 days", ""), period)


def snapshot_adoption_chart(
    frame: pd.DataFrame, window: int, markers: list[dict], period: tuple[date, date] | None = None
) -> go.Figure:
    """Adoption at each snapshot export's refresh date (the w-day window ending there), per
    cohort: what monthly Microsoft 365 snapshots can tell, without inventing the days between."""
    fig = go.Figure()
    cohorts = list(dict.fromkeys(frame["cohort"]))
    for i, cohort in enumerate(cohorts):
        part = frame[frame["cohort"] == cohort]
        fig.add_trace(
            go.Scatter(
                x=part["snapshot"],
                y=part["adoption"],
                mode="lines+markers",
                name=label(cohort.capitalize()),
                line=dict(color=cohort_colour(cohort, i), width=3, dash="dot" if cohort == "all" else "solid"),
                marker=dict(size=9),
                customdata=part[["active_users", "licensed_users"]],
                hovertemplate="%{y:.0%} (%{customdata[0]} of %{customdata[1]})<extra>" + label(cohort) + "</extra>",
            )
        )
    _layout(fig, f"people active in the {window} days before", "snapshot refresh date")
    return fit_period(add_markers(fig, markers, [c for c in cohorts if c != "all"]), period)


# -- Adoption page ----------------------------------------------------------------------------------


def weekly_active_chart(frame: pd.DataFrame, markers: list[dict], period: tuple[date, date] | None = None) -> go.Figure:
    """Weekly active people per cohort on the calendar (ISO weeks, by their Monday); the last
    week, counted up to the as-of date, is dotted."""
    fig = go.Figure()
    parts = frame[frame["cohort"] != "all"]
    cohorts = list(dict.fromkeys(parts["cohort"]))
    for i, cohort in enumerate(cohorts):
        part = parts[parts["cohort"] == cohort]
        colour = cohort_colour(cohort, i)
        custom = part[["licensed_users", "week_end"]].assign(week_end=part["week_end"].astype(str))
        full = part[part["complete"]]
        fig.add_trace(
            go.Scatter(
                x=full["week_start"],
                y=full["active_users"],
                mode="lines+markers",
                name=label(cohort.capitalize()),
                line=dict(color=colour, width=3),
                customdata=custom[part["complete"]],
                hovertemplate="%{y} of %{customdata[0]} people<extra>" + label(cohort) + "</extra>",
            )
        )
        tail = part.tail(2) if not part["complete"].iloc[-1] else part.iloc[0:0]
        if len(tail):
            fig.add_trace(
                go.Scatter(
                    x=tail["week_start"],
                    y=tail["active_users"],
                    mode="lines+markers",
                    showlegend=False,
                    line=dict(color=colour, width=2, dash="dot"),
                    marker=dict(symbol="circle-open", size=9),
                    customdata=custom.tail(2),
                    hovertemplate="%{y} of %{customdata[0]} people (week so far, to %{customdata[1]})<extra>"
                    + label(cohort)
                    + "</extra>",
                )
            )
    _plain_layout(fig, "people active in the week", "week (Monday)")
    return fit_period(add_markers(fig, markers, cohorts), period, weeks=True)


STAGES = {
    "licensed": "Licensed",
    "activated": "Activated",
    "active": "…and active in the window",
    "habitual": "…and habitual",
}


def adoption_funnel_chart(frame: pd.DataFrame) -> go.Figure:
    """The funnel per cohort as shares of its licensed people: licensed -> activated -> activated
    and active -> activated, active and habitual (left out while habit cannot be judged)."""
    fig = go.Figure()
    shown = frame[frame["people"].notna()]
    cohorts = list(dict.fromkeys(shown["cohort"]))
    for i, cohort in enumerate(cohorts):
        part = shown[shown["cohort"] == cohort].sort_values("step")
        labels = [STAGES.get(s, s) for s in part["stage"]]
        text = [
            f"{int(p):,} ({s:.0%})" if pd.notna(s) else f"{int(p):,}"
            for p, s in zip(part["people"], part["share_of_licensed"])
        ]
        fig.add_trace(
            go.Bar(
                y=labels,
                x=part["share_of_licensed"],
                orientation="h",
                name="All licensed people" if cohort == "all" else label(cohort.capitalize()),
                marker_color=cohort_colour(cohort, i),
                text=text,
                textposition="outside",
                hovertemplate="%{text}<extra>" + label(cohort) + "</extra>",
                cliponaxis=False,
            )
        )
    white(fig).update_layout(
        barmode="group",
        height=120 + 70 * len(STAGES),
        # a little over what its fixed stage names come to (189-191 px): drawn once (base.MARGIN)
        margin=dict(l=195, r=60, t=40, b=70),
        legend=dict(orientation="h", y=1.08, x=0),
        xaxis=dict(title="share of the cohort's licensed people", tickformat=".0%", range=[0, 1.15]),
        yaxis=dict(autorange="reversed", title=""),
    )
    return fig


# a day's own bar up to this many days after go-live; later first uses share one bar, "91+": per
# day over a long rollout drew hundreds of one-pixel bars (1,446 over 723 days in a real Moodle
# course, three fifths of its Adoption page's elements) and hid the first weeks, which matter
LAST_DAY_SHOWN = 90


def days_to_first_use_chart(frame: pd.DataFrame) -> go.Figure:
    """How many days after their cohort's go-live people first used it, per cohort (share of the
    cohort's activated people per day), a day at a time to day 90 and later first uses together
    (at x = 92, labelled 91+). Days with nobody have no bar."""
    fig = go.Figure()
    cohorts = list(dict.fromkeys(frame["cohort"]))
    late = (frame["days_to_first_use"] > LAST_DAY_SHOWN).any()
    for i, cohort in enumerate(cohorts):
        days = frame.loc[frame["cohort"] == cohort, "days_to_first_use"]
        counts = days.where(days <= LAST_DAY_SHOWN, LAST_DAY_SHOWN + 2).value_counts().sort_index()
        fig.add_trace(
            go.Bar(
                x=counts.index,
                y=counts / len(days) * 100,
                name=f"{label(cohort.capitalize())} ({len(days):,} people)",
                marker_color=cohort_colour(cohort, i),
                customdata=[
                    f"day {d}" if d <= LAST_DAY_SHOWN else f"day {LAST_DAY_SHOWN + 1} or later" for d in counts.index
                ],
                hovertemplate="%{customdata}: %{y:.1f}% of the cohort's activated people<extra>"
                + label(cohort)
                + "</extra>",
            )
        )
    weeks = list(range(0, LAST_DAY_SHOWN + 1, 14))
    ticks = dict(
        tickmode="array", tickvals=[*weeks, LAST_DAY_SHOWN + 2], ticktext=[*map(str, weeks), f"{LAST_DAY_SHOWN + 1}+"]
    )
    white(fig).update_layout(
        barmode="group",
        bargap=0.15,
        height=340,
        margin=MARGIN,
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        xaxis=dict(title="days from go-live to first use", rangemode="tozero", **(ticks if late else {})),
        yaxis=dict(title="% of activated people", ticksuffix="%"),
    )
    return fig


def department_heatmap_chart(
    frame: pd.DataFrame, order: list[str], markers: list[dict] | None = None, period: tuple[date, date] | None = None
) -> go.Figure:
    """Department x week adoption (share of the department's licensed people active that week),
    red to green, the departments in `order` from the top (weakest first); go-lives and
    annotations as lines between the weeks."""
    table = frame.pivot(index="department", columns="week_start", values="adoption").reindex(order)
    active = frame.pivot(index="department", columns="week_start", values="active_users").reindex(order)
    licensed = frame.pivot(index="department", columns="week_start", values="licensed_users").reindex(order)
    custom_rows = list(zip(active.values.tolist(), licensed.values.tolist()))
    weeks = list(table.columns)
    custom = [[[a, n, f"{pd.Timestamp(w):%d %b}"] for a, n, w in zip(ra, rn, weeks)] for ra, rn in custom_rows]
    fig = go.Figure(
        go.Heatmap(  # each cell spans its week, Monday to Sunday, so a go-live line sits on its edge
            z=table.values,
            x=[pd.Timestamp(w) + pd.Timedelta(days=3.5) for w in weeks],
            y=[label(d) for d in table.index],
            zmin=0,
            zmax=1,
            colorscale="RdYlGn",
            texttemplate="%{z:.0%}",
            textfont=dict(size=10),
            customdata=custom,
            xgap=1,
            ygap=1,
            colorbar=dict(title="adoption", tickformat=".0%"),
            hovertemplate="%{y}, week of %{customdata[2]}: %{z:.0%} (%{customdata[0]} of %{customdata[1]})"
            "<extra></extra>",
        )
    )
    white(fig).update_layout(
        height=180 + 34 * len(order),
        margin=dict(l=10, r=10, t=110, b=10),
        yaxis=dict(autorange="reversed", title=""),
        xaxis=dict(title="week (Monday)"),
    )
    fig = add_markers(fig, markers or [], [m["cohort"] for m in markers or [] if m.get("cohort")], above=True)
    return fit_period(fig, period, weeks=True)
