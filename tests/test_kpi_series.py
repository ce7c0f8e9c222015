"""Any KPI from a CSV (issue 14 part 5): a KPI series (date, kpi, value, unit, direction, optional
target and cohort or department) loaded through the one ingest path reads as a KPI with a baseline,
a current value, a target and a status, a row of the KPI table, and the KPI_OFF_TRACK red flag.
Acme's rollout MFA: champion live 2025-01-06, wider 2025-02-03, so its computed baseline window is
the 28 days before the first go-live: 2024-12-09 .. 2025-01-05 (tests/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from analysis import kpis, orgs
from analysis.alerts import evaluate
from analysis.alerts.rules import set_threshold
from analysis.files import FileRefused
from analysis.kpis import custom
from analysis.uploads import undo
from tests.test_readiness import ROSTER, USAGE

# uptime (higher is better, target 99.5): 99.9 and 99.7 in the baseline window (mean 99.8), then
# 99.6, 97.0 and 98.0 after go-live. error rate (lower is better) for the wider cohort: target 2.
SERIES = """
date,kpi,value,unit,direction,target,cohort
2024-12-15,Uptime,99.9,%,up,99.5,
2025-01-01,Uptime,99.7,%,up,,
2025-01-20,Uptime,99.6,%,up,,
2025-02-10,Uptime,97.0,%,up,,
2025-02-17,Uptime,98.0,%,up,,
2025-02-10,error rate,1.5,%,down,2,wider
2025-02-17,error rate,2.5,%,down,2,wider
"""


@pytest.fixture
def mfa(acme, load):
    load(acme, "roster", ROSTER)
    load(acme, "usage", USAGE)
    return acme


def test_a_series_loads_and_an_update_is_undone(mfa, load):
    result = load(mfa, "kpi_series", SERIES)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (7, 7, 0)
    assert load(mfa, "kpi_series", SERIES).already_loaded
    fix = "date,kpi,value,unit,direction\n2025-02-10,uptime,97.5,%,up\n2025-02-24,uptime,99.0,%,up\n"
    changed = load(mfa, "kpi_series", fix, name="fix.csv")
    assert (changed.rows_loaded, changed.rows_updated) == (1, 1)
    rollout = orgs.rollout(mfa, "MFA")
    [uptime] = [s for s in custom.series(mfa, rollout, date(2025, 2, 28), None) if s.kpi == "uptime"]
    assert uptime.readings[-3:] == ((date(2025, 2, 10), 97.5), (date(2025, 2, 17), 98.0), (date(2025, 2, 24), 99.0))
    undo(mfa, changed.upload_id)
    [uptime] = [s for s in custom.series(mfa, rollout, date(2025, 2, 28), None) if s.kpi == "uptime"]
    assert uptime.readings[-2:] == ((date(2025, 2, 10), 97.0), (date(2025, 2, 17), 98.0))


def test_bad_readings_are_named_and_a_file_without_direction_is_refused(mfa, load):
    text = """
    date,kpi,value,unit,direction
    2025-02-10,uptime,high,%,up
    2025-02-11,uptime,99,%,sideways
    2025-02-12,uptime,99.2,%,Higher is better
    2025-02-13,,99.2,%,up
    2025-02-14,uptime,99.1,%,up
    2025-02-15,uptime,99.4,%,up
    """
    result = load(mfa, "kpi_series", text)
    bad = {(r.line, r.column): r.reason for r in result.rejects}
    assert set(bad) == {(2, "value"), (3, "direction"), (5, "kpi")}
    assert result.rows_loaded == 3
    with pytest.raises(FileRefused, match="no direction column"):
        load(mfa, "kpi_series", "date,kpi,value\n2025-02-10,uptime,99\n", name="bare.csv")


def test_each_series_is_a_row_of_the_kpi_table_with_baseline_target_and_status(mfa, load):
    load(mfa, "kpi_series", SERIES)
    rollout = orgs.rollout(mfa, "MFA")
    rows = {(r.kpi, r.cohort): r for r in kpis.kpi_rows(mfa, rollout, date(2025, 2, 20))}
    uptime = rows[("custom:uptime", None)]
    # baseline: the mean of 99.9 and 99.7 (the window 9 Dec .. 5 Jan); now: 98.0 (17 Feb); 1.5 under
    # 99.5 is less than 10 % of it: at risk
    assert (uptime.label, uptime.baseline, uptime.current, uptime.target) == (
        "uptime (%)",
        pytest.approx(99.8),
        98.0,
        99.5,
    )
    assert (uptime.change, uptime.status, uptime.direction) == (pytest.approx(-1.8), "at risk", "higher")
    errors = rows[("custom:error rate", "wider")]
    # no reading in or before the baseline window: no baseline; 2.5 over 2 by 0.5 = 25 % of 2: off track
    assert (errors.baseline, errors.current, errors.target, errors.status) == (None, 2.5, 2.0, "off track")


def _off(scope, as_of):
    rollout = orgs.rollout(scope, "MFA")
    return {(f.kind, f.cohort): f for f in evaluate.findings(scope, rollout, as_of=as_of) if f.rule == "KPI_OFF_TRACK"}


def test_kpi_off_track_holds_when_the_newest_readings_miss_the_target(mfa, load):
    assert _off(mfa, date(2025, 2, 20)) == {}  # judged once a series is loaded
    load(mfa, "kpi_series", SERIES)
    found = _off(mfa, date(2025, 2, 20))
    uptime, errors = found[("uptime", None)], found[("error rate", "wider")]
    # uptime 98.0 < 99.5 (at risk in the table: medium); wrong since 10 Feb (97.0), right on 20 Jan (99.6)
    assert (uptime.status, uptime.severity, uptime.since) == ("holds", "medium", date(2025, 2, 10))
    assert "uptime (%): 98 on 17 Feb 2025 (baseline 99.8), under its target of 99.5." == uptime.message
    # error rate 2.5 > 2 (off track: high); on 16 Feb its newest reading was 1.5, under the target
    assert (errors.status, errors.severity, errors.since) == ("holds", "high", date(2025, 2, 17))
    # two readings in a row: uptime's 97.0 and 98.0 both miss; the error rate's 1.5 then 2.5 do not
    set_threshold(mfa, orgs.rollout(mfa, "MFA"), "KPI_OFF_TRACK", "points", 2)
    found = _off(mfa, date(2025, 2, 20))
    assert (found[("uptime", None)].status, found[("error rate", "wider")].status) == ("holds", "clear")
    # before any reading of the error rate: it cannot be judged
    assert _off(mfa, date(2025, 2, 1))[("error rate", "wider")].status == "not_enough_data"


@pytest.fixture
def on_the_pages(tmp_path, monkeypatch):
    from tests.apptest import reset_streamlit
    from tests.test_readiness import page_world

    yield page_world(tmp_path, monkeypatch, {"kpi_series": SERIES})
    reset_streamlit()


def test_the_overview_charts_each_series_against_its_target_and_lists_it_in_the_kpi_table(on_the_pages):
    import json

    from tests.apptest import open_page, signed_in

    handle, org, accounts = on_the_pages
    at = signed_in(handle, accounts["client_viewer"])  # a client view reads them too
    at.session_state["org_id"] = org
    open_page(at, "pages/overview.py")
    assert not at.exception, [e.value for e in at.exception]
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    uptime = next(s for s in specs if s["data"][0].get("name") == "uptime (%)")
    assert uptime["data"][0]["y"] == [99.9, 99.7, 99.6, 97.0, 98.0]
    lines = {a["text"] for a in uptime["layout"]["annotations"]}
    assert {"target 99.5", "baseline 99.8"} <= lines
    [table] = [t.value for t in at.dataframe if "KPI" in t.value.columns and "Status" in t.value.columns]
    row = table[table["KPI"] == "uptime (%)"].iloc[0]
    assert (row["Baseline"], row["Now"], row["Target"], row["Status"]) == ("99.8", "98.0", "99.5", "at risk")
