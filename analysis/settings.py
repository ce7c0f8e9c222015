"""The settings the metrics use (docs/user-guide.md#rollout-and-organisation-settings), read and
changed through a Scope.

Per rollout: cohorts and their go-live dates (a go-live can move; a new wave can be added),
the activities that count, the legacy activities, the ticket filter (categories and keywords in
the subject), the active window (7 or 28 days) and the adoption target (a share, by an age in
days). Per organisation: the time zone, the email domains of its people, and whether client
views may list people by name. Every figure is computed from the stored data with the settings
as they are now, except the time zone: it turns timestamps into dates when a file is loaded, so
a change applies to later loads only.

Every change needs the 'configure' permission on the organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from analysis import orgs, rollout_days
from analysis.orgs import Rollout
from analysis.scope import Scope

WINDOWS = (7, 28)
BASELINE_DAYS = 28
TIME_ZONE_NOTE = (
    "A new time zone applies to files loaded from now on: data already loaded keeps the dates "
    "it was given when it was loaded (to re-date it, undo that load and load the file again)."
)
_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
_COHORT = re.compile(r"^[a-z0-9][a-z0-9 _-]{0,39}$")


@dataclass(frozen=True)
class OrganisationSettings:
    time_zone: str
    email_domains: tuple[str, ...]
    list_names_to_clients: bool


def organisation_settings(scope: Scope) -> OrganisationSettings:
    """The organisation's time zone, email domains and named-list privacy setting."""
    row = scope.df("organisation_settings").iloc[0]
    return OrganisationSettings(row["time_zone"], tuple(row["email_domains"]), bool(row["list_names_to_clients"]))


def may_list_names(scope: Scope) -> bool:
    """Named lists of people (lapsed, never used): always for the provider's roles; for client
    roles only where the organisation's list_names_to_clients is on."""
    return not scope.principal.is_client or organisation_settings(scope).list_names_to_clients


def set_organisation(
    scope: Scope,
    *,
    time_zone: str | None = None,
    email_domains: list[str] | None = None,
    list_names_to_clients: bool | None = None,
) -> list[str]:
    """Change the organisation's settings (None leaves one as it is); returns what changed, in
    words. A new time zone applies to later loads only, and the message says so."""
    scope.require("configure")
    now = organisation_settings(scope)
    changes: dict[str, object] = {}
    messages: list[str] = []
    if time_zone is not None and time_zone.strip() != now.time_zone:
        zone = time_zone.strip()
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {zone!r} (use a name like Europe/London)") from None
        changes["time_zone"] = zone
        messages.append(f"Time zone {now.time_zone} -> {zone}. {TIME_ZONE_NOTE}")
    if email_domains is not None:
        domains = sorted({d.strip().lower().lstrip("@") for d in email_domains if d.strip()})
        bad = [d for d in domains if not _DOMAIN.match(d)]
        if bad:
            raise ValueError(f"not an email domain: {bad[0]!r} (write it like example.com)")
        if tuple(domains) != now.email_domains:
            changes["email_domains"] = domains
            messages.append("Email domains: " + (", ".join(domains) or "none") + ".")
    if list_names_to_clients is not None and bool(list_names_to_clients) != now.list_names_to_clients:
        changes["list_names_to_clients"] = bool(list_names_to_clients)
        messages.append(
            "Client views "
            + ("may now list" if list_names_to_clients else "no longer list")
            + " lapsed and never-used people by name."
        )
    if changes:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        with scope.store.transaction(
            "change organisation settings", detail=", ".join(changes), org_id=scope.org_id
        ) as cur:
            # the column names are the fixed ones above (never input); the values are bound
            cur.execute(
                f"UPDATE organisations SET {assignments} WHERE org_id = ?",  # noqa: S608
                [*changes.values(), scope.org_id],
            )
    return messages


def _names(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return sorted({v.strip().lower() for v in values if v.strip()})


def _texts(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    seen, kept = set(), []
    for value in values:
        text = value.strip()
        if text and text.lower() not in seen:
            seen.add(text.lower())
            kept.append(text)
    return kept


def set_rollout(
    scope: Scope,
    rollout: str | int,
    *,
    cohorts: dict[str, date] | None = None,
    activities: list[str] | None = None,
    legacy: list[str] | None = None,
    categories: list[str] | None = None,
    keywords: list[str] | None = None,
    window_days: int | None = None,
    target_adoption: float | None = None,
    target_age_days: int | None = None,
) -> list[str]:
    """Change a rollout's settings; None leaves a setting as it is, an empty list clears a list
    (no activities = every activity that is not legacy; no categories and no keywords = every
    ticket). cohorts {name: go-live} moves the go-live of a cohort it names, or adds it as a new
    wave; cohorts it does not name stay. Returns what changed, in words; one transaction.

    Example: set_rollout(scope, "MFA", cohorts={"wider": date(2025, 2, 10)}) moves the wider
    go-live from 2025-02-03 to 2025-02-10: activation, days to first use, adoption by age and
    every "since go-live" figure of the wider cohort are measured from 02-10 from now on.
    """
    scope.require("configure")
    current = orgs.rollout(scope, rollout)
    acts, old = _names(activities), _names(legacy)
    _check_rollout_values(current, acts, old, window_days, target_adoption, target_age_days)
    moves = _cohort_moves(current, cohorts or {})
    changes: dict[str, object] = {}
    messages: list[str] = []
    for column, new, was, label in (
        ("activities", acts, current.activities, "Activities that count"),
        ("legacy_activities", old, current.legacy_activities, "Legacy activities"),
        ("ticket_categories", _texts(categories), current.ticket_categories, "Ticket categories"),
        ("ticket_keywords", _texts(keywords), current.ticket_keywords, "Ticket keywords"),
    ):
        if new is not None and new != list(was):
            changes[column] = new
            messages.append(f"{label}: " + (", ".join(new) or "none") + ".")
    for column, number, before, text in (
        ("window_days", window_days, current.window_days, "Active window: {} days."),
        ("target_adoption", target_adoption, current.target_adoption, "Adoption target: {:.0%}."),
        ("target_age_days", target_age_days, current.target_age_days, "Target age: {} days after go-live."),
    ):
        if number is not None and number != before:
            changes[column] = number
            messages.append(text.format(number))
    for cohort, day in moves.items():
        moved_from = current.cohorts.get(cohort)
        messages.append(
            f"{cohort} go-live moved from {moved_from} to {day}."
            if moved_from
            else f"New cohort {cohort}, go-live {day}."
        )

    with scope.store.transaction("change rollout settings", org_id=scope.org_id) as cur:
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            # the column names are the fixed ones above (never input); the values are bound
            cur.execute(
                f"UPDATE rollouts SET {assignments} WHERE org_id = ? AND rollout_id = ?",  # noqa: S608
                [*changes.values(), scope.org_id, current.rollout_id],
            )
            if "activities" in changes or "legacy_activities" in changes:  # what counts changed
                rollout_days.rebuild(cur, scope.org_id, current.rollout_id)
        for cohort, day in moves.items():
            cur.execute(
                "INSERT INTO cohorts VALUES (?, ?, ?) ON CONFLICT (rollout_id, cohort) "
                "DO UPDATE SET go_live = excluded.go_live",
                [current.rollout_id, cohort, day],
            )
    return messages


def _check_rollout_values(
    current: Rollout,
    acts: list[str] | None,
    old: list[str] | None,
    window_days: int | None,
    target_adoption: float | None,
    target_age_days: int | None,
) -> None:
    """Raise ValueError for a rollout setting out of its range (set_rollout's checks)."""
    counting = acts if acts is not None else current.activities
    fading = old if old is not None else current.legacy_activities
    if set(counting) & set(fading):
        raise ValueError(
            "an activity cannot both count as use and be legacy: " + ", ".join(sorted(set(counting) & set(fading)))
        )
    if window_days is not None and window_days not in WINDOWS:
        raise ValueError("the active window is 7 or 28 days")
    if target_adoption is not None and not 0 < target_adoption <= 1:
        raise ValueError("the adoption target is a share between 0 and 1 (e.g. 0.8)")
    if target_age_days is not None and not 1 <= target_age_days <= 730:
        raise ValueError("the target age is a number of days after go-live, 1 to 730")


def _cohort_moves(current: Rollout, cohorts: dict[str, date]) -> dict[str, date]:
    """{cohort: go-live} for each cohort named whose go-live is new or moves."""
    moves = {}
    for name, day in cohorts.items():
        cohort = name.strip().lower()
        if not _COHORT.match(cohort):
            raise ValueError(f"not a cohort name: {name!r} (letters, digits, spaces, - and _; up to 40)")
        if not isinstance(day, date):
            raise ValueError(f"the go-live of {cohort} is not a date")
        if current.cohorts.get(cohort) != day:
            moves[cohort] = day
    return moves


def settings_version(scope: Scope) -> tuple:
    """Changes whenever a setting, a rollout, a cohort's go-live or an annotation of the
    organisation changes (a cache key, next to uploads.data_version)."""
    row = scope.df("settings_version").iloc[0]
    return (int(row["parts"]), str(row["fingerprint"]))


def default_baseline_window(rollout: Rollout) -> tuple[date, date] | None:
    """The default baseline window: the BASELINE_DAYS (28) days before the first go-live,
    [g - 28, g - 1]; None when the rollout has no cohort. The rollout's own window (its baseline
    dates when set, else this one) is analysis.kpis.baseline_window."""
    first = rollout.first_go_live
    if first is None:
        return None
    return first - timedelta(days=BASELINE_DAYS), first - timedelta(days=1)


def known_activities(scope: Scope) -> pd.DataFrame:
    """The activities in the organisation's usage: activity, person_days, people, newest_day."""
    return scope.df("known_activities")


def known_ticket_categories(scope: Scope) -> pd.DataFrame:
    """The ticket categories of the organisation's tickets: category, tickets."""
    return scope.df("known_ticket_categories")


def chart_start(rollout: Rollout, as_of: date) -> date:
    """Where the time charts and weekly series start: the start of the default baseline window
    (BASELINE_DAYS before the first go-live), or as_of when that is earlier; BASELINE_DAYS before
    as_of for a rollout with no cohort yet. Example: first go-live 2025-01-06, as of 2025-02-10 ->
    2024-12-09."""
    window = default_baseline_window(rollout)
    return min(window[0], as_of) if window else as_of - timedelta(days=BASELINE_DAYS)
