"""Freshdesk and Freshservice ticket exports (tickets; one row per ticket). Headers seen only in
public importer code; no real file was available.

Freshdesk: `Ticket ID,Subject,Description,Status,Priority,Source,Type,Agent,Group,Created time,
Due by Time,Resolved time,Closed time,Last update time,Initial response time,...,First response
time (in hrs),Resolution time (in hrs),...`. The `(in hrs)` columns are business hours as
HH:MM:SS and often empty: durations come from the timestamps instead. Freshservice capitalises
differently (`Ticket Id,Requester Name,Requester Email,Created Time,...`; names are compared in
any case) and has Category, Department, Impact and Urgency. They are told apart by the columns
only one of them writes, and recorded as different sources (their ticket numbers overlap).
Mapping: ticket_id Ticket ID, created_at Created time, updated_at Last update(d) time,
resolved_at Resolved time, closed_at Closed time, first_response_at Initial response time,
status, priority, category (Category, else Type, else Group), requester (Requester Email, else
Email, else Requester Name / Full name), subject, company (Company / Company Name).
"""

from __future__ import annotations

from analysis.formats import Format

FIELDS = {
    "ticket_id": ("Ticket ID",),
    "created_at": ("Created time",),
    "updated_at": ("Last update time", "Last updated time"),
    "resolved_at": ("Resolved time",),
    "closed_at": ("Closed time",),
    "first_response_at": ("Initial response time",),
    "status": ("Status",),
    "priority": ("Priority",),
    "category": ("Category", "Type", "Group"),
    "subject": ("Subject",),
    "requester": ("Requester Email", "Email", "Requester Name", "Full name"),
    "company": ("Company", "Company Name"),
}
SHARED = (
    "Ticket ID,Subject,Description,Status,Priority,Source,Type,Agent,Group,Created time,Due by Time,"
    "Resolved time,Closed time,Tags"
).split(",")
FRESHDESK = (
    "Last update time,Initial response time,Time tracked,First response time (in hrs),"
    "Resolution time (in hrs),Agent interactions,Customer interactions,Resolution status,"
    "First response status,Survey results,Product,Full name,Contact ID,Company Name,Company,Email,"
    "Requester Email"
).split(",")
FRESHSERVICE = (
    "Requester Name,Requester Email,Requester Location,Category,Sub-Category,Item,Department,Impact,"
    "Urgency,Last updated time,Planned Start Date,Planned End Date,Planned Effort,Survey Result,"
    "Approval Status"
).split(",")

FORMATS = [
    Format(
        name="freshdesk",
        label="a Freshdesk ticket export",
        kind="tickets",
        columns=tuple(SHARED + FRESHDESK),
        fields=FIELDS,
        source="freshdesk",
    ),
    Format(
        name="freshservice",
        label="a Freshservice ticket export",
        kind="tickets",
        columns=tuple(SHARED + FRESHSERVICE),
        fields=FIELDS,
        source="freshservice",
    ),
]
