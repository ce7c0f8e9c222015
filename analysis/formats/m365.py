"""Microsoft 365 admin center / Graph usage reports (usage; snapshot exports).

One row per person, aggregated over `Report Period` days, as of `Report Refresh Date`. They are
not event logs: each `... Last Activity Date` becomes one counting event for its product on that
date, tagged with the refresh date as its snapshot. Loading weekly or monthly snapshots builds the
history; a last-activity date seen in an earlier snapshot is the same (person, date, activity)
and counts as a duplicate, so snapshots stack without double counting. A person with no
last-activity date in the period gives no event.

Activities: exchange (Active users' Exchange, and the Email activity report), onedrive,
sharepoint, teams, skype for business, yammer; the Apps report gives one event per app used in
the period (outlook, word, excel, powerpoint, onenote, teams) on its Last Activity Date (the
report has no per-app date; "microsoft 365 apps" when no app is marked); the Copilot report gives
copilot (any app) and copilot teams / word / excel / powerpoint / outlook / onenote / loop / chat.

Quirks: `Is Deleted` True/False, products joined with `+` (ignored); community scripts write the
Copilot report in camelCase (matched: names are compared without spaces or case). With the
tenant's "conceal user names" setting on (the default since September 2021) `User Principal
Name` and `Display Name` are 32-hex-character hashes and `User Id` all zeros: such rows are
rejected and the load explains how to switch concealment off, since the roster cannot be matched.
The reports have no department: the roster supplies it, joined on the user principal name.
"""

from __future__ import annotations

import re
from functools import partial

from analysis import values
from analysis.files import FileRefused, Table
from analysis.formats import Format, Row

REFRESH, UPN = "Report Refresh Date", "User Principal Name"
CONCEALED = re.compile(r"[0-9A-Fa-f]{32}")
HOW_TO_REVEAL = (
    "the tenant conceals user names in its Microsoft 365 reports, so these people cannot be "
    "matched to the roster: a global admin can turn this off in the Microsoft 365 admin center "
    "(Settings > Org settings > Services > Reports: clear 'Display concealed user, group, and "
    "site names in all reports'), then export the report again"
)


def _events(products: dict[str, str], cells: dict, row: Row, apps: tuple[str, ...] = ()) -> list[dict]:
    user = cells.get("user_id", "").strip()
    if CONCEALED.fullmatch(user):
        raise ValueError(f"{user!r} is a concealed name: {HOW_TO_REVEAL}")
    snapshot = cells.get("snapshot", "")
    events = []
    for activity, column in products.items():
        day = row[column]
        if values.is_missing(day):
            continue
        if apps:  # the Apps report: one event per app marked as used in the period
            used = [
                app
                for app in apps
                if any(row[c].strip().lower() in ("yes", "true") for c in (app, *(f"{app} ({p})" for p in PLATFORMS)))
            ]
            names = [a.lower() for a in used] or [activity]
        else:
            names = [activity]
        for name in names:
            events.append(
                {"user_id": user, "date": day, "activity": name, "snapshot": snapshot, "_column:date": column}
            )
    return events


def _concealed(table: Table, columns: dict[str, int]) -> list[str]:
    index = columns["user_id"]
    users = [r[index].strip() for r in table.rows if index < len(r)]
    hidden = sum(1 for u in users if CONCEALED.fullmatch(u))
    if hidden and hidden * 2 >= len(users):
        raise FileRefused(
            table.file_name,
            f"column {table.header[index]}: {hidden} of {len(users)} user "
            f"principal names are 32-character codes: {HOW_TO_REVEAL}",
        )
    if hidden:
        return [
            f"{hidden} user principal names are 32-character codes (concealed names), and their rows "
            f"were rejected: {HOW_TO_REVEAL}"
        ]
    return []


def _report(name: str, label: str, columns: str, products: dict[str, str], apps: tuple[str, ...] = ()) -> Format:
    return Format(
        name=name,
        label=label,
        kind="usage",
        columns=tuple(c.strip() for c in columns.split(",")),
        fields={"user_id": (UPN,), "snapshot": (REFRESH,), "date": tuple(products.values())},
        expand=partial(_events, products, apps=apps),
        inspect=_concealed,
        needs=("snapshot",),
    )


PRODUCTS = {
    "exchange": "Exchange",
    "onedrive": "OneDrive",
    "sharepoint": "SharePoint",
    "skype for business": "Skype For Business",
    "yammer": "Yammer",
    "teams": "Teams",
}
APPS = ("Outlook", "Word", "Excel", "PowerPoint", "OneNote", "Teams")
PLATFORMS = ("Windows", "Mac", "Mobile", "Web")
COPILOT = {
    "copilot": "Last Activity Date",
    "copilot teams": "Microsoft Teams Copilot Last Activity Date",
    "copilot word": "Word Copilot Last Activity Date",
    "copilot excel": "Excel Copilot Last Activity Date",
    "copilot powerpoint": "PowerPoint Copilot Last Activity Date",
    "copilot outlook": "Outlook Copilot Last Activity Date",
    "copilot onenote": "OneNote Copilot Last Activity Date",
    "copilot loop": "Loop Copilot Last Activity Date",
    "copilot chat": "Copilot Chat Last Activity Date",
}

FORMATS = [
    _report(
        "m365_active_users",
        "a Microsoft 365 active users report",
        "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Has Exchange License,"
        "Has OneDrive License,Has SharePoint License,Has Skype For Business License,Has Yammer License,"
        "Has Teams License,Exchange Last Activity Date,OneDrive Last Activity Date,SharePoint Last Activity "
        "Date,Skype For Business Last Activity Date,Yammer Last Activity Date,Teams Last Activity Date,"
        "Exchange License Assign Date,OneDrive License Assign Date,SharePoint License Assign Date,Skype For "
        "Business License Assign Date,Yammer License Assign Date,Teams License Assign Date,Assigned Products",
        {a: f"{p} Last Activity Date" for a, p in PRODUCTS.items()},
    ),
    _report(
        "m365_teams",
        "a Microsoft Teams user activity report",
        "Report Refresh Date,Tenant Display Name,Shared Channel Tenant Display Names,User Id,User Principal "
        "Name,Last Activity Date,Is Deleted,Deleted Date,Assigned Products,Team Chat Message Count,Private "
        "Chat Message Count,Call Count,Meeting Count,Post Messages,Reply Messages,Urgent Messages,Meetings "
        "Organized Count,Meetings Attended Count,Ad Hoc Meetings Organized Count,Ad Hoc Meetings Attended "
        "Count,Scheduled One-time Meetings Organized Count,Scheduled One-time Meetings Attended Count,"
        "Scheduled Recurring Meetings Organized Count,Scheduled Recurring Meetings Attended Count,Audio "
        "Duration,Video Duration,Screen Share Duration,Audio Duration In Seconds,Video Duration In Seconds,"
        "Screen Share Duration In Seconds,Has Other Action,Is Licensed,Report Period",
        {"teams": "Last Activity Date"},
    ),
    _report(
        "m365_apps",
        "a Microsoft 365 Apps usage report",
        "Report Refresh Date,User Principal Name,Last Activation Date,Last Activity Date,Report Period,"
        + ",".join(APPS + PLATFORMS)
        + ","
        + ",".join(f"{a} ({p})" for p in PLATFORMS for a in APPS),
        {"microsoft 365 apps": "Last Activity Date"},
        apps=APPS,
    ),
    _report(
        "m365_email",
        "a Microsoft 365 email activity report",
        "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Last Activity Date,"
        "Send Count,Receive Count,Read Count,Meeting Created Count,Meeting Interacted Count,Assigned "
        "Products,Report Period",
        {"exchange": "Last Activity Date"},
    ),
    _report(
        "m365_onedrive",
        "a OneDrive activity report",
        "Report Refresh Date,User Principal Name,Is Deleted,Deleted Date,Last Activity Date,Viewed Or "
        "Edited File Count,Synced File Count,Shared Internally File Count,Shared Externally File Count,"
        "Assigned Products,Report Period",
        {"onedrive": "Last Activity Date"},
    ),
    _report(
        "m365_sharepoint",
        "a SharePoint activity report",
        "Report Refresh Date,User Principal Name,Is Deleted,Deleted Date,Last Activity Date,Viewed Or "
        "Edited File Count,Synced File Count,Shared Internally File Count,Shared Externally File Count,"
        "Visited Page Count,Assigned Products,Report Period",
        {"sharepoint": "Last Activity Date"},
    ),
    _report(
        "m365_copilot",
        "a Microsoft 365 Copilot usage report",
        "Report Refresh Date,Report Period,User Principal Name,Display Name," + ",".join(COPILOT.values()),
        COPILOT,
    ),
]
