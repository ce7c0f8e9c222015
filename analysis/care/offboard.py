"""Off-boarding an organisation (docs/operations.md): everything it has, as one zip of CSV files
described by its README.md, then the organisation deleted from every table; an admin only.

An organisation's rows are those of every table with an org_id, and of the tables keyed by one of
its loads (upload_id: rejected rows) or rollouts (rollout_id: cohorts); a table added later is
covered the same way, as the tables are read from the catalogue. Spreadsheet formulas in cells
are neutralised (analysis/exports.py). The deletion is one transaction, checked before it commits:
no row of the organisation may remain. care_log keeps one entry (the name, the id, the counts).
Sign-in accounts are not organisation rows: client accounts left with no organisation are
listed, to be disabled on the Administration page.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import IO

import pandas as pd

from analysis import audit
from analysis.care import care_log
from analysis.care.checksums import columns, quoted, user_tables
from analysis.exports import safe_frame
from analysis.scope import Scope

CHUNK = 100_000
BOM = "\ufeff"
# What each file holds, for the README; a table not named here is described by its columns alone.
ABOUT = {
    "organisations": "the organisation: name, time zone, email domains, privacy setting",
    "rollouts": "its rollouts and their settings (activities, ticket filter, targets, window)",
    "cohorts": "each rollout's cohorts and go-live dates",
    "uploads": "every load as recorded: file, format, who, when, counts, messages, undone",
    "rejected_rows": "the rejected rows of its loads, with line, column and reason",
    "roster": "every roster load's people (upload_id says which load)",
    "roster_attributes": "the roster's extra columns (location, role...) per person and load",
    "usage_events": "the usage events as stored",
    "usage_daily": "usage per person, day and activity (derived from usage_events)",
    "rollout_days": "per rollout, person and day: a counting or legacy event (derived)",
    "tickets": "the tickets as they stand",
    "ticket_history": "earlier versions of tickets that later loads replaced",
    "baselines": "locked baselines and their figures",
    "alerts": "alerts with their state, note, evidence and action",
    "alert_events": "the history of each alert, with notes",
    "alert_verdicts": "the red-flag rules' last verdicts, kept per data version (derived)",
    "kept_baselines": "the computed baseline and champion curve, kept per data version (derived)",
    "kept_person_facts": "each person's adoption facts, kept per data version (derived)",
    "kept_figures": "the default view's time series and freshness, kept per data version (derived)",
    "flag_actions": "actions taken on red flags",
    "action_events": "the history of each action, with notes",
    "annotations": "annotations on the rollouts' charts",
    "load_attempts": "every load begun, and whether it finished",
}


@dataclass
class Offboarded:
    name: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows exported / deleted
    accounts_left: list[str] = field(default_factory=list)  # client accounts with no organisation now


def _owned(cur) -> list[tuple[str, str]]:
    """(table, the condition that picks the organisation's rows) for every table holding any;
    $org, $uploads and $rollouts are bound. Keyed tables come first: they are deleted first."""
    keyed, direct = [], []
    for table in user_tables(cur):
        names = {c for c, _ in columns(cur, table)}
        if "org_id" in names:
            direct.append((table, "org_id = $org"))
        elif "upload_id" in names:
            keyed.append((table, "list_contains($uploads, upload_id)"))
        elif "rollout_id" in names:
            keyed.append((table, "list_contains($rollouts, rollout_id)"))
    # organisations last, so a failure half-way can never leave rows without their organisation
    direct.sort(key=lambda tw: tw[0] == "organisations")
    return keyed + direct


def _params(scope: Scope) -> dict:
    cur = scope.store.cursor()
    org = scope.org_id
    uploads = [u for (u,) in cur.execute("SELECT upload_id FROM uploads WHERE org_id = ?", [org]).fetchall()]
    rollouts = [r for (r,) in cur.execute("SELECT rollout_id FROM rollouts WHERE org_id = ?", [org]).fetchall()]
    return {"org": org, "uploads": uploads, "rollouts": rollouts}


def _used(where: str, params: dict) -> dict:
    """Only the parameters the condition names (DuckDB refuses unused ones)."""
    return {k: v for k, v in params.items() if f"${k}" in where}


def export_zip(scope: Scope, out: IO[bytes]) -> Offboarded:
    """Write the organisation's zip to out: one CSV per table holding its rows, and README.md."""
    scope.require("manage_organisations")
    cur = scope.store.cursor()
    name = cur.execute("SELECT name FROM organisations WHERE org_id = ?", [scope.org_id]).fetchall()[0][0]
    params = _params(scope)
    done = Offboarded(name)
    readme = [
        f"# Everything Uptake held for {name}",
        "",
        "One CSV file per table (UTF-8 with a byte-order mark, a header row, ISO dates). A cell a "
        "spreadsheet would run as a formula starts with an apostrophe. Ids (org_id, rollout_id, "
        "upload_id, alert_id, ...) link the files.",
        "",
    ]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for table, where in _owned(cur):
            cols = columns(cur, table)
            # S608: catalogue names, quoted, and this module's conditions; values are bound
            result = cur.execute(f"SELECT * FROM {quoted(table)} WHERE {where}", _used(where, params))  # noqa: S608
            count = 0
            with zf.open(f"{table}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                text.write(BOM)
                while True:
                    rows = result.fetchmany(CHUNK)
                    frame = safe_frame(pd.DataFrame(rows, columns=[c for c, _ in cols]))
                    frame.to_csv(text, index=False, header=count == 0)
                    count += len(rows)
                    if len(rows) < CHUNK:
                        break
                text.flush()
                text.detach()
            done.rows[table] = count
            about = ABOUT.get(table, "")
            listing = ", ".join(f"{c} ({t.lower()})" for c, t in cols)
            readme += [f"## {table}.csv: {count} rows", ""] + ([about + ".", ""] if about else []) + [listing, ""]
        zf.writestr("README.md", "\n".join(readme))
    return done


def delete_organisation(scope: Scope, expected: dict[str, int] | None = None) -> Offboarded:
    """Delete every row of the organisation, in one transaction that first proves none remains;
    expected (the export's row counts) must match what is deleted."""
    scope.require("manage_organisations")
    store = scope.store
    params = _params(scope)
    with store.transaction("off-board an organisation") as cur:
        name = cur.execute("SELECT name FROM organisations WHERE org_id = ?", [scope.org_id]).fetchall()[0][0]
        done = Offboarded(name)
        done.accounts_left = [
            email
            for (email,) in cur.execute(
                "SELECT a.email FROM accounts a JOIN account_orgs o USING (account_id) WHERE o.org_id = ? "
                "AND a.role IN ('client_viewer', 'client_uploader') AND a.disabled_at IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM account_orgs x WHERE x.account_id = a.account_id AND x.org_id <> ?) ORDER BY 1",
                [scope.org_id, scope.org_id],
            ).fetchall()
        ]
        owned = _owned(cur)
        for table, where in owned:
            # S608 (here and below): catalogue names, quoted, and this module's conditions
            done.rows[table] = cur.execute(
                f"SELECT count(*) FROM {quoted(table)} WHERE {where}",  # noqa: S608
                _used(where, params),
            ).fetchall()[0][0]
            cur.execute(f"DELETE FROM {quoted(table)} WHERE {where}", _used(where, params))  # noqa: S608
        left = remaining(cur, params)
        if left:
            raise RuntimeError(f"rows of the organisation remain in {left}: nothing was deleted")
        if expected is not None and {t: n for t, n in expected.items() if n} != {
            t: n for t, n in done.rows.items() if n
        }:
            raise RuntimeError("the rows to delete differ from those exported: nothing was deleted; export again")
        total = sum(done.rows.values())
        said = (
            f"organisation {name!r} (id {scope.org_id}) deleted: {total} rows from "
            f"{sum(1 for n in done.rows.values() if n)} tables"
        )
        care_log.write(cur, scope.principal.name, "offboard", said)
        # no org_id on this entry: the organisation's own entries went with its other rows
        audit.note(detail=said)
    return done


def remaining(cur, params: dict) -> list[str]:
    """The tables still holding a row of the organisation (params from before the deletion)."""
    return [
        table
        for table, where in _owned(cur)
        if cur.execute(f"SELECT count(*) FROM {quoted(table)} WHERE {where}", _used(where, params)).fetchall()[0][0]  # noqa: S608
    ]
