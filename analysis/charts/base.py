"""What every chart shares: the cohort colours, the layouts, and the markers (go-lives,
annotations, red flags) drawn on every time chart within the rollout's period."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analysis.words import label

COLOURS = {"champion": "#7c3aed", "wider": "#0ea5e9", "all": "#334155"}
EXTRA = ["#f59e0b", "#10b981", "#ef4444", "#64748b"]


def cohort_colour(cohort: str, index: int = 0) -> str:
    return COLOURS.get(cohort, EXTRA[index % len(EXTRA)])


WHITE = pio.templates["plotly_white"]  # every chart's template


def white(fig: go.Figure) -> go.Figure:
    """fig on Plotly's white template, put in as Plotly puts its default template in a figure: not
    validated again (it is Plotly's own). Named in update_layout, the template was validated and
    copied each time (8-10 ms): the Adoption page's five charts at 20 M events took 182 ms to build,
    75 ms so (docs/performance.md#what-each-change-bought). The same figure: tests/test_figures.py."""
    was = fig.layout._validate
    fig.layout._validate = False
    try:
        fig.layout.template = WHITE
    finally:
        fig.layout._validate = was
    return fig


# The margins Plotly's automatic margins come to on these charts in the app (tick labels, axis
# titles, the legend on top): drawn with smaller ones, a chart is laid out, measured and drawn a
# second time, about half its drawing time in the browser (docs/performance.md#pages-in-a-real-browser).
# Automatic margins stay on: a wider label (a count of 40,000, a long name) still widens them.
MARGIN = dict(l=85, r=10, t=44, b=80)


def _layout(fig: go.Figure, y_title: str, x_title: str) -> go.Figure:
    white(fig).update_layout(
        height=380,
        margin=MARGIN,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        hovermode="x unified",
        yaxis=dict(title=y_title, tickformat=".0%", rangemode="tozero"),
        xaxis=dict(title=x_title),
    )
    return fig


# -- markers: go-lives and annotations on every time chart ------------------------------------------

PHASE_FILLS = ("rgba(124, 58, 237, 0.06)", "rgba(14, 165, 233, 0.07)")  # alternate, faint: behind the data
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
    week to the end of the last (a heatmap's cells span their week). None: left to Plotly. Each
    phase's name is cut to the width of its band, so that names of short phases on a long period
    do not run into each other (the full name shows on hover)."""
    if period is None:
        return fig
    start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1])
    if weeks:
        start = start - pd.Timedelta(days=start.weekday())
        end = end - pd.Timedelta(days=end.weekday()) + pd.Timedelta(days=7)
    _fit_phase_names(fig, _ms(start), _ms(end))
    return fig.update_xaxes(range=[f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}"], autorange=False)


PHASE_NOTE = "phase"  # the name of a phase's annotation (add_markers)
PLOT_PX, CHAR_PX = 850, 6  # a time chart's plot width on a laptop screen; a 10 px character, a little over


def _fit_phase_names(fig: go.Figure, start_ms: float, end_ms: float) -> None:
    """Each phase's name cut at a word to the characters its band has room for until the next
    phase's name (or the end of the period), on a plot PLOT_PX wide; none when not even four fit.
    Example: phases of 2 weeks on a two-year axis have 17 px each: no name, the band only."""
    notes = [a for a in fig.layout.annotations if a.name == PHASE_NOTE]
    if not notes or end_ms <= start_ms:
        return
    starts = sorted(a.x for a in notes)
    for note in notes:
        following = [x for x in starts if x > note.x]
        room_px = (min([*following, end_ms]) - max(note.x, start_ms)) / (end_ms - start_ms) * PLOT_PX
        chars = int(room_px // CHAR_PX) - 1
        full = html.unescape(note.hovertext)  # the name as written (hovertext is label()'s escape of it)
        note.text = label(_short(full, min(chars, 20))) if chars >= 4 else ""


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
    # gathered, then set once: each add_vline/add_vrect/add_annotation re-validates every shape or
    # annotation already on the figure (26 ms for six markers; one assignment: a few ms). The dicts
    # are what those calls would add to a figure of one plot.
    shapes, notes = [], []
    for m in markers:
        if m["kind"] == "phase":  # a band from its first to its last day, the name at its top left
            shapes.append(
                dict(
                    type="rect",
                    x0=_ms(m["day"]),
                    x1=_ms(m["end"] + timedelta(days=1)),
                    xref="x",
                    y0=0,
                    y1=1,
                    yref="y domain",
                    fillcolor=PHASE_FILLS[m.get("index", 0) % len(PHASE_FILLS)],
                    line=dict(width=0),
                    layer="below",
                )
            )
            notes.append(
                dict(
                    name=PHASE_NOTE,  # fit_period shortens it to its band
                    x=_ms(m["day"]),
                    y=0,
                    xref="x",
                    yref="paper",
                    text=label(_short(m["label"], 20)),
                    hovertext=label(m["label"]),
                    showarrow=False,
                    xanchor="left",
                    yanchor="bottom",
                    font=dict(size=10, color="#6b7280"),
                )
            )
            continue
        if m["kind"] == "go-live" and m.get("cohort"):
            cohort = m["cohort"]
            colour = cohort_colour(cohort, order.index(cohort) if cohort in order else 0)
        else:
            colour = MARKER_COLOURS.get(m["kind"], MARKER_COLOURS["other"])
        x = _ms(m["day"])
        dash = "dash" if m["kind"] == "go-live" else "dot"
        shapes.append(
            dict(
                type="line",
                x0=x,
                x1=x,
                xref="x",
                y0=0,
                y1=1,
                yref="y domain",
                line=dict(dash=dash, color=colour, width=1.5),
            )
        )
        notes.append(
            dict(
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
        )
    if shapes:
        fig.update_layout(shapes=[*fig.layout.shapes, *shapes], annotations=[*fig.layout.annotations, *notes])
    return fig


def _plain_layout(fig: go.Figure, y_title: str, x_title: str = "", height: int = 380) -> go.Figure:
    _layout(fig, y_title, x_title)
    fig.update_layout(height=height, yaxis=dict(tickformat=None))
    return fig
