"""What the pack says: report_contents() reads every figure through the organisation's Scope,
with the functions the pages use (so the pack says what the app says), and turns them into plain
texts and tables of strings that analysis.reports.powerpoint and analysis.reports.pdf lay out."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from analysis import alerts, branding, kpis, metrics, onboarding, orgs, phases, settings, support
from analysis.alerts import rule_title, where
from analysis.annotations import markers as chart_markers
from analysis.orgs import Rollout
from analysis.privacy import OTHER, fold_small_groups
from analysis.reports.appendix import appendix_sections
from analysis.reports.cover import cover_rows
from analysis.reports.helpdesk import helpdesk_table
from analysis.reports.model import Chart, ReportContents, Section, Table, kpi_line  # noqa: F401 (re-exported)
from analysis.reports.since import comparison_section
from analysis.reports.story import story_sections
from analysis.scope import Scope
from analysis.summary import summary
from analysis.words import cohort_label as _cohort_words
from analysis.words import day, hours, number, pct, plain

# What fits a slide (13.33 x 7.5 in) and an A4 landscape page without shrinking the text.
MAX_FLAGS = 6
MAX_DEPARTMENTS = 8


def report_contents(
    scope: Scope,
    rollout: Rollout,
    as_of: date,
    window: int | None = None,
    now: datetime | None = None,
    compare: str | None = None,
) -> ReportContents:
    """Everything the pack says about the rollout as of a day, read through the scope ('export');
    with compare, a section of now against then after the KPI table (analysis/comparison.py)."""
    scope.require("export")
    window = window or rollout.window_days
    now = now or datetime.now()
    cohorts = metrics.cohort_figures(scope, rollout, as_of, window)
    unknowable = metrics.not_computable(scope, rollout)
    fresh = metrics.freshness(scope, rollout)
    tickets = support.support_kpis(scope, rollout, as_of, window) if fresh.get("newest_ticket_day") else None
    chosen = kpis.baseline(scope, rollout, None, as_of, window)
    found = alerts.evaluate_alerts(scope, rollout, as_of=as_of, record=False)
    markers = chart_markers(scope, rollout, settings.chart_start(rollout, as_of), as_of)  # the charts' period
    rows = kpis.kpi_rows(scope, rollout, as_of, window_days=window)
    departments = _department_frame(scope, rollout, as_of, window)
    sections = [
        _headline(cohorts, unknowable, tickets, found, as_of, window),
        _adoption_chart(scope, rollout, as_of, window, unknowable, markers),
        _kpis(rows, chosen),
        *([comparison_section(scope, rollout, as_of, window, compare)] if compare else []),
        _red_flags(found, as_of, scope.principal),
        _departments(scope, *departments, as_of, window),
        *story_sections(scope, rollout, as_of, window),
    ]
    weekly = support.weekly_tickets(scope, rollout, as_of) if tickets is not None else None
    if weekly is not None and weekly["tickets"].any():  # as the Support page decides
        sections.append(
            _support_chart(
                rollout,
                weekly,
                markers,
                (chosen.start, chosen.end) if chosen is not None else kpis.baseline_window(scope, rollout),
            )
        )
    elif weekly is not None:  # a flat chart would read as a quiet desk
        first = weekly["week_start"].min() if not weekly.empty else as_of
        sections.append(
            Section(
                "Support desk, week by week",
                f"From {day(first)} to {day(as_of)}.",
                [onboarding.no_tickets_in_period(scope, bool(rollout.ticket_categories or rollout.ticket_keywords))],
            )
        )
    sections += appendix_sections(scope)
    provider = branding.branding(scope.store)
    return ReportContents(
        organisation=plain(_organisation_name(scope)),
        rollout=plain(rollout.name),
        as_of=as_of,
        window_days=window,
        synthetic=orgs.is_synthetic(scope),
        prepared_by=plain(scope.principal.name),
        prepared_at=now,
        cover=cover_rows(rollout, as_of, window, chosen, fresh, scope.principal.name, now),
        sections=sections,
        figures={"cohorts": cohorts, "support": tickets, "red_flags": alerts.red_flag_counts(found)},
        summary=summary(
            rows, departments[1], alerts.red_flag_counts(found), phases.results(scope, rollout, as_of, window)
        ),
        provider=plain(provider.name),
        logo=provider.logo,
    )


def _organisation_name(scope: Scope) -> str:
    seen = orgs.organisations(scope.store, scope.principal)
    return str(seen.loc[seen["org_id"] == scope.org_id, "name"].iloc[0])


def _habit(figures: dict, unknowable: dict) -> str:
    if "habitual_users" in unknowable:
        return "not computable from this data"
    habitual, licensed = figures.get("habitual_users"), figures.get("licensed_users")
    if habitual is None:
        return "not yet"
    return f"{habitual:,} ({pct(habitual / licensed if licensed else None)})"


def cohort_label(cohort: str) -> str:
    return _cohort_words(plain(cohort))


def _headline(cohorts: dict, unknowable: dict, tickets: dict | None, found: list, as_of: date, window: int) -> Section:
    rows = [
        [
            cohort_label(c),
            day(date.fromisoformat(f["go_live"])) if f.get("go_live") else "",
            pct(f["adoption_rate"]),
            f"{f['active_users']:,} of {f['licensed_users']:,}",
            f"{f['activated_users']:,} ({pct(f['activation_rate'])})",
            _habit(f, unknowable),
            f"{f['lapsed_users']:,}",
        ]
        for c, f in cohorts.items()
    ]
    table = Table(
        ["Cohort", "Go-live", f"Adoption ({window} days)", "Active / licensed", "Activated", "Habitual", "Lapsed"],
        rows,
        [2.0, 1.4, 1.4, 1.4, 1.4, 2.8, 0.9],
        size=14,
    )
    blocks: list = [table]
    if tickets is None:
        blocks.append(
            "Support desk: no tickets loaded for this organisation, so there are no support figures "
            "(missing data is not a quiet helpdesk)."
        )
    else:
        blocks.append(
            Table(
                [
                    "Support desk",
                    "Tickets per 100 people (7 days)",
                    f"Median resolution ({window} days)",
                    "Backlog (open tickets)",
                ],
                [
                    [
                        cohort_label("all"),
                        number(tickets.get("tickets_per_100_users_7d")),
                        hours(tickets.get("median_resolution_hours")),
                        f"{tickets.get('backlog') or 0:,}",
                    ]
                ],
                [2.2, 2.4, 2.4, 2.0],
                size=14,
            )
        )
        blocks.append(helpdesk_table(tickets, window))
    counts = alerts.red_flag_counts(found)
    held = counts["high"] + counts["medium"]
    blocks.append(
        f"Open red flags: {held} ({counts['high']} high, {counts['medium']} medium)." if held else "No open red flag."
    )
    return Section(
        "Headline figures",
        f"Adoption: the licensed people who used it in the {window} days to {day(as_of)}. Activated: "
        "used it at least once since their cohort's go-live. Habitual: used it in 9 of the last 12 "
        "weeks (judged from day 84). Lapsed: used it after go-live, but not in the window.",
        blocks,
    )


def _adoption_chart(
    scope: Scope, rollout: Rollout, as_of: date, window: int, unknowable: dict, markers: list[dict]
) -> Section:
    why = unknowable.get("adoption_by_age")
    if why:
        frame = metrics.snapshot_adoption(scope, rollout, as_of, window)
        blocks: list = [why]
        blocks.append(
            Chart("snapshot_adoption", frame, {"window": window, "markers": markers})
            if not frame.empty
            else "No snapshot up to this day."
        )
        return Section(
            "Adoption at each snapshot",
            f"What the snapshot exports do tell: the share of each cohort's licensed people active in "
            f"the {window} days before each refresh date (exact there; nothing is drawn between).",
            blocks,
        )
    frame = metrics.rolling_adoption(scope, rollout, as_of)
    return Section(
        "Adoption by age: each cohort from its own go-live",
        "The share of each cohort's licensed people who used it in the last 7 days, counted from that "
        "cohort's go-live, so the wider rollout is compared with the champions at the same age. Dotted "
        f"green: the target, {rollout.target_adoption:.0%} by day {rollout.target_age_days}.",
        [Chart("adoption", frame, {"target": rollout.target_adoption, "target_age": rollout.target_age_days})],
    )


def _kpis(rows: list, chosen) -> Section:
    """The KPI table (a rollout of two cohorts has 14 rows: one slide)."""
    lines = [[plain(v) if k in ("Cohort", "Note") else v for k, v in kpi_line(r).items()] for r in rows]
    name = "the computed baseline" if chosen is None or not chosen.locked else f"the baseline '{plain(chosen.name)}'"
    return Section(
        "KPIs: baseline, now and target",
        f"Each KPI against {name} and its target; before a target's due age the status compares with "
        "the target all the same and the note says when it is due.",
        [
            Table(
                ["KPI", "Cohort", "Baseline", "Now", "Target", "Change", "Status", "Note"],
                lines,
                [2.5, 1.0, 0.8, 0.8, 0.8, 1.3, 1.0, 3.7],
                size=10.5,
            )
        ],
    )


def _where(alert) -> str:
    text = plain(where(alert))
    return text if alert.department else text[:1].upper() + text[1:]


def _red_flags(found: list, as_of: date, reader=None) -> Section:
    held = sorted((a for a in found if a.state != "not_enough_data"), key=lambda a: a.severity != "high")
    unjudged = [a for a in found if a.state == "not_enough_data"]
    counts = alerts.red_flag_counts(found)
    rows = [
        [
            a.severity.capitalize() + ("" if a.state == "firing" else f" · {a.state}"),
            _where(a),
            day(a.since) if a.since else "",
            plain(onboarding.for_reader(a.message, reader)),
            plain(onboarding.for_reader(a.action, reader)),
        ]
        for a in held[:MAX_FLAGS]
    ]
    blocks: list = []
    if rows:
        blocks.append(
            Table(["Severity", "Where", "Since", "What we see", "Next step"], rows, [1.2, 1.7, 1.2, 4.6, 2.9])
        )
    else:
        blocks.append("No open red flag: every rule that can be judged is clear.")
    if len(held) > MAX_FLAGS:
        rest = pd.Series([rule_title(a.rule) for a in held[MAX_FLAGS:]]).value_counts(sort=False)
        blocks.append(
            f"... and {len(held) - MAX_FLAGS} more open red flags ("
            + ", ".join(f"{rule}: {n}" for rule, n in rest.items())
            + "): the Red flags page lists them all, with the evidence."
        )
    if unjudged:  # a rule may be judged for one cohort and not yet for another
        names = sorted({rule_title(a.rule) for a in unjudged})
        checks = "1 check cannot" if len(unjudged) == 1 else f"{len(unjudged)} checks cannot"
        blocks.append(
            f"{checks} be judged yet (not enough data), of {len(names)} "
            f"{'rule' if len(names) == 1 else 'rules'}: {', '.join(names)}."
        )
    return Section(
        "Red flags: what needs attention",
        f"{counts['high'] + counts['medium']} open ({counts['high']} high, {counts['medium']} medium), "
        f"judged as of {day(as_of)} with the rollout's own window and baseline; high first.",
        blocks,
    )


def _department_frame(scope: Scope, rollout: Rollout, as_of: date, window: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every department's figures over all cohorts, weakest adoption first, as the person asking may
    see them: for client leadership groups under 5 people fold as on screen (ui.session.departments)."""
    figures = metrics.department_kpis(scope, rollout, as_of, window)
    every = figures[figures["cohort"] == "all"].drop(columns="cohort")
    shown = (
        fold_small_groups(
            every,
            "department",
            "licensed_users",
            ratios={
                "adoption_rate": ("active_users", "licensed_users"),
                "activation_rate": ("activated_users", "licensed_users"),
            },
        )
        if scope.principal.is_client
        else every
    )
    return every, shown.sort_values(["adoption_rate", "department"]).reset_index(drop=True)


def _departments(scope: Scope, every: pd.DataFrame, shown: pd.DataFrame, as_of: date, window: int) -> Section:
    client = scope.principal.is_client
    rows = [
        [
            plain(r.department),
            f"{int(r.licensed_users):,}",
            f"{int(r.active_users):,}",
            pct(r.adoption_rate),
            f"{int(r.activated_users):,} ({pct(r.activation_rate)})",
            f"{int(r.lapsed_users):,}",
            f"{int(r.never_used):,}",
        ]
        for r in shown.head(MAX_DEPARTMENTS).itertuples()
    ]
    blocks: list = (
        [
            Table(
                ["Department", "Licensed", f"Active ({window} days)", "Adoption", "Activated", "Lapsed", "Never used"],
                rows,
                [3.2, 1.2, 1.5, 1.2, 1.6, 1.1, 1.2],
            )
        ]
        if rows
        else [
            "No department figures yet."
            if every.empty
            else "Every department has fewer than 5 licensed people, "
            "and all of them together fewer than 5 too: none is shown, so no one can be singled out."
        ]
    )
    if len(shown) > MAX_DEPARTMENTS:
        blocks.append(f"... and {len(shown) - MAX_DEPARTMENTS} more departments, each with higher adoption.")
    if client and rows:
        blocks.append(
            f'Departments of fewer than 5 licensed people are folded into "{OTHER}" (left out when '
            "that too holds fewer than 5)."
        )
    return Section(
        "Departments: the weakest by adoption",
        f"All cohorts together, over the {window} days to {day(as_of)}, weakest first. The pack counts "
        "people and never names them.",
        blocks,
    )


def _support_chart(
    rollout: Rollout, weekly: pd.DataFrame, markers: list[dict], shaded: tuple[date, date] | None
) -> Section:
    """shaded: the baseline the KPIs are measured against (the chosen locked one, else the
    rollout's baseline window)."""
    window = f" ({day(shaded[0])} to {day(shaded[1])})" if shaded else ""
    return Section(
        "Support desk, week by week",
        "Tickets raised each week per 100 licensed people, for everyone and by the requester's cohort; "
        f"the baseline{window} is grey, the 4 weeks after each go-live tinted. The newest week counts up "
        "to the as-of date.",
        [Chart("tickets", weekly, {"markers": markers, "baseline": shaded, "go_lives": rollout.cohorts})],
    )
