"""The results of the queries behind each rollout's default view, kept per data version (migration
031, table kept_figures), as the red-flag verdicts, the computed baseline and the person facts are
(analysis/alerts/verdict_cache.py, analysis/kpis/baseline_cache.py, analysis/person_facts.py).

The pages' time series (the rolling 7-day curve, weekly active people, the department heatmap,
tickets per week) and the data's freshness each read every person-day or ticket of the rollout:
30-45 ms apiece at 20 M events, the most of a page's first data work once the person facts are kept
(docs/performance.md). The evaluation that records the red flags (after each load and daily) runs
the default view's calls (analysis/default_view.py: the newest day, the rollout's window, the
sidebar's period) and keeps what each of these queries returned, under the verdicts' key with the query's
bound values; a read with the same key and values takes the kept result. Another period misses and
computes. Reads never write. Results are Arrow IPC streams: the frame comes back with its dtypes.
A person's erasure deletes them (analysis/care/erasure.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

import pandas as pd
import pyarrow as pa

from analysis.orgs import Rollout
from analysis.scope import Scope

KEEP = 4  # keys kept per rollout (the newest): older data versions are never read again
QUERIES = frozenset(
    {"data_freshness", "rolling_adoption", "weekly_active_users", "department_weekly_adoption", "weekly_tickets"}
)
# what the evaluation is keeping (query, bound values) -> result, while it runs the default view
_keeping: ContextVar[dict[tuple[str, str], bytes] | None] = ContextVar("kept_figures", default=None)


def df(scope: Scope, rollout: Rollout, query: str, **params) -> pd.DataFrame:
    """scope.df(query, rollout_id=the rollout's, **params): the result kept at the organisation's
    key now for these values, else computed (and noted while the evaluation keeps the default view)."""
    if query not in QUERIES:
        raise ValueError(f"{query} is not a kept query")
    params["rollout_id"] = rollout.rollout_id
    values = _values(params)
    keeping = _keeping.get()
    if keeping is None:
        kept = _read(scope, rollout, query, values)
        if kept is not None:
            return kept
    frame = scope.df(query, **params)
    if keeping is not None:
        keeping[(query, values)] = _as_bytes(frame)
    return frame


@contextmanager
def keeping() -> Iterator[dict[tuple[str, str], bytes]]:
    """While open, the kept queries compute (no kept result is read) and their results gather in the
    dict yielded: the evaluation runs the default view inside it, then write()s what gathered."""
    gathered: dict[tuple[str, str], bytes] = {}
    token = _keeping.set(gathered)
    try:
        yield gathered
    finally:
        _keeping.reset(token)


def write(cur, scope: Scope, rollout: Rollout, data_version: str, inputs_version: str, gathered: dict) -> None:
    """Keep what the default view's queries returned under the key read before the evaluation began
    (inside the transaction that records the alerts); keeps the KEEP newest keys of the rollout."""
    key = {"org": scope.org_id, "rollout": rollout.rollout_id, "data": data_version, "inputs": inputs_version}
    cur.execute(
        "DELETE FROM kept_figures WHERE org_id = $org AND rollout_id = $rollout AND data_version = $data "
        "AND inputs_version = $inputs",
        key,
    )
    for (query, values), frame in gathered.items():
        cur.execute(
            "INSERT INTO kept_figures (org_id, rollout_id, data_version, inputs_version, query, params, frame, "
            "computed_at) VALUES ($org, $rollout, $data, $inputs, $query, $values, $frame, current_timestamp)",
            key | {"query": query, "values": values, "frame": frame},
        )
    cur.execute(
        "DELETE FROM kept_figures WHERE org_id = $org AND rollout_id = $rollout AND computed_at < ("
        "SELECT min(computed_at) FROM (SELECT DISTINCT computed_at FROM kept_figures WHERE org_id = $org "
        "AND rollout_id = $rollout ORDER BY computed_at DESC LIMIT $keep))",
        {"org": scope.org_id, "rollout": rollout.rollout_id, "keep": KEEP},
    )


def _read(scope: Scope, rollout: Rollout, query: str, values: str) -> pd.DataFrame | None:
    from analysis.alerts import verdict_cache  # the alerts import the metrics, which import this

    rows = verdict_cache.kept_rows(scope, "kept_figure", rollout, name=query, params=values)
    return pa.ipc.open_stream(rows[0][0]).read_all().to_pandas() if rows else None


def _values(params: dict) -> str:
    """The bound values as a key: JSON with sorted keys, days as ISO dates."""
    return json.dumps(params, sort_keys=True, default=lambda v: v.isoformat() if isinstance(v, date) else str(v))


def _as_bytes(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()
