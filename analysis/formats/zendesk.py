"""Zendesk Support ticket export (tickets; one row per ticket).

`Id,Requester,Requester id,...,Created at,Updated at,...,Solved at,Resolution time,Satisfaction
Score,...,Reopens,Replies,First reply time in minutes,...`; a file may carry only a subset, a
leading `Summation column`, and custom fields as `Name [list]` (all recognised). Mapping:
ticket_id Id, created_at Created at, updated_at Updated at, resolved_at Solved at, requester
Requester email (else Requester, else Requester id), subject, status, priority, category (a
custom field whose name mentions a category, else Group), company Organization, reopened
Reopens, satisfaction Satisfaction Score (Good / Bad or 1-5; Offered and Not Offered are
unrated), first_response_at = Created at + `First reply time in minutes` (calendar minutes; the
business-hours variant cannot be turned into a time and is ignored).

Quirks: `1900-01-01 00:00:00` stands for "never" (Solved at, Assigned at): read as missing.
`Resolution time` is in hours, the other durations in minutes. `Full resolution time in minutes`
(to the last solve, as `Solved at`) gives resolved_at = Created at + it when a file has no
`Solved at`; `Full resolution time in minutes within business hours` is the business-hours
resolution. No Zendesk export seen carries an SLA column (SLA achievement is an Explore report):
map one to sla_met by hand.
"""

from __future__ import annotations

from analysis.formats import Format
from analysis.ingest.ticket_extras import minutes_as_seconds

COLUMNS = (
    "Summation column,Id,Requester,Requester id,Requester external id,Requester email,Requester domain,Submitter,"
    "Assignee,Group,Subject,Tags,Status,Priority,Via,Ticket type,Created at,Updated at,Assigned at,Organization,"
    "Due date,Initially assigned at,Solved at,Resolution time,Satisfaction Score,Group stations,Assignee stations,"
    "Reopens,Replies,First reply time in minutes,First reply time in minutes within business hours,"
    "First resolution time in minutes,First resolution time in minutes within business hours,"
    "Full resolution time in minutes,Full resolution time in minutes within business hours,"
    "Agent wait time in minutes,Agent wait time in minutes within business hours,Requester wait time in minutes,"
    "Requester wait time in minutes within business hours,On hold time in minutes,"
    "On hold time in minutes within business hours"
).split(",")


def satisfaction(cell: str) -> str:
    text = cell.strip().lower()
    if text.startswith(("good", "bad")):
        return text.split(",")[0].split()[0]
    return text if text in {"1", "2", "3", "4", "5"} else ""


FORMATS = [
    Format(
        name="zendesk",
        label="a Zendesk ticket export",
        kind="tickets",
        columns=tuple(COLUMNS),
        patterns=(
            r".+ \[(list|txt|text|int|integer|dec|decimal|date|checkbox|regexp|multiselect|tagger)\]",
            r".+ time in minutes( within business hours)?",
        ),
        fields={
            "ticket_id": ("Id",),
            "created_at": ("Created at",),
            "updated_at": ("Updated at",),
            "resolved_at": ("Solved at",),
            "requester": ("Requester email", "Requester", "Requester id"),
            "subject": ("Subject",),
            "status": ("Status",),
            "priority": ("Priority",),
            "category": ("Category", r"re:.*categor.*", "Group"),
            "company": ("Organization",),
            "reopened": ("Reopens",),
            "satisfaction": ("Satisfaction Score",),
            "first_response_minutes": ("First reply time in minutes",),
            "resolution_seconds": ("Full resolution time in minutes",),
            "business_resolution_seconds": ("Full resolution time in minutes within business hours",),
        },
        values={
            "satisfaction": satisfaction,
            "resolution_seconds": minutes_as_seconds,
            "business_resolution_seconds": minutes_as_seconds,
        },
        source="zendesk",
    )
]
