"""Jira and Jira Service Management "Export CSV (all fields)" (tickets; one row per issue).

`Summary,Issue key,Issue id,Issue Type,Status,Project key,Project name,...,Priority,Resolution,
Assignee,Reporter,Creator,Created,Updated,Last Viewed,Resolved,...`, with repeated headers (one
`Labels`, `Watchers`, `Comment`, ... per value: the first is used), custom fields as
`Custom field (Name)`, a UTF-8 BOM, and dates like `14/Jul/25 3:42 PM` (read as such). Mapping:
ticket_id Issue key, created_at Created, updated_at Updated, resolved_at Resolved, status,
priority, category (JSM's Request Type, else Component/s, else Issue Type), requester Reporter,
subject Summary, company (JSM's Organizations), satisfaction (JSM's Satisfaction rating, 1-5).
SLA cells (`Time to resolution`) are negative when breached and are not used: the timestamps give
the durations. Localised headers (other languages) are not recognised: map them by hand and
save the mapping as a preset.

A Jira change history (one row per status change, as the API's changelog gives it) is loaded
with a mapping: ticket_id the issue key, created_at the issue's creation date, updated_at the
change date, status the status after the change. Its rows collapse into one ticket; when the
file lists each issue's changes newest first, rows of the same time are taken in that order.
"""

from __future__ import annotations

import re

from analysis.formats import Format

COLUMNS = (
    "Summary,Issue key,Issue id,Issue Type,Status,Project key,Project name,Project type,Project lead,"
    "Project lead id,Project description,Project url,Priority,Resolution,Assignee,Assignee Id,Reporter,Reporter Id,"
    "Creator,Creator Id,Created,Updated,Last Viewed,Resolved,Affects Version/s,Fix Version/s,Component/s,Due Date,"
    "Votes,Labels,Description,Environment,Watchers,Watchers Id,Log Work,Original Estimate,Remaining Estimate,"
    "Time Spent,Work Ratio,Σ Original Estimate,Σ Remaining Estimate,Σ Time Spent,Security Level,Attachment,"
    "Sprint,Parent,Parent id,Parent summary,Status Category,Status Category Changed,Comment,Satisfaction rating,"
    "Satisfaction date,Request Type,Request participants,Organizations,Time to resolution,Time to first response"
).split(",")

_RATING = re.compile(r"\d")


def rating(cell: str) -> str:
    match = _RATING.search(cell)
    return match.group(0) if match else ""


FORMATS = [
    Format(
        name="jira",
        label="a Jira (Service Management) export",
        kind="tickets",
        columns=tuple(COLUMNS),
        patterns=(r"custom field \(.+\)", r"(inward|outward) issue link \(.+\)", r"sprint|labels|watchers|comment"),
        fields={
            "ticket_id": ("Issue key",),
            "created_at": ("Created",),
            "updated_at": ("Updated",),
            "resolved_at": ("Resolved",),
            "status": ("Status",),
            "priority": ("Priority",),
            "category": ("Custom field (Request Type)", "Request Type", "Component/s", "Issue Type"),
            "requester": ("Reporter",),
            "subject": ("Summary",),
            "company": ("Custom field (Organizations)", "Organizations"),
            "satisfaction": (
                "Custom field (Satisfaction rating)",
                "Satisfaction rating",
                "Custom field (Satisfaction)",
            ),
        },
        values={"satisfaction": rating},
        source="jira",
    )
]
