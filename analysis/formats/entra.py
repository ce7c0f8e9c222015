"""Microsoft Entra ID sign-in log, "Download CSV" (usage; event level).

Starts `Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username,User type,...` and
names the application signed in to. Each sign-in is one event: user `Username` (the UPN),
timestamp `Date (UTC)` (UTC: converted to the organisation's zone), activity `Application`
(lower case: choose the rolled-out app's name as the rollout's activity). Only a successful
sign-in counts: `Status` other than Success (Failure, Interrupted) is stored with count 0, so it
is kept but never counts as use.
"""

from __future__ import annotations

from analysis.formats import Format

COLUMNS = (
    "Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username,User type,Cross tenant access type,"
    "Incoming token type,Authentication Protocol,Unique token identifier,Original transfer method,"
    "Client credential type,Token Protection - Sign In Session,Application,Application ID,App owner tenant ID,"
    "Resource,Resource ID,Resource tenant ID,Resource owner tenant ID,Home tenant ID,Home tenant name,IP address,"
    "Location,Status,Sign-in error code,Failure reason,Client app,Device ID,Browser,Operating System,Compliant,"
    "Managed,Join Type,Multifactor authentication result,Multifactor authentication auth method,"
    "Multifactor authentication auth detail,Authentication requirement,Sign-in identifier,Session ID,"
    "IP address (seen by resource),Through Global Secure Access,Global Secure Access IP address,"
    "Autonomous system number,Flagged for review,Token issuer type,Token issuer name,Latency,Conditional Access,"
    "Managed Identity type,Associated Resource Id,Federated Token Id,Federated Token Issuer"
).split(",")


def succeeded(cell: str) -> str:
    return "1" if cell.strip().lower() == "success" else "0"


FORMATS = [
    Format(
        name="entra_signins",
        label="a Microsoft Entra ID sign-in log",
        kind="usage",
        columns=tuple(COLUMNS),
        fields={
            "user_id": ("Username", "User principal name", "Sign-in identifier"),
            "timestamp": ("Date (UTC)",),
            "activity": ("Application",),
            "count": ("Status",),
        },
        values={"count": succeeded},
        utc=frozenset({"timestamp"}),
        needs=("activity",),
    )
]
