"""The rules on tickets and on the data itself: TICKET_SPIKE, SLOW_RESOLUTION, BACKLOG_GROWING,
SATISFACTION_DROP and STALE_DATA."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

from analysis.alerts.inputs import NO_BASELINE, Finding, RuleData, above, not_enough, ticket_gate
from analysis.words import day, pct


def ticket_spike(data: RuleData, x: date) -> list[Finding]:
    s = data.settings["TICKET_SPIKE"]
    gate, b = ticket_gate(data, "TICKET_SPIKE", s["min_baseline_tickets"]), data.baseline
    if gate or b is None:  # ticket_gate passes only a rollout with a baseline
        return [gate or not_enough("TICKET_SPIKE", NO_BASELINE)]
    base = b.tickets_per_100_users_7d(data.licensed_now)
    if base is None:  # a baseline whose figures hold no ticket count (locked before tickets counted)
        return [not_enough("TICKET_SPIKE", f"The baseline ({b.name}) holds no ticket count.")]
    n = sum(data.created.get(x - timedelta(days=i), 0) for i in range(7))
    rate = 100 * n / data.licensed_now
    evidence = {
        "tickets_7d": n,
        "licensed_users": data.licensed_now,
        "tickets_per_100_users_7d": rate,
        "baseline_tickets_per_100_users_7d": base,
        "ratio": rate / base if base else None,
        "baseline": b.name,
        "baseline_tickets": b.support_figure("tickets"),
        "baseline_days": b.days,
        "multiple": s["multiple"],
        "high_multiple": s["high_multiple"],
    }
    if not (above(rate, s["multiple"] * base) and n >= s["min_tickets"]):
        return [Finding("TICKET_SPIKE", "clear", evidence=evidence)]
    high = above(rate, s["high_multiple"] * base)
    return [
        Finding(
            "TICKET_SPIKE",
            "holds",
            severity="high" if high else "medium",
            evidence=evidence,
            message=(
                f"{n} tickets in the 7 days to {x}: {rate:.1f} per 100 people, {rate / base:.1f} x the baseline's "
                f"{base:.1f}."
            ),
        )
    ]


def slow_resolution(data: RuleData, x: date) -> list[Finding]:
    s = data.settings["SLOW_RESOLUTION"]
    gate, b = ticket_gate(data, "SLOW_RESOLUTION", s["min_baseline_resolved"], "timed_resolutions"), data.baseline
    if gate or b is None:  # ticket_gate passes only a rollout with a baseline
        return [gate or not_enough("SLOW_RESOLUTION", NO_BASELINE)]
    base = b.support_figure("median_resolution_hours")
    hours = [h for i in range(data.window) for h in data.resolved_hours.get(x - timedelta(days=i), [])]
    median = statistics.median(hours) if hours else None
    evidence = {
        "median_resolution_hours": median,
        "resolved_tickets": len(hours),
        "window_days": data.window,
        "baseline_median_resolution_hours": base,
        "baseline": b.name,
        "ratio": median / base if median is not None and base else None,
        "multiple": s["multiple"],
    }
    if median is None or len(hours) < s["min_resolved"] or not above(median, s["multiple"] * base):
        return [Finding("SLOW_RESOLUTION", "clear", evidence=evidence)]
    return [
        Finding(
            "SLOW_RESOLUTION",
            "holds",
            evidence=evidence,
            message=(
                f"Median resolution {median:.1f} h over the {len(hours)} tickets resolved in the {data.window} days to {x}, "
                f"against {base:.1f} h in the baseline."
            ),
        )
    ]


def satisfaction_drop(data: RuleData, x: date) -> list[Finding]:
    """Satisfaction as support_kpis defines it (the share rated good of the rated tickets resolved
    in the window) below the baseline's by more than share_drop. Example: baseline 16 good of 20
    (0.8), window 6 good of 10 (0.6): down 20 pts > 10 pts -> holds; 7 of 10 (0.7) is exactly 10
    pts down: clear."""
    s = data.settings["SATISFACTION_DROP"]
    gate, b = ticket_gate(data, "SATISFACTION_DROP"), data.baseline
    if gate or b is None:  # ticket_gate passes only a rollout with a baseline
        return [gate or not_enough("SATISFACTION_DROP", NO_BASELINE)]
    base, base_rated = b.support_figure("satisfaction"), b.support_figure("rated_tickets") or 0
    days = [data.rated.get(x - timedelta(days=i), (0, 0)) for i in range(data.window)]
    rated, good = sum(r for r, _ in days), sum(g for _, g in days)
    if not base_rated and not data.rated_any:
        # no ticket of the rollout carries a rating (the export has none: ServiceNow): a rule that
        # does not apply to this data, not one waiting for more of it
        return [Finding("SATISFACTION_DROP", "clear", evidence={"rated_tickets": 0})]
    if base is None or base_rated < s["min_baseline_rated"]:
        return [
            not_enough(
                "SATISFACTION_DROP",
                f"The baseline window ({b.name}, {day(b.start)} to {day(b.end)}) holds {base_rated} rated tickets: fewer "
                f"than {int(s['min_baseline_rated'])}.",
            )
        ]
    if rated < s["min_rated"]:
        return [
            not_enough(
                "SATISFACTION_DROP",
                f"{rated} rated tickets were resolved in the {data.window} days to {x}: fewer than "
                f"{int(s['min_rated'])}.",
            )
        ]
    now = good / rated
    evidence = {
        "satisfaction": now,
        "rated_tickets": rated,
        "good_tickets": good,
        "window_days": data.window,
        "baseline_satisfaction": base,
        "baseline_rated_tickets": base_rated,
        "baseline": b.name,
        "drop_pts": 100 * (base - now),
        "share_drop": s["share_drop"],
    }
    if not above(base - now, s["share_drop"]):
        return [Finding("SATISFACTION_DROP", "clear", evidence=evidence)]
    return [
        Finding(
            "SATISFACTION_DROP",
            "holds",
            evidence=evidence,
            message=(
                f"Satisfaction {pct(now)} ({good} good of {rated} rated tickets resolved in the {data.window} days to "
                f"{x}), down {100 * (base - now):.1f} pts from the baseline's {pct(base)}."
            ),
        )
    ]


def backlog_growing(data: RuleData, x: date) -> list[Finding]:
    s = data.settings["BACKLOG_GROWING"]
    steps, step = int(s["steps"]), int(s["step_days"])
    days = [x - timedelta(days=step * i) for i in range(steps, -1, -1)]
    if data.ticket_count == 0:
        return [not_enough("BACKLOG_GROWING", "No tickets are loaded for this organisation.")]
    if data.oldest_ticket is None or data.oldest_ticket > days[0]:
        return [
            not_enough(
                "BACKLOG_GROWING",
                f"The ticket data starts on {day(data.oldest_ticket)}, after {day(days[0])}, the first of the days "
                "compared.",
            )
        ]
    values = [data.backlog.get(end, 0) for end in days]
    evidence = {"backlog_by_day": {end.isoformat(): v for end, v in zip(days, values)}}
    if all(a < b for a, b in zip(values, values[1:])):
        return [
            Finding(
                "BACKLOG_GROWING",
                "holds",
                evidence=evidence,
                message=(
                    "The backlog rose at every step: "
                    + " -> ".join(str(v) for v in values)
                    + f" open tickets at the end of {', '.join(f'{end.day} {end:%b}' for end in days)} {days[-1]:%Y}."
                ),
            )
        ]
    return [Finding("BACKLOG_GROWING", "clear", evidence=evidence)]


def stale_data(data: RuleData) -> list[Finding]:
    limit = int(data.settings["STALE_DATA"]["max_age_days"])
    return stale_verdicts(data.newest_usage, data.newest_ticket, data.reference, limit)


def stale_verdicts(newest_usage: date | None, newest_ticket: date | None, reference: date, limit: int) -> list[Finding]:
    """STALE_DATA from the newest days alone: it compares with today when no as-of day is given, so
    cached verdicts (analysis/alerts/verdict_cache.py) judge it afresh at every read."""
    out = []
    for kind, newest in (("usage", newest_usage), ("tickets", newest_ticket)):
        if newest is None:
            out.append(
                not_enough("STALE_DATA", f"No {'ticket' if kind == 'tickets' else kind} data is loaded.", kind=kind)
            )
            continue
        age = (reference - newest).days
        evidence = {
            "kind": kind,
            "newest_day": newest.isoformat(),
            "reference_day": reference.isoformat(),
            "days_old": age,
            "max_age_days": limit,
        }
        if age > limit:
            out.append(
                Finding(
                    "STALE_DATA",
                    "holds",
                    kind=kind,
                    evidence=evidence,
                    since=newest + timedelta(days=limit + 1),
                    message=(
                        f"The newest {'ticket' if kind == 'tickets' else kind} data is from {day(newest)}, "
                        f"{age} days before {day(reference)}."
                    ),
                )
            )
        else:
            out.append(Finding("STALE_DATA", "clear", kind=kind, evidence=evidence))
    return out
