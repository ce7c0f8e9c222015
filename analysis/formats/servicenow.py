"""ServiceNow incident exports (tickets): list "Export > CSV" with field names or with labels,
the Table API (REST) dump, and the incident audit event log.

Field names (the default): `number, opened_at, short_description, caller_id, priority, state,
category, assignment_group, assigned_to, sys_updated_on, ...`; the REST dump adds `incident_state`,
`resolved_at`, `closed_at`, `reopen_count`, `made_sla`, `calendar_stc` and carries raw codes:
`incident_state`/`state` 1 New, 2 In Progress, 3 On Hold, 4 Awaiting User Info, 5 Awaiting
Evidence, 6 Resolved, 7 Closed, 8 Canceled; `priority` 1 Critical .. 5 Planning (read as the
labels `1 - Critical` ...; unknown codes such as -100 are kept as they are). Reference fields
may be 32-hex sys_ids (kept as text). Mapping: ticket_id number, created_at opened_at (else
sys_created_on/at), updated_at sys_updated_on/at, resolved_at, closed_at, status incident_state
(else state), priority, category, requester caller_id, subject short_description, company,
reopened reopen_count, sla_met made_sla, resolution_seconds calendar_stc (else calendar_duration:
the resolution time in seconds, or as a time after 1970-01-01; it gives resolved_at = opened_at
+ it when the file has no resolved_at), business_resolution_seconds business_stc (else
business_duration: the resolution time within business hours).

The audit event log (field names too) has one row per change of an incident, `?` for null and
`d/m/yyyy HH:MM` dates: its rows collapse into one ticket (created at the earliest opened_at,
resolved at resolved_at, else at the sys_updated_at of its first row in a resolved state, every
other field from its latest row by sys_updated_at). Files can arrive in Windows-1252.

Labels (when the exporter chose them): `Number, Opened, Short description, Caller, Priority,
State, Category, ..., Updated, Resolved, Closed, Company, Affected User, Reopen count`, and `Made
SLA`, `Resolve time` (calendar_stc) and `Business resolve time` (business_stc).
"""

from __future__ import annotations

from analysis.formats import Format

STATES = {
    "1": "New",
    "2": "In Progress",
    "3": "On Hold",
    "4": "Awaiting User Info",
    "5": "Awaiting Evidence",
    "6": "Resolved",
    "7": "Closed",
    "8": "Canceled",
}
PRIORITIES = {"1": "1 - Critical", "2": "2 - High", "3": "3 - Moderate", "4": "4 - Low", "5": "5 - Planning"}

FIELD_NAMES = (
    "number,opened_at,short_description,caller_id,priority,state,category,assignment_group,assigned_to,"
    "sys_updated_on,sys_updated_by,incident_state,resolved_at,closed_at,reopen_count,made_sla,calendar_stc,"
    "business_stc,close_code,close_notes,hold_reason,closed_by,parent_incident,sys_id,contact_type,resolved_by,"
    "reopened_by,urgency,opened_by,sys_created_on,reassignment_count,sys_created_by,severity,impact,sys_mod_count,"
    "active,reopened_time,subcategory,company,description,location,cmdb_ci,u_symptom,knowledge,notify,problem_id,"
    "rfc,vendor,caused_by,closed_code,sys_created_at,sys_updated_at,u_priority_confirmation,business_service,"
    "escalation,upon_approval,upon_reject,approval,sla_due,due_date,work_notes,comments,time_worked,child_incidents,"
    "calendar_duration,business_duration"
).split(",")

LABELS = (
    "Number,Opened,Short description,Caller,Priority,State,Category,Assignment group,Assigned to,Updated,"
    "Updated by,Created,Created by,Last update,Resolved,Closed,Incident state,Reopen count,Made SLA,Company,"
    "Affected User,Impact,Urgency,Subcategory,Resolved by,Closed by,Close code,Close notes,Active,"
    "Configuration item,Contact type,Description,Opened by,Reassignment count,Business resolve time,"
    "Resolve time,Duration,Location,Severity,Updates,Parent incident,On hold reason,Service,Channel"
).split(",")


def state(cell: str) -> str:
    return STATES.get(cell.strip(), cell)


def priority(cell: str) -> str:
    return PRIORITIES.get(cell.strip(), cell)


FORMATS = [
    Format(
        name="servicenow",
        label="a ServiceNow incident export",
        kind="tickets",
        columns=tuple(FIELD_NAMES),
        patterns=(r"(sys|u)_\w+",),
        fields={
            "ticket_id": ("number",),
            "created_at": ("opened_at", "sys_created_on", "sys_created_at"),
            "updated_at": ("sys_updated_on", "sys_updated_at"),
            "resolved_at": ("resolved_at",),
            "closed_at": ("closed_at",),
            "status": ("incident_state", "state"),
            "priority": ("priority",),
            "category": ("category",),
            "requester": ("caller_id",),
            "subject": ("short_description",),
            "company": ("company",),
            "reopened": ("reopen_count",),
            "sla_met": ("made_sla",),
            "resolution_seconds": ("calendar_stc", "calendar_duration"),
            "business_resolution_seconds": ("business_stc", "business_duration"),
        },
        values={"status": state, "priority": priority},
        source="servicenow",
        event_log=True,
    ),
    Format(
        name="servicenow_labels",
        label="a ServiceNow incident export (labels)",
        kind="tickets",
        columns=tuple(LABELS),
        fields={
            "ticket_id": ("Number",),
            "created_at": ("Opened", "Created"),
            "updated_at": ("Updated", "Last update"),
            "resolved_at": ("Resolved",),
            "closed_at": ("Closed",),
            "status": ("Incident state", "State"),
            "priority": ("Priority",),
            "category": ("Category",),
            "requester": ("Caller", "Affected User"),
            "subject": ("Short description",),
            "company": ("Company",),
            "reopened": ("Reopen count",),
            "sla_met": ("Made SLA",),
            "resolution_seconds": ("Resolve time",),
            "business_resolution_seconds": ("Business resolve time",),
        },
        values={"status": state, "priority": priority},
        source="servicenow",
        event_log=True,
    ),
]
