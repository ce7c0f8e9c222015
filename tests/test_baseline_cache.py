"""The computed baseline kept per data version (analysis/kpis/baseline_cache.py, migration 029): the
recording evaluation keeps the computed baseline with its champion curve; the KPI table read at
the same key takes it without recomputing and gives the same rows; a load and an undo compute
afresh (and the undo gives back the first figures); reads never write.

The tiny organisation (tests/data/tiny) as of its newest usage day, 2025-02-10 (window 28): the
wider cohort is 7 days old, and its adoption row's baseline is the champions' adoption on their
day 7 (2025-01-13): a and b of a b c d -> 0.5 (analysis/kpis/table.py kpi_rows)."""

from __future__ import annotations

from datetime import datetime

import pytest

from analysis import alerts, kpis, uploads
from analysis.kpis import baselines

NOW = datetime(2025, 2, 12, 9)


@pytest.fixture
def computed(monkeypatch):
    """The baseline windows whose figures were computed (rather than read from the kept ones)."""
    calls = []
    real = baselines.baseline_figures

    def counting(scope, rollout, start, end, *args, **kwargs):
        calls.append((start, end))
        return real(scope, rollout, start, end, *args, **kwargs)

    monkeypatch.setattr(baselines, "baseline_figures", counting)
    return calls


def entries(scope) -> int:
    sql = "SELECT count(*) FROM kept_baselines WHERE org_id = ?"
    return scope.store.cursor().execute(sql, [scope.org_id]).fetchall()[0][0]


def record(scope, rollout):
    alerts.evaluate_alerts(scope, rollout, now=NOW, record=True)


def wider_adoption_baseline(rows) -> float | None:
    return next(r.baseline for r in rows if r.kpi == "adoption_rate" and r.cohort == "wider")


def test_the_kpi_table_reads_the_kept_baseline_and_gives_the_same_rows(tiny, computed):
    scope, rollout = tiny
    record(scope, rollout)
    assert entries(scope) == 1
    computed.clear()
    kept = kpis.kpi_rows(scope, rollout)
    assert computed == []  # neither the window's figures nor the champion curve computed
    assert wider_adoption_baseline(kept) == 0.5
    scope.store.cursor().execute("DELETE FROM kept_baselines")
    assert kpis.kpi_rows(scope, rollout) == kept
    assert len(computed) == 1  # computed this time: the same rows


def test_reads_never_write(tiny, computed):
    scope, rollout = tiny
    kpis.kpi_rows(scope, rollout)
    kpis.kpi_rows(scope, rollout)
    assert entries(scope) == 0 and len(computed) == 2


def test_a_load_and_an_undo_compute_afresh(tiny, load, computed):
    scope, rollout = tiny
    record(scope, rollout)
    before = kpis.kpi_rows(scope, rollout)
    # c's use on 2025-01-13 makes the champions' day 7 three of four: the wider row's baseline 0.75
    more = load(scope, "usage", "user_id,date,activity,count\nc@acme.test,2025-01-13,mfa,1\n", name="more.csv")
    computed.clear()
    after = kpis.kpi_rows(scope, rollout)
    assert len(computed) == 1 and wider_adoption_baseline(after) == 0.75
    record(scope, rollout)
    computed.clear()
    assert kpis.kpi_rows(scope, rollout) == after and computed == []
    uploads.undo(scope, more.upload_id)
    assert kpis.kpi_rows(scope, rollout) == before and len(computed) == 1
