"""KPI cards: one row of st.metric per cohort."""

from __future__ import annotations

from datetime import date

import streamlit as st

from analysis import roster_history
from analysis.definitions import HELPDESK, METRICS, definitions_md
from analysis.words import cohort_label, day, hours, moment, number, pct  # worded as the report pack words them
from ui.text import literal

# one wording of each metric for the cards' help, the pages' definitions and the report pack's appendix
HELP = METRICS | HELPDESK
DEFINITIONS = definitions_md()


def cohort_cards(cohorts: dict[str, dict], window: int) -> None:
    for cohort, k in cohorts.items():
        label_md = literal(cohort_label(cohort))
        live_md = f" · go-live {day(date.fromisoformat(k['go_live']))}" if k.get("go_live") else ""
        st.markdown(f"**{label_md}**{live_md}")
        a, b, c, d = st.columns(4)
        a.metric(f"Adoption ({window:d} days)", pct(k["adoption_rate"]), help=HELP["adoption"], border=True)
        b.metric("Active people", f"{k['active_users']:,}", help=HELP["active"], border=True)
        c.metric(
            "Activated", f"{k['activated_users']:,} ({pct(k['activation_rate'])})", help=HELP["activated"], border=True
        )
        d.metric("Licensed", f"{k['licensed_users']:,}", help=HELP["licensed"], border=True)


def freshness_md(rollout, fresh: dict, as_of, window: int) -> str:
    """One caption line: the rollout, the period, the roster the figures count (when the rollout has
    rosters of more than one date: docs/metrics.md#roster-history), and how fresh each kind of data is."""
    load = moment(fresh.get("last_load"))
    period_md = f"as of **{day(as_of)}** · window {window:d} days · " if as_of else ""
    dates = fresh.get("roster_dates") or []
    if len(dates) > 1 and as_of:
        period_md += f"roster of {day(roster_history.date_on(dates, as_of))} · "
    return (
        f"{literal(rollout.name)} · {period_md}newest usage {day(fresh.get('newest_usage_day'))} · "
        f"newest ticket {day(fresh.get('newest_ticket_day'))} · last load {literal(load)}"
    )


def headline_cards(everyone: dict, tickets: dict | None, window: int, unknowable: dict[str, str] | None = None) -> None:
    """The Overview's second row: adoption and support at a glance, for all licensed people
    (unknowable: metrics.not_computable, so habit from sparse snapshots says so rather than 'not
    yet'; tickets None: no ticket loaded, shown as such rather than as zeros)."""
    st.markdown(
        f"**At a glance** · all licensed people · lapsed and resolution over {window:d} days, tickets over the last 7"
    )
    a, b, c, d, e = st.columns(5)
    habitual = everyone.get("habitual_users")
    licensed = everyone.get("licensed_users") or 0
    unknown = (unknowable or {}).get("habitual_users")
    # the label stays "Habitual"; the count of people goes under the share, never into the label
    share = pct(habitual / licensed if licensed else None) if habitual is not None else None
    a.metric(
        "Habitual",
        "—" if unknown else "not yet" if habitual is None else share,
        delta=None if unknown or habitual is None else f"{habitual:,} people",
        delta_color="off",
        delta_arrow="off",
        help=literal(unknown) if unknown else HELP["habitual"],
        border=True,
    )
    b.metric("Lapsed", f"{everyone['lapsed_users']:,}", help=HELP["lapsed"], border=True)
    none_md = "No tickets are loaded for this organisation yet. "
    c.metric(
        "Tickets per 100",
        "n/a" if tickets is None else number(tickets.get("tickets_per_100_users_7d")),
        help=(none_md if tickets is None else "") + HELP["tickets_7d"],
        border=True,
    )
    d.metric(
        "Median resolution",
        "n/a" if tickets is None else hours(tickets.get("median_resolution_hours")),
        help=(none_md if tickets is None else "") + HELP["median_resolution"],
        border=True,
    )
    e.metric(
        "Backlog",
        "n/a" if tickets is None else f"{tickets.get('backlog') or 0:,}",
        help=(none_md if tickets is None else "") + HELP["backlog"],
        border=True,
    )
    if unknown:
        st.caption(
            "Habitual people are not computable from this data: the usage comes from snapshot exports too "
            "far apart to tell week-by-week use (hover on the card for the details)."
        )


def stickiness_cards(cohorts: dict[str, dict]) -> None:
    """One card per cohort: stickiness (DAU/MAU) of metrics.cohort_figures."""
    for column, (cohort, k) in zip(st.columns(len(cohorts)), cohorts.items()):
        label_md = literal(cohort_label(cohort))
        column.metric(label_md, pct(k.get("stickiness")), help=HELP["stickiness"], border=True)


def support_cards(tickets: dict, window: int) -> None:
    """The Support page's cards: volume, speed, backlog and quality of the window."""
    a, b, c, d = st.columns(4)
    a.metric(f"Tickets ({window:d} days)", f"{tickets['tickets']:,}", help=HELP["tickets"], border=True)
    b.metric(
        "Tickets per 100 (7 days)",
        number(tickets.get("tickets_per_100_users_7d")),
        help=HELP["tickets_7d"],
        border=True,
    )
    c.metric(
        f"Median resolution ({window:d} days)",
        hours(tickets.get("median_resolution_hours")),
        help=HELP["median_resolution"],
        border=True,
    )
    d.metric(
        f"p90 resolution ({window:d} days)",
        hours(tickets.get("p90_resolution_hours")),
        help=HELP["p90_resolution"],
        border=True,
    )
    e, f, g, h = st.columns(4)
    e.metric("Backlog", f"{tickets['backlog']:,}", help=HELP["backlog"], border=True)
    f.metric(f"Reopen rate ({window:d} days)", pct(tickets.get("reopen_rate")), help=HELP["reopen_rate"], border=True)
    g.metric(
        f"Satisfaction ({window:d} days)",
        pct(tickets.get("satisfaction")),
        help=HELP["satisfaction"] + f" Rated tickets: {tickets.get('rated_tickets') or 0:,}.",
        border=True,
    )
    h.metric(
        "Resolved in the window",
        f"{tickets.get('resolved_tickets') or 0:,}",
        help="Tickets whose first resolution falls in the window.",
        border=True,
    )
    i, j, k, m = st.columns(4)
    i.metric(
        "First response",  # the card's own label is cut at this width: the rest is in its help
        f"{hours(tickets.get('median_first_response_hours'))} / {hours(tickets.get('p90_first_response_hours'))}",
        help=HELP["first_response"] + f" Median / p90 over {window:d} days; responded tickets: "
        f"{tickets.get('responded_tickets') or 0:,}.",
        border=True,
    )
    j.metric(
        "Resolved per ticket opened",
        number(tickets.get("resolved_per_opened"), 2),
        help=HELP["resolved_per_opened"],
        border=True,
    )
    absent = "—"  # the export has no such column: not a zero (said in the help; "not in export" was cut)
    none_md = " —: the loaded export has no such column, so there is no figure (not a zero)."
    k.metric(
        f"SLA met ({window:d} days)",
        pct(tickets.get("sla_met_share")) if tickets.get("sla_tickets") else absent,
        help=HELP["sla_met"] + f" Tickets with an SLA verdict: {tickets.get('sla_tickets') or 0:,}." + none_md,
        border=True,
    )
    m.metric(
        "Resolution in business hours",
        hours(tickets.get("median_business_resolution_hours")) if tickets.get("business_timed_resolutions") else absent,
        help=HELP["business_resolution"] + none_md,
        border=True,
    )


ADOPTION_DEFINITIONS = {
    "by_age": "Adoption by age: for each day k since a cohort's go-live, the share of its licensed people with a "
    "use in the 7 days ending that day (use just before go-live counts). The dotted lines are the target "
    "and the age it is due by.",
    "weekly": "Weekly active people: per ISO week (Monday to Sunday), the cohort's licensed people with at least one "
    "use of the rollout's activities in it. The newest week counts up to the as-of date.",
    "funnel": "Licensed: on the roster with a licence. Activated: used it on or after their cohort's go-live. "
    "Active: activated and used it in the window. Habitual: activated, active and used it in at least 9 "
    "of the 12 weeks ending with the as-of week (judged only 84 days after go-live).",
    "stickiness": "Stickiness (DAU/MAU): the people active on each day of the window, averaged over its days, divided "
    "by the people active in the window. 100 % would be everyone active every day.",
    "first_use": "Days to first use: for each activated person, the days from their cohort's go-live to their first "
    "use on or after it (0 = on the go-live day).",
    "departments": "Per department and ISO week: the share of the department's licensed people (of the chosen "
    "cohort) who used it that week. The table gives the window's figures: active, adoption "
    "(active / licensed), activated, lapsed and never-used people. By activity: the share of the cohort's "
    "licensed people who used that activity in the window. By a roster column (Location, Manager...): the "
    'department figures per value of the column; people with no value are "(not given)".',
    "lists": "Lapsed: used it after their go-live, but not in the window. Never used: licensed, with no use at "
    "all up to the as-of date. Last use is the newest day with a use up to the as-of date.",
}


def department_columns(window: int) -> dict:
    """How the department table's columns are shown."""
    return {
        "department": "Department",
        "licensed_users": "Licensed",
        "active_users": f"Active ({window:d} days)",
        "adoption_rate": st.column_config.ProgressColumn("Adoption", format="percent", min_value=0, max_value=1),
        "activated_users": "Activated",
        "activation_rate": st.column_config.NumberColumn("Activation", format="percent"),
        "lapsed_users": "Lapsed",
        "never_used": "Never used",
    }


SUPPORT_DEFINITIONS = {
    "per_100": "Tickets per 100 people: per ISO week, 100 x tickets in the rollout's scope created that week / the "
    "rollout's licensed people; per cohort, the cohort's requesters' tickets / its licensed people. "
    "Tickets from people on no roster count for everyone only. The newest week counts up to the as-of "
    "date. The baseline is the 28 days before the first go-live.",
    "backlog": "Backlog: tickets created on or before the day and not resolved by its end (a ticket closed without "
    "a resolution time counts as resolved).",
    "categories": 'Ticket counts per category (missing: "(none)") in the 28 days before the go-live and from the '
    "go-live to the as-of date, as shares of each period's tickets; the top 5 of either period.",
}


def people_columns(never_used: bool = False) -> dict:
    """How the lapsed and never-used lists are shown (the CSV download has every column)."""
    shown = {"display_name": "Name", "department": "Department", "cohort": "Cohort"}
    if not never_used:
        shown["last_use"] = st.column_config.DateColumn("Last use", format="D MMM YYYY")
    return shown
