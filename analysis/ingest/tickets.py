"""Tickets: the fields a ticket is stored with, and whether a file's created_at is a stable opening
time. The rows are checked in analysis/ingest/ticket_cells.py, a ticket's rows collapsed into one
in ticket_collapse.py and merged in ticket_merge.py."""

from __future__ import annotations

from analysis import formats

TICKET_FIELDS = (
    "created_at",
    "requester",
    "subject",
    "status",
    "priority",
    "category",
    "company",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "resolved_approx",
    "reopened",
    "satisfaction",
    "sla_met",  # 023: helpdesk figures the export carries (analysis/ingest/ticket_extras.py)
    "business_resolution_hours",
)


def stable_opening(choice: formats.Choice) -> bool:
    """Whether created_at is when a ticket was opened, the same in every export: not when it is
    read from the event time (an event log such as VINST, whose later exports start later)."""
    return choice.columns.get("created_at") != choice.columns.get("updated_at")
