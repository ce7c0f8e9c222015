"""Reading and pruning the audit log (analysis/audit.py writes it): the entries an admin filters
on Administration and `python -m analysis audit`, and its retention, which the daily pass applies
(analysis/schedule.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from analysis import audit
from analysis.store import Store

KEEP_KEY = "audit_keep_days"
DEFAULT_KEEP_DAYS = 365
COLUMNS = ["logged_at", "who", "place", "org_id", "org_name", "action", "detail"]


def keep_days(store: Store) -> int:
    """The days entries are kept (0: for ever)."""
    from analysis.auth.app_settings import setting  # here: analysis.auth imports argon2 (tests/test_cli_imports.py)

    value = setting(store, KEEP_KEY)
    return int(value) if value is not None and value.isdecimal() else DEFAULT_KEEP_DAYS


def set_keep_days(store: Store, days: int) -> str:
    """Keep entries for days (0: for ever); the next daily pass applies it. Returns what it says."""
    if not 0 <= days <= 36500:
        raise ValueError("keep the audit log for 0 days (for ever) up to 36500 days")
    with store.transaction("set the audit log's retention", detail=f"{days} days") as cur:
        cur.execute("INSERT OR REPLACE INTO app_settings VALUES (?, ?)", [KEEP_KEY, str(days)])
    return (
        "The audit log is kept for ever." if days == 0 else f"Audit entries older than {days} days are removed daily."
    )


def remove_old_entries(store: Store, now: datetime) -> int:
    """Delete the entries older than the retention setting (none when it is 0); the removal is
    itself an entry, made only when it removed something. Returns the entries removed."""
    days = keep_days(store)
    if days == 0:
        return 0
    before = now - timedelta(days=days)
    with store.transaction("remove old audit entries") as cur:
        (removed,) = cur.execute("SELECT count(*) FROM audit_log WHERE logged_at < ?", [before]).fetchall()[0]
        cur.execute("DELETE FROM audit_log WHERE logged_at < ?", [before])
        if removed:
            audit.note(detail=f"{removed} entries older than {days} days")
        else:
            audit.nothing_written()  # a daily pass that removed nothing is not news
    return removed


def entries(
    store: Store,
    org: str | None = None,
    who: str | None = None,
    where: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    """The entries, newest first; org matches the organisation's name at the time (or its id), who
    and where a part of them (any case); since and until are days, both included."""
    sql = "SELECT logged_at, who, place, org_id, org_name, action, detail FROM audit_log WHERE true"
    params: list = []
    if org:
        sql += " AND (lower(org_name) = lower(?) OR CAST(org_id AS VARCHAR) = ?)"
        params += [org.strip(), org.strip()]
    if who:
        sql += " AND contains(lower(who), lower(?))"
        params.append(who.strip())
    if where:
        sql += " AND contains(lower(place), lower(?))"
        params.append(where.strip())
    if since:
        sql += " AND logged_at >= ?"
        params.append(datetime.combine(since, datetime.min.time()))
    if until:
        sql += " AND logged_at < ?"
        params.append(datetime.combine(until + timedelta(days=1), datetime.min.time()))
    return store.cursor().execute(sql + " ORDER BY entry_id DESC", params).df()
