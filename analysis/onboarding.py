"""What a new organisation still needs before its figures mean anything: the onboarding checklist
(a rollout, its roster, usage, tickets, accounts for the client), each step done or not with a
count, from the organisation's own data through its Scope. Also the organisation's ticket figures
before any rollout exists (the period: the tickets' own range), and whether an account's pending
password change is its first sign-in rather than a reset."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import words
from analysis.access import Principal
from analysis.scope import Scope
from analysis.store import Store


@dataclass(frozen=True)
class Step:
    key: str  # rollout | roster | usage | tickets | accounts
    title: str  # what to do
    count: int  # how many there are so far
    unit: str  # what the count counts, one of them
    units: str  # ... and several

    @property
    def done(self) -> bool:
        return self.count > 0


STEPS = (
    ("rollout", "Add a rollout", "rollout", "rollouts"),
    ("roster", "Load the roster (who is licensed, in which cohort)", "person on a roster", "people on a roster"),
    ("usage", "Load usage (who used the new system, when)", "person with usage", "people with usage"),
    ("tickets", "Load support tickets", "ticket", "tickets"),
    ("accounts", "Give the client's people accounts", "client account", "client accounts"),
)


# Provider housekeeping in analysis' messages (red flag next steps, explanations), as a client reads it.
CLIENT_WORDS = {
    "Upload a fresh export.": "Your provider is asked for newer data.",
    "set one on the Settings page (or `rollout set --legacy`).": "your provider can name one.",
}
COMMAND_LINE_HINTS = (" (or `rollout set --legacy`)",)


def for_reader(text: str, who: Principal | None) -> str:
    """A message of the rules as its reader should see it: the command line's hints dropped for
    everyone (the app has the form), the provider's housekeeping reworded for client roles, who
    cannot load data or change settings (no reader known: the client's words)."""
    if who is None or not who.is_provider:
        for housekeeping, words in CLIENT_WORDS.items():
            text = text.replace(housekeeping, words)
    for hint in COMMAND_LINE_HINTS:
        text = text.replace(hint, "")
    return text


def data_counts(scope: Scope) -> dict[str, int]:
    """The counts of the first four steps: rollouts; distinct people on a rollout's current roster;
    distinct people with usage (a scan of every usage row); tickets. They move only with the data
    and settings versions, so the app caches them by those (ui/cached.py)."""
    row = scope.df("onboarding_counts").iloc[0]
    return {key: int(row[key]) for key in ("rollout", "roster", "usage", "tickets")}


def checklist(scope: Scope, counts: dict[str, int] | None = None) -> list[Step]:
    """The five onboarding steps of the organisation in their order, each with its count: the
    data_counts (counts: when the caller has them) and the active client accounts (client viewer
    or uploader) granted the organisation, read every time (no version moves with accounts)."""
    counts = {**(data_counts(scope) if counts is None else counts), "accounts": len(scope.df("client_accounts"))}
    return [Step(key, title, counts[key], unit, units) for key, title, unit, units in STEPS]


def complete(steps: list[Step]) -> bool:
    return all(step.done for step in steps)


def ticket_summary(scope: Scope) -> dict:
    """Every ticket of the organisation, whatever rollout: tickets, first_day and last_day (the
    first and last creation day; None with no ticket), resolved_tickets, median and p90
    resolution hours (approximate resolutions have no duration), backlog at the end of last_day,
    reopened_tickets and reopen_rate (reopened / resolved; None when none is resolved).

    Example: T1 created 03-01 09:00, resolved 03-01 11:00 (2 h), reopened once; T2 created 03-05,
    open -> tickets 2, 03-01 to 03-05, median 2.0, backlog 1, reopen_rate 1/1 = 1.0."""
    row = scope.df("org_ticket_summary").iloc[0].to_dict()
    out = {k: (None if pd.isna(v) else v) for k, v in row.items()}
    for key in ("tickets", "resolved_tickets", "backlog", "reopened_tickets"):
        out[key] = int(out[key] or 0)
    for key in ("first_day", "last_day"):
        if out[key] is not None:
            out[key] = pd.Timestamp(out[key]).date()
    out["reopen_rate"] = out["reopened_tickets"] / out["resolved_tickets"] if out["resolved_tickets"] else None
    return out


def weekly_tickets(scope: Scope) -> pd.DataFrame:
    """Tickets created per ISO week (Monday start) over the organisation's whole ticket range,
    empty weeks as 0 (columns week_start, tickets)."""
    return scope.df("org_weekly_tickets")


def top_categories(scope: Scope, limit: int = 8) -> pd.DataFrame:
    """The organisation's most frequent ticket categories (columns category, tickets, share)."""
    return scope.df("org_top_categories", limit=limit)


def first_password(store: Store, account_id: int) -> bool:
    """Whether an account that must change its password has never chosen one: it was created with
    a one-time password and no earlier sign-in of it exists (a reset by an administrator ends the
    account's sign-ins, so a reset account has an ended one from before)."""
    row = (
        store.cursor()
        .execute(
            "SELECT count(*) FILTER (WHERE revoked_at IS NOT NULL) FROM sessions WHERE account_id = ?", [account_id]
        )
        .fetchall()
    )
    return row[0][0] == 0


def no_tickets_in_period(scope: Scope, filtered: bool = False) -> str:
    """What to say in place of zeros and flat charts when no ticket falls in the period shown:
    how many tickets the organisation has and their range, so empty is not read as a quiet desk
    (filtered: the rollout has a ticket filter, which may be what leaves them out)."""
    summary = ticket_summary(scope)
    if not summary["tickets"]:
        return "No tickets are loaded for this organisation yet (missing data is not a quiet helpdesk)."
    where = "in this rollout's scope in this period" if filtered else "in this period"
    return (
        f"No tickets {where} "
        f"({summary['tickets']:,} loaded, created {words.day(summary['first_day'])} "
        f"to {words.day(summary['last_day'])})."
    )
