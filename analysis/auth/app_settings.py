"""The app's own settings table (app_settings): the sealed cookie key, the setup code, whether
providers must use two-step sign-in."""

from __future__ import annotations

from analysis.store import Store


def setting(store: Store, key: str) -> str | None:
    """The setting's value, kept until the next write to the database (Store.until_written): every
    run of every page asks whether providers must use two-step sign-in, and set_setting is a write."""
    return store.until_written((None, "app setting", key), lambda: _read(store, key))


def _read(store: Store, key: str) -> str | None:
    rows = store.cursor().execute("SELECT value FROM app_settings WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def set_setting(store: Store, key: str, value: str, housekeeping: str = "") -> None:
    """Set key; recorded in the audit log as a change of that setting, unless it is housekeeping
    (why it is: the setup code)."""
    action = None if housekeeping else f"change the setting {key}"
    with store.transaction(action, housekeeping=housekeeping) as cur:
        cur.execute("INSERT OR REPLACE INTO app_settings VALUES (?, ?)", [key, value])
