"""The pack's helpdesk table: the support figures people expect beside the headline ones."""

from __future__ import annotations

from analysis.reports.model import Table
from analysis.words import hours, number, pct


def helpdesk_table(tickets: dict, window: int) -> Table:
    """The helpdesk figures of support_kpis (docs/metrics.md#support-metrics); a figure the export
    does not carry (SLA, business hours, ratings) says so rather than n/a."""
    first = f"{hours(tickets.get('median_first_response_hours'))} / {hours(tickets.get('p90_first_response_hours'))}"
    absent = "not in the export"
    return Table(
        [
            f"First response, median / p90 ({window} days)",
            "Resolved per ticket opened",
            "SLA met",
            "Resolution in business hours (median)",
            "Satisfaction",
        ],
        [
            [
                first,
                number(tickets.get("resolved_per_opened"), 2),
                pct(tickets.get("sla_met_share")) if tickets.get("sla_tickets") else absent,
                hours(tickets.get("median_business_resolution_hours"))
                if tickets.get("business_timed_resolutions")
                else absent,
                f"{pct(tickets.get('satisfaction'))} of {tickets.get('rated_tickets') or 0:,} rated"
                if tickets.get("rated_tickets")
                else "no rated ticket",
            ]
        ],
        [2.2, 1.7, 1.5, 2.0, 1.6],
        size=14,
    )
