"""Plotly figures. Champion is always the same colour, the wider rollout another.

Streamlit-free: the pages show them and the report pack (analysis.reports.pack) draws them."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from analysis.words import label

COLOURS = {"champion": "#7c3aed", "wider": "#0ea5e9", "all": "#334155"}
EXTRA = ["#f59e0b", "#10b981", "#ef4444", "#64748b"]


def cohort_colour(cohort: str, index: int = 0) -> str:
    return COLOURS.get(cohort, EXTRA[index % len(EXTRA)])


def _layout(fig: go.Figure, y_title: str, x_title: str) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=380,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        hovermode="x unified",
        yaxis=dict(title=y_title, tickformat=".0%", rangemode="tozero"),
        xaxis=dict(title=x_title),
    )
    return fig


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


# -- markers: go-lives and annotations on every time chart ------------------------------------------

MARKER_COLOURS = {
    "training": "#16a34a",
    "communication": "#0891b2",
    "remediation": "#dc2626",
    "go-live": "#7c3aed",
    "red flag": "#e11d48",
    "other": "#64748b",
}


def _ms(day) -> float:
    """A date as Plotly's milliseconds (vertical lines with a label on a date axis need a number)."""
    return pd.Timestamp(day).timestamp() * 1000


def in_period(markers: list[dict], start: date, end: date) -> tuple[list[dict], list[dict]]:
    """The markers dated in [start, end] (drawn) and the others (said in a caption instead): a
    marker years away would otherwise stretch the chart's axis and squeeze the rollout to a sliver."""
    inside = [m for m in markers if start <= m["day"] <= end]
    return inside, [m for m in markers if not start <= m["day"] <= end]


def fit_period(fig: go.Figure, period: tuple[date, date] | None, weeks: bool = False) -> go.Figure:
    """The x axis set to the period (the rollout's: analysis.settings.chart_start to the as-of
    date), not stretched to whatever the figure holds; with weeks, from the Monday of the first
    week to the end of the last (a heatmap's cells span their week). None: left to Plotly."""
    if period is None:
        return fig
    start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1])
    if weeks:
        start = start - pd.Timedelta(days=start.weekday())
        end = end - pd.Timedelta(days=end.weekday()) + pd.Timedelta(days=7)
    return fig.update_xaxes(range=[f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}"], autorange=False)


def _short(text: str, limit: int = 38) -> str:
    """text cut to limit characters at a word's end, never inside a word ("WORKA…").
    Example: ("Training session: drop-in clinic", 24) -> "Training session: drop-in…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" :,;") + "…"


def marker_text(marker: dict, limit: int = 38) -> str:
    """A marker's label along its line: its own short label when it has one (a red flag's rule),
    else its label shortened at a word's end; the full label shows on hover."""
    return marker.get("short") or _short(marker["label"], limit)


def add_markers(
    fig: go.Figure, markers: list[dict], cohorts: list[str] | None = None, above: bool = False
) -> go.Figure:
    """A vertical line per go-live (dashed, in the cohort's colour) and per annotation (dotted, by
    kind), each labelled along its line (above the plot when `above`, for a heatmap whose cells
    the labels would hide); the full note shows on hover."""
    order = list(cohorts or [])
    for m in markers:
        if m["kind"] == "go-live" and m.get("cohort"):
            cohort = m["cohort"]
            colour = cohort_colour(cohort, order.index(cohort) if cohort in order else 0)
        else:
            colour = MARKER_COLOURS.get(m["kind"], MARKER_COLOURS["other"])
        x = _ms(m["day"])
        fig.add_vline(x=x, line_dash="dash" if m["kind"] == "go-live" else "dot", line_color=colour, line_width=1.5)
        fig.add_annotation(
            x=x,
            y=1,
            xref="x",
            yref="paper",
            text=label(marker_text(m, 18 if above else 38)),
            hovertext=label(m["label"]),
            showarrow=False,
            textangle=-90,
            xanchor="right",
            yanchor="bottom" if above else "top",
            font=dict(size=11, color=colour),
            bgcolor="rgba(255,255,255,0.7)",
        )
    return fig


def _plain_layout(fig: go.Figure, y_title: str, x_title: str = "", height: int = 380) -> go.Figure:
    _layout(fig, y_title, x_title)
    fig.update_layout(height=height, yaxis=dict(tickformat=None))
    return fig


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
    fig.update_layout(
        template="plotly_white",
        barmode="group",
        height=120 + 70 * len(STAGES),
        margin=dict(l=10, r=60, t=30, b=10),
        legend=dict(orientation="h", y=1.08, x=0),
        xaxis=dict(title="share of the cohort's licensed people", tickformat=".0%", range=[0, 1.15]),
        yaxis=dict(autorange="reversed", title=""),
    )
    return fig


def days_to_first_use_chart(frame: pd.DataFrame) -> go.Figure:
    """How many days after their cohort's go-live people first used it, per cohort (share of the
    cohort's activated people per day)."""
    fig = go.Figure()
    cohorts = list(dict.fromkeys(frame["cohort"]))
    for i, cohort in enumerate(cohorts):
        part = frame[frame["cohort"] == cohort]
        fig.add_trace(
            go.Histogram(
                x=part["days_to_first_use"],
                name=f"{label(cohort.capitalize())} ({len(part):,} people)",
                histnorm="percent",
                xbins=dict(start=-0.5, size=1),
                marker_color=cohort_colour(cohort, i),
                hovertemplate="day %{x}: %{y:.1f}% of the cohort's activated people<extra>"
                + label(cohort)
                + "</extra>",
            )
        )
    fig.update_layout(
        template="plotly_white",
        barmode="group",
        bargap=0.15,
        height=340,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        xaxis=dict(title="days from go-live to first use", rangemode="tozero"),
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
    fig.update_layout(
        template="plotly_white",
        height=180 + 34 * len(order),
        margin=dict(l=10, r=10, t=110, b=10),
        yaxis=dict(autorange="reversed", title=""),
        xaxis=dict(title="week (Monday)"),
    )
    fig = add_markers(fig, markers or [], [m["cohort"] for m in markers or [] if m.get("cohort")], above=True)
    return fit_period(fig, period, weeks=True)


# -- Support page -----------------------------------------------------------------------------------


def tickets_per_100_chart(
    frame: pd.DataFrame,
    markers: list[dict],
    baseline: tuple | None,
    go_lives: dict,
    after_days: int = 28,
    period: tuple[date, date] | None = None,
) -> go.Figure:
    """Tickets per 100 licensed people per ISO week, for everyone and per requester cohort; the
    baseline window shaded grey, the weeks after each go-live shaded in the cohort's colour."""
    fig = go.Figure()
    cohorts = list(dict.fromkeys(frame["cohort"]))
    order = [c for c in cohorts if c != "all"]
    for cohort in cohorts:
        part = frame[frame["cohort"] == cohort]
        is_all = cohort == "all"
        colour = cohort_colour(cohort, order.index(cohort) if cohort in order else 0)
        so_far = ["" if c else " (week so far)" for c in part["complete"]]
        fig.add_trace(
            go.Scatter(
                x=part["week_start"],
                y=part["tickets_per_100_users"],
                mode="lines+markers",
                name="Everyone" if is_all else label(cohort.capitalize()),
                line=dict(color=colour, width=3 if is_all else 2, dash="dash" if is_all else "solid"),
                customdata=list(zip(part["tickets"], part["licensed_users"], so_far)),
                hovertemplate="%{y:.1f} per 100 (%{customdata[0]} tickets, %{customdata[1]} people)%{customdata[2]}"
                "<extra>" + ("everyone" if is_all else label(cohort)) + "</extra>",
            )
        )
    if baseline:
        fig.add_vrect(
            x0=_ms(baseline[0]),
            x1=_ms(pd.Timestamp(baseline[1]) + pd.Timedelta(days=1)),
            fillcolor="#94a3b8",
            opacity=0.18,
            line_width=0,
            layer="below",
        )
        _legend_swatch(fig, "baseline", "#94a3b8", 0.35)
    for cohort, day in go_lives.items():
        colour = cohort_colour(cohort, order.index(cohort) if cohort in order else 0)
        fig.add_vrect(
            x0=_ms(day),
            x1=_ms(pd.Timestamp(day) + pd.Timedelta(days=after_days)),
            fillcolor=colour,
            opacity=0.08,
            line_width=0,
            layer="below",
        )
        _legend_swatch(fig, f"{after_days // 7} weeks after {cohort} go-live", colour, 0.2)
    _plain_layout(fig, "tickets per 100 people", "week (Monday)")
    return fit_period(add_markers(fig, markers, order), period, weeks=True)


def _legend_swatch(fig: go.Figure, name: str, colour: str, opacity: float) -> None:
    """A legend entry for a shaded band (bands have none of their own)."""
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=label(name),
            hoverinfo="skip",
            marker=dict(symbol="square", size=14, color=colour, opacity=opacity),
        )
    )


def backlog_chart(frame: pd.DataFrame, markers: list[dict], period: tuple[date, date] | None = None) -> go.Figure:
    """Open tickets at the end of each day."""
    fig = go.Figure(
        go.Scatter(
            x=frame["day"],
            y=frame["backlog"],
            mode="lines",
            fill="tozeroy",
            name="Backlog",
            line=dict(color=COLOURS["all"], width=2),
            hovertemplate="%{x|%d %b %Y}: %{y} open<extra></extra>",
        )
    )
    _plain_layout(fig, "open tickets at the end of the day", height=320)
    fig.update_layout(showlegend=False)
    return fit_period(add_markers(fig, markers, [m["cohort"] for m in markers if m.get("cohort")]), period)


def top_categories_chart(frame: pd.DataFrame, before: str, after: str) -> go.Figure:
    """Each category's share of the tickets before and after a go-live."""
    fig = go.Figure()
    for side, title, colour in (("before", before, "#94a3b8"), ("after", after, "#0ea5e9")):
        fig.add_trace(
            go.Bar(
                y=[label(c) for c in frame["category"]],
                x=frame[f"share_{side}"],
                orientation="h",
                name=label(title),
                marker_color=colour,
                text=[
                    f"{int(n):,} ({s:.0%})" if pd.notna(s) else "0"
                    for n, s in zip(frame[f"tickets_{side}"].fillna(0), frame[f"share_{side}"])
                ],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{text}<extra>" + label(title) + "</extra>",
            )
        )
    fig.update_layout(
        template="plotly_white",
        barmode="group",
        height=120 + 60 * len(frame),
        margin=dict(l=10, r=60, t=30, b=10),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        xaxis=dict(title="share of the tickets", tickformat=".0%", rangemode="tozero"),
        yaxis=dict(autorange="reversed", title=""),
    )
    return fig
