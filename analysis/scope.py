"""The one choke point for a client's data.

open_scope() checks the principal against the organisation and the action; the Scope it
returns runs query files with the organisation bound as $org_id, so no caller can pass its
own. Every page, export and command reads and writes client data through a Scope.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.access import AccessDenied, Principal
from analysis.store import Store, query_text

# Small reads of what people write (the rollouts and their targets, actions and root causes,
# lessons, feedback, locked baselines, client accounts, the settings and alerts versions): the pages
# ask for some of them on every run (14 % of the server's time under 20 sessions:
# docs/performance.md#many-people-at-once), and they change only with a write, which the app makes
# through Store.transaction only, counted per database (analysis/store.py Store.writes). Kept per
# database until its write count moves (Store.until_written); every caller gets a copy of its own.
UNTIL_WRITTEN = frozenset(
    {
        "rollouts",
        "rollout_settings",
        "rollout_targets",
        "flag_actions",
        "root_causes",
        "lessons",
        "resolved_flags",
        "feedback_answers",
        "locked_baselines",
        "client_accounts",
        "settings_version",
        "alerts_version",
    }
)


@dataclass(frozen=True)
class Scope:
    store: Store
    principal: Principal
    org_id: int

    def df(self, query: str, **params) -> pd.DataFrame:
        """Run queries/<query>.sql for this organisation; every such file filters on $org_id."""
        if query in UNTIL_WRITTEN:
            return self._until_written(query, params, as_rows=False).copy()
        return self._run(query, params).df()

    def rows(self, query: str, **params) -> list[tuple]:
        """As df, as plain tuples: for a few hundred rows read in Python, no DataFrame to build."""
        if query in UNTIL_WRITTEN:
            return list(self._until_written(query, params, as_rows=True))
        return self._run(query, params).fetchall()

    def _until_written(self, query: str, params: dict, as_rows: bool):
        """The result of one of the UNTIL_WRITTEN queries, kept until the next write to the database."""

        def read():
            result = self._run(query, dict(params))
            return result.fetchall() if as_rows else result.df()

        return self.store.until_written((self.org_id, query, as_rows, repr(sorted(params.items()))), read)

    def _run(self, query: str, params: dict):
        sql = query_text(query)
        if "$org_id" not in sql:
            raise AssertionError(f"query {query} does not filter on $org_id")
        params["org_id"] = self.org_id
        return self.store.cursor().execute(sql, params)

    def require(self, action: str) -> None:
        if not self.principal.may(action, self.org_id):
            raise AccessDenied(f"{self.principal.name} may not {action} in this organisation")

    def rollout_id(self, name_or_id: str | int) -> int:
        """The id of one of this organisation's rollouts, by name or id; LookupError otherwise."""
        cur = self.store.cursor()
        if isinstance(name_or_id, int):
            row = cur.execute(
                "SELECT rollout_id FROM rollouts WHERE org_id = ? AND rollout_id = ?",
                [self.org_id, name_or_id],
            ).fetchall()
        else:
            row = cur.execute(
                "SELECT rollout_id FROM rollouts WHERE org_id = ? AND lower(name) = lower(trim(?))",
                [self.org_id, name_or_id],
            ).fetchall()
        if not row:
            raise LookupError(f"no rollout {name_or_id!r} in this organisation")
        return row[0][0]


def open_scope(store: Store, principal: Principal, org_id: object, action: str = "view") -> Scope:
    """A Scope on org_id for principal, after checking that the principal may do action there."""
    if not isinstance(org_id, int) or not principal.may(action, org_id):
        raise AccessDenied(f"{principal.name} may not {action} in this organisation")
    # kept until the next write (every run of every page opens a scope): removing one is a write
    exists = store.until_written((org_id, "organisation exists"), lambda: _exists(store, org_id))
    if not exists:
        raise AccessDenied(f"{principal.name} may not {action} in this organisation")
    return Scope(store, principal, org_id)


def _exists(store: Store, org_id: int) -> bool:
    return bool(
        store.cursor().execute("SELECT count(*) FROM organisations WHERE org_id = ?", [org_id]).fetchall()[0][0]
    )
