"""The red-flag verdicts of each rollout, kept per data version (migration 027, table alert_verdicts).

The evaluation that records the alerts (after each load and daily: analysis/schedule.py; and any
evaluate_alerts with record) writes what the rules computed; a read-only check (the pages through
ui/flags.py, `kpis`, `alerts`, the API) at the same key reuses it instead of recomputing, which
was most of a page's first view and of a `kpis --json` process (docs/performance.md). Reads never
write: a read whose key has no entry computes the verdicts as before.

The key: the organisation and rollout, the data version (every load and undo), the fingerprint
of every other input the rules read (queries/verdict_key.sql: settings, go-lives, thresholds,
KPI targets, baselines, out-of-scope marks) with the code's own digest (a new version of the rules
never reads an old one's verdicts), the as-of day and the window. What is kept are the verdicts,
never the alerts' states: acknowledgements, snoozes and notes are read from the stored alerts at
every evaluation, so they show at once. STALE_DATA compares with today when no as-of day is
given, so it is judged afresh at each read from the newest days kept with the entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from analysis.alerts.inputs import Finding, RuleData
from analysis.alerts.rules import RULES
from analysis.alerts.support_rules import stale_verdicts
from analysis.orgs import Rollout
from analysis.scope import Scope

KEEP = 4  # entries kept per rollout (the newest): older data versions are never read again
PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Key:
    data_version: str
    inputs_version: str


@cache
def code_version() -> str:
    """A digest of the analysis package's Python and SQL (the rules, their queries and macros):
    verdicts computed by other code are never read back."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".sql") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def key(scope: Scope) -> Key:
    """The organisation's key now (read it before computing what is to be kept under it), read
    again only after a write to the database (Store.until_written): a page's adoption figures each
    ask for it (analysis/person_facts.py)."""

    def read() -> Key:
        data_version, inputs = scope.rows("verdict_key")[0]
        return Key(data_version, f"{inputs}/{code_version()}")

    return scope.store.until_written((scope.org_id, "verdict key"), read)


def kept_rows(scope: Scope, query: str, rollout: Rollout, at: Key | None = None, **params) -> list[tuple]:
    """The rows of queries/<query>.sql, a read of what the evaluation kept for the rollout under the
    key `at` (default: the organisation's key now), with the rest of its values: the one shape of
    every kept read (the verdicts here, analysis/kpis/baseline_cache.py, analysis/person_facts.py,
    analysis/kept_figures.py)."""
    at = at or key(scope)
    return scope.rows(
        query,
        rollout_id=rollout.rollout_id,
        data_version=at.data_version,
        inputs_version=at.inputs_version,
        **params,
    )


def _as_json(f: Finding) -> dict:
    return {
        "rule": f.rule,
        "status": f.status,
        "cohort": f.cohort,
        "department": f.department,
        "kind": f.kind,
        "severity": f.severity,
        "message": f.message,
        "evidence": f.evidence,
        "since": f.since.isoformat() if f.since else None,
    }


def _finding(row: dict) -> Finding:
    since = row.pop("since")
    return Finding(**row, since=date.fromisoformat(since) if since else None)


def read(
    scope: Scope, rollout: Rollout, at: Key, as_of: date | None, now: datetime
) -> tuple[date, list[Finding]] | None:
    """(the day evaluated as of, the verdicts that hold or cannot be judged, in RULES order) kept
    under the key for as_of (None: the newest usage day), or None when there are none."""
    rows = kept_rows(scope, "alert_verdicts", rollout, at, window_days=rollout.window_days, as_of=as_of)
    if not rows:
        return None
    d, newest_usage, newest_ticket, stale_days, text, _ = rows[0]
    kept = [_finding(row) for row in json.loads(text)]
    found: list[Finding] = []
    for name in RULES:
        if name == "STALE_DATA":
            found.extend(stale_verdicts(newest_usage, newest_ticket, as_of or now.date(), stale_days))
        else:
            found.extend(f for f in kept if f.rule == name)
    return d, [f for f in found if f.status != "clear"]


def write(cur, scope: Scope, rollout: Rollout, at: Key, data: RuleData, found: list[Finding]) -> None:
    """Keep the verdicts an evaluation computed under the key read before it began (inside the
    transaction that records the alerts); keeps the KEEP newest entries of the rollout."""
    where = (
        "org_id = $org AND rollout_id = $rollout AND data_version = $data AND inputs_version = $inputs "
        "AND as_of = $as_of AND window_days = $window"
    )
    params = {
        "org": scope.org_id,
        "rollout": rollout.rollout_id,
        "data": at.data_version,
        "inputs": at.inputs_version,
        "as_of": data.d,
        "window": data.window,
    }
    cur.execute(f"DELETE FROM alert_verdicts WHERE {where}", params)  # noqa: S608 - fixed text, values bound
    kept = [_as_json(f) for f in found if f.status != "clear" and f.rule != "STALE_DATA"]
    cur.execute(
        "INSERT INTO alert_verdicts (org_id, rollout_id, data_version, inputs_version, as_of, window_days, "
        "newest_usage, newest_ticket, stale_days, findings, computed_at) "
        "VALUES ($org, $rollout, $data, $inputs, $as_of, $window, $usage, $ticket, $stale, $found, current_timestamp)",
        params
        | {
            "usage": data.newest_usage,
            "ticket": data.newest_ticket,
            "stale": int(data.settings["STALE_DATA"]["max_age_days"]),
            "found": json.dumps(kept),
        },
    )
    cur.execute(
        "DELETE FROM alert_verdicts WHERE org_id = $org AND rollout_id = $rollout AND computed_at < ("
        "SELECT min(computed_at) FROM (SELECT computed_at FROM alert_verdicts WHERE org_id = $org "
        "AND rollout_id = $rollout ORDER BY computed_at DESC LIMIT $keep))",
        {"org": scope.org_id, "rollout": rollout.rollout_id, "keep": KEEP},
    )
