"""Ticket event logs (tickets; many rows per ticket): the Volvo IT VINST incident log (BPI
Challenge 2013, as IBM published it) and, by mapping, any log of ticket events.

VINST: `SR Number,Change Date+Time,Status,Sub Status,Activity,Activity Level,Involved ST Function
Div,Involved Org line 3,Involved ST,Involved ST 2,ST Level,SR Latest Impact,Product,Country,
Owner Country,Owner First Name,Resource` (the original 2013 file has a subset, `;`-separated).
One row per status change; UTF-8 with BOM, CRLF, no final newline, ISO times with a fixed
+01:00 offset (converted to the organisation's zone). Mapping: ticket_id SR Number, created_at
and updated_at Change Date+Time, status Status (Accepted, Queued, Completed, Unmatched),
priority SR Latest Impact, category Product. A ticket is created at its first event and resolved
at its first event in a resolved state (Completed), exactly: the rows are events.

Any other event log loads with a mapping such as
`--map ticket_id="SR Number" --map created_at="Change Date+Time" --map status=Status`: when a
ticket's rows carry no updated_at, each row's created_at is taken as its event time.
"""

from __future__ import annotations

from analysis.formats import Format

FORMATS = [
    Format(
        name="vinst",
        label="a Volvo IT VINST incident event log",
        kind="tickets",
        columns=(
            "SR Number",
            "Change Date+Time",
            "Status",
            "Sub Status",
            "Activity",
            "Activity Level",
            "Involved ST Function Div",
            "Involved Org line 3",
            "Involved ST",
            "Involved ST 2",
            "ST Level",
            "SR Latest Impact",
            "Product",
            "Country",
            "Owner Country",
            "Owner First Name",
            "Resource",
        ),
        fields={
            "ticket_id": ("SR Number",),
            "created_at": ("Change Date+Time",),
            "updated_at": ("Change Date+Time",),
            "status": ("Status",),
            "priority": ("SR Latest Impact",),
            "category": ("Product",),
        },
        source="vinst",
        event_log=True,
    )
]
