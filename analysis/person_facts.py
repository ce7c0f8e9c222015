"""The per-person adoption facts of each rollout, kept per data version (migration 030, table
kept_person_facts), as the red-flag verdicts and the computed baseline are
(analysis/alerts/verdict_cache.py, analysis/kpis/baseline_cache.py).

Every adoption figure (the cohort cards, the funnel, days to first use, the departments, the
roster columns, the lapsed and never-used lists) counts the rows of the person_adoption macro,
which reads every person-day of the rollout: about 40 ms each at 20 M events, six times on the
Adoption page's first view (docs/performance.md). The evaluation that records the red flags (after
each load and daily) keeps those rows under the verdicts' key with its as-of day and window; a
figure read at the same key, day and window counts the kept rows instead (the macro
adoption_facts, analysis/queries/macros/3_adoption.sql). Reads never write: a read with no entry
computes as before. A person's erasure deletes the entries (analysis/care/erasure.py).
"""

from __future__ import annotations

from datetime import date

from analysis.orgs import Rollout
from analysis.scope import Scope

KEEP = 4  # entries kept per rollout (the newest): older data versions are never read again


def params(scope: Scope, rollout: Rollout, as_of: date, window_days: int) -> dict:
    """The bound values of a query over adoption_facts: the rollout, the day, the window and the
    entry kept for them at the organisation's key now (None: compute)."""
    return {
        "rollout_id": rollout.rollout_id,
        "as_of": as_of,
        "window_days": window_days,
        "kept": entry(scope, rollout, as_of, window_days),
    }


def entry(scope: Scope, rollout: Rollout, as_of: date, window_days: int) -> int | None:
    """The id of the entry kept for the rollout, day and window at the organisation's key now, or None."""
    from analysis.alerts import verdict_cache  # the alerts import the metrics, which import this

    return verdict_cache.kept_rows(scope, "kept_person_facts_entry", rollout, as_of=as_of, window_days=window_days)[0][
        0
    ]


def keep(
    cur, scope: Scope, rollout: Rollout, data_version: str, inputs_version: str, as_of: date, window_days: int
) -> None:
    """Keep the rollout's person facts for the day and window under the key read before the
    evaluation began (inside the transaction that records the alerts): a load committed meanwhile
    leaves them under the older key. Keeps the KEEP newest entries of the rollout."""
    key = {
        "org": scope.org_id,
        "rollout": rollout.rollout_id,
        "data": data_version,
        "inputs": inputs_version,
        "as_of": as_of,
        "window": window_days,
    }
    cur.execute(
        "DELETE FROM kept_person_facts WHERE org_id = $org AND rollout_id = $rollout AND data_version = $data "
        "AND inputs_version = $inputs AND as_of = $as_of AND window_days = $window",
        key,
    )
    entry_id = cur.execute("SELECT nextval('person_facts_entry_seq')").fetchall()[0][0]  # one for every row
    cur.execute(
        "INSERT INTO kept_person_facts SELECT $entry, $org, $rollout, $data, $inputs, $as_of, $window, "
        "current_timestamp, * FROM person_adoption($org, $rollout, $as_of, $window)",
        key | {"entry": entry_id},
    )
    cur.execute(
        "DELETE FROM kept_person_facts WHERE org_id = $org AND rollout_id = $rollout AND entry_id NOT IN ("
        "SELECT DISTINCT entry_id FROM kept_person_facts WHERE org_id = $org AND rollout_id = $rollout "
        "ORDER BY entry_id DESC LIMIT $keep)",
        {"org": scope.org_id, "rollout": rollout.rollout_id, "keep": KEEP},
    )
