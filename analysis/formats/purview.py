"""Microsoft Purview audit log export (usage; event level).

Two layouts: `CreationDate,UserIds,Operations,AuditData` (the classic search) and
`RecordId,CreationDate,RecordType,Operation,UserId,AuditData,...` (the new one). `AuditData` is
JSON in one cell. Each record is one event: user `UserIds`/`UserId`, timestamp `CreationDate`
(UTC), activity the `Workload` inside AuditData (Exchange, SharePoint, OneDrive,
MicrosoftTeams, ... in lower case), else its `Operation`. A record whose AuditData is not JSON
is rejected with that reason.
"""

from __future__ import annotations

import json

from analysis.formats import Format


def workload(cell: str) -> str:
    try:
        data = json.loads(cell)
    except (ValueError, RecursionError):
        raise ValueError("AuditData is not JSON: export the audit log again") from None
    if not isinstance(data, dict):
        raise ValueError("AuditData is not a JSON object")
    return str(data.get("Workload") or data.get("Operation") or "")


FORMATS = [
    Format(
        name="purview_audit",
        label="a Microsoft Purview audit log",
        kind="usage",
        columns=(
            "CreationDate",
            "UserIds",
            "Operations",
            "AuditData",
            "RecordId",
            "RecordType",
            "Operation",
            "UserId",
            "AssociatedAdminUnits",
            "AssociatedAdminUnitsNames",
            "ObjectId",
            "ItemName",
            "Workload",
        ),
        fields={"user_id": ("UserIds", "UserId"), "timestamp": ("CreationDate",), "activity": ("AuditData",)},
        values={"activity": workload},
        utc=frozenset({"timestamp"}),
        needs=("activity",),
    )
]
