"""The crash drill's short version (bench/crash_drill.py; `make drill` runs 50 kills): loads
killed with SIGKILL at random points, through the command line and the inbox; the database must
open, hold each file's rows all or none, keep every committed load, and list the loads that never
finished."""

from pathlib import Path

import pytest

from bench.crash_drill import REALDATA, run_drill
from tests.conftest import TINY


def test_synthetic_loads_survive_kills(tmp_path):
    report = run_drill(tmp_path, kills=3, seed=3, size=5_000, real=False)
    assert report.failures == []
    assert report.kills == 3
    assert {way.split(" via ")[1] for way in report.by_way} == {"command line", "inbox"}


@pytest.mark.skipif(not REALDATA.is_dir(), reason=f"the real data set is not here ({REALDATA})")
def test_real_loads_survive_kills(tmp_path: Path):
    # rounds 3, 7, ... are real files: the smallest export here (make drill loads them all)
    small = (("tickets", "servicenow-pdi-exports/incident_list_export.csv"),)
    # this small file's load can finish before its kill on a busy machine: room for a few more rounds
    report = run_drill(tmp_path, kills=2, seed=5, size=2_000, real=True, first=3, step=4, real_files=small, rounds=12)
    assert report.failures == []
    assert report.kills == 2
    assert all(" synthetic " not in way for way in report.by_way)


def test_a_load_cut_off_is_listed_as_never_finished(cli, monkeypatch):
    """A load whose process died before it committed (here: its process is another's, and it stops
    without a word, as under SIGKILL) is listed by `uploads`; committed ones are marked loaded."""
    import analysis.ingest
    from analysis.care import attempts

    cli("org", "add", "Acme", "--domain", "acme.test")
    cli("load", "--org", "Acme", "--kind", "usage", TINY / "usage.csv")
    assert "never finished" not in cli("uploads", "--org", "Acme").stdout

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # stands for the kill: the transaction is never committed

    monkeypatch.setattr(attempts, "PROCESS", "1234-gone")
    monkeypatch.setattr(attempts, "finish_alone", lambda *a, **k: None)  # a killed process writes nothing more
    monkeypatch.setattr(analysis.ingest, "_record", killed)
    with pytest.raises(KeyboardInterrupt):
        cli("load", "--org", "Acme", "--kind", "tickets", TINY / "tickets.csv")
    monkeypatch.undo()

    listed = cli("uploads", "--org", "Acme").stdout
    assert "never finished (1)" in listed
    assert "attempt 2: tickets tickets.csv, begun" in listed
    assert "load 1" not in listed.split("never finished")[1]
    # nothing of the cut-off load was stored, and the committed one is marked with its load
    from analysis.store import Store

    store = Store(cli.path)
    try:
        rows = store.cursor().execute("SELECT attempt_id, outcome, upload_id FROM load_attempts ORDER BY 1").fetchall()
        assert rows == [(1, "loaded", 1), (2, None, None)]
        assert store.cursor().execute("SELECT count(*) FROM tickets").fetchall() == [(0,)]
    finally:
        store.close()
