"""The computed baseline with its champion curve, kept per data version (migration 029, table
kept_baselines), as the red-flag verdicts are (analysis/alerts/verdict_cache.py).

The champion curve (a per-day series from the champions' go-live) and the baseline window's
figures change only with a load, an undo or a setting, yet the KPI table computed them on every
first view: most of the Overview's data work (docs/performance.md). The evaluation that records
the red flags (after each load and daily) keeps them under the verdicts' key (data version,
settings and code fingerprint) with the as-of day, the window and the baseline window; a read at
the same key takes them instead of recomputing. Reads never write: a read whose key has no entry
computes the baseline as before. A person's erasure deletes the entries (analysis/care/erasure.py).
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from analysis.orgs import Rollout
from analysis.scope import Scope

if TYPE_CHECKING:
    from analysis.alerts.verdict_cache import Key

KEEP = 4  # entries kept per rollout (the newest): older data versions are never read again


def key(scope: Scope) -> Key:
    """The organisation's key now: the verdicts' (imported here: the alerts import the KPIs)."""
    from analysis.alerts import verdict_cache

    return verdict_cache.key(scope)


def read(
    scope: Scope, rollout: Rollout, at: Key, as_of: date, window_days: int, window: tuple[date, date]
) -> dict | None:
    """The figures kept under the key for this as-of day, window and baseline window, or None."""
    from analysis.alerts import verdict_cache

    rows = verdict_cache.kept_rows(
        scope,
        "kept_baseline",
        rollout,
        at,
        as_of=as_of,
        window_days=window_days,
        window_start=window[0],
        window_end=window[1],
    )
    return json.loads(rows[0][0]) if rows else None


def write(
    cur,
    scope: Scope,
    rollout: Rollout,
    at: Key,
    as_of: date,
    window_days: int,
    window: tuple[date, date],
    figures: dict,
) -> None:
    """Keep a computed baseline's figures (with its champion curve) under the key read before they
    were computed, inside the recording evaluation's transaction; keeps the KEEP newest entries."""
    params = {
        "org": scope.org_id,
        "rollout": rollout.rollout_id,
        "data": at.data_version,
        "inputs": at.inputs_version,
        "as_of": as_of,
        "window": window_days,
        "start": window[0],
        "end": window[1],
    }
    cur.execute(
        "DELETE FROM kept_baselines WHERE org_id = $org AND rollout_id = $rollout AND data_version = $data "
        "AND inputs_version = $inputs AND as_of = $as_of AND window_days = $window "
        "AND window_start = $start AND window_end = $end",
        params,
    )
    cur.execute(
        "INSERT INTO kept_baselines (org_id, rollout_id, data_version, inputs_version, as_of, window_days, "
        "window_start, window_end, figures, computed_at) "
        "VALUES ($org, $rollout, $data, $inputs, $as_of, $window, $start, $end, $figures, current_timestamp)",
        params | {"figures": json.dumps(figures)},
    )
    cur.execute(
        "DELETE FROM kept_baselines WHERE org_id = $org AND rollout_id = $rollout AND computed_at < ("
        "SELECT min(computed_at) FROM (SELECT computed_at FROM kept_baselines WHERE org_id = $org "
        "AND rollout_id = $rollout ORDER BY computed_at DESC LIMIT $keep))",
        {"org": scope.org_id, "rollout": rollout.rollout_id, "keep": KEEP},
    )
