"""The app in AppTest: every page opens without an exception on the demo, and the Data page
previews, loads and undoes a file as a user would."""

import json
from datetime import date

import pytest
import streamlit as st

from analysis import auth
from analysis import store as store_module
from analysis.access import OPERATOR
from analysis.seed import ensure_demo
from analysis.words import day
from tests import apptest
from tests.apptest import reset_streamlit, signed_in
from tests.conftest import ROOT, TINY

APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return tmp_path_factory.mktemp("app") / "app.duckdb"


@pytest.fixture
def app(demo_db, monkeypatch):
    """An AppTest of app.py signed in as an admin, on a database holding the demo."""
    monkeypatch.setenv("UPTAKE_DB", str(demo_db))
    monkeypatch.setenv("UPTAKE_DEMO", "1")
    st.cache_resource.clear()
    st.cache_data.clear()
    handle = store_module.shared_store(str(demo_db))
    ensure_demo(handle, enabled=True)
    who = auth.account_by_email(handle, "admin@provider.test") or auth.add_account(
        handle, OPERATOR, "admin@provider.test", "admin", password="correct horse battery"
    )
    at = signed_in(handle, who.account_id)
    yield at
    reset_streamlit()


def load_history(at):
    """The Data page's load history: its tab chosen (only the chosen tab runs, pages/data.py)."""
    if at.session_state["data_tab"] != "Load history":
        at.session_state["data_tab"] = "Load history"
        at.run()
    return next(d.value for d in at.dataframe if "upload_id" in d.value.columns)


def open_page(at, page):
    apptest.open_page(at, page)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_overview_shows_cohort_cards_and_both_charts_on_the_demo(app):
    at = open_page(app, "pages/overview.py")
    labels = [m.label for m in at.metric]
    assert labels.count("Adoption (28 days)") == 3  # champion, wider, all
    values = {m.label: m.value for m in at.metric[:4]}
    assert values["Licensed"] == "25"  # the demo's champion group
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # the two adoption charts, then the uptime series (analysis/demo_record.py)
    names = [t["name"] for t in json.loads(charts[0].proto.spec)["data"]]
    assert names == ["Champion", "Wider"]
    assert any("Synthetic demo data" in i.value for i in at.info)


def test_data_page_opens_with_the_demo_load_history(app):
    at = open_page(app, "pages/data.py")
    history = load_history(at)
    assert list(history["kind"]) == ["kpi_series", "feedback", "readiness", "tickets", "usage", "roster"]
    assert list(history["rows_rejected"]) == [0, 0, 0, 0, 0, 0]


def test_data_page_previews_then_loads_then_undoes(app):
    at = open_page(app, "pages/data.py")  # "Detect from the file" tells usage by its columns
    usage = (TINY / "usage.csv").read_bytes().replace(b"acme.test", b"democo.example")
    usage += b"bad@democo.example,2025-02-31,mfa_approval,1\n"
    at.file_uploader[0].set_value(("extra.csv", usage, "text/csv"))
    at.run()
    assert not at.exception
    preview = " ".join(m.value for m in at.markdown)
    assert "**extra\\.csv** (usage): 9 rows read → 8 new, 0 updated, 0 already loaded, 1 rejected" in preview
    next(b for b in at.button if b.label == "Load 1 file").click()
    at.run()
    assert not at.exception
    # load 7: after the demo's six (roster, usage, tickets, readiness, feedback, KPI series)
    assert any("extra\\.csv\\: load 7 stored 8 new rows" in s.value for s in at.success)  # shown literally
    history = load_history(at)
    assert list(history["upload_id"])[:1] == [7] and list(history["rows_rejected"])[:1] == [1]
    # undo needs its confirmation ticked
    next(c for c in at.checkbox if c.label.startswith("Yes, undo load")).check()
    at.run()
    next(b for b in at.button if b.label == "Undo this load").click()
    at.run()
    assert any("Undid load 7" in s.value for s in at.success), [s.value for s in at.success]
    assert load_history(at)["undone_at"].notna().tolist()[:1] == [True]
    # the state is the first column: an undone load no longer looks active
    assert list(load_history(at).columns)[:2] == ["state", "upload_id"]
    assert load_history(at)["state"].tolist()[:2] == [
        "Undone by admin@provider.test on " + day(date.today()) + load_history(at)["state"].iloc[0][-6:],
        "Active",
    ]


def test_a_refused_file_says_why_and_offers_no_load_button(app):
    at = open_page(app, "pages/data.py")
    next(s for s in at.selectbox if s.label == "What is in the files?").set_value("usage")
    at.file_uploader[0].set_value(("tickets.csv", b"ticket_id,created_at,status\nT1,2025-01-01,open\n", "text/csv"))
    at.run()
    assert any("Refused, nothing will be stored" in e.value and "load it as tickets" in e.value for e in at.error)
    assert not [b for b in at.button if b.label.startswith("Load")]


def test_time_charts_mark_when_red_flags_began(app):
    at = open_page(app, "pages/overview.py")
    calendar = json.loads(at.get("plotly_chart")[1].proto.spec)
    flags = {
        a["text"]: a["hovertext"] for a in calendar["layout"]["annotations"] if "red flag" in a.get("hovertext", "")
    }
    # the demo's Warehouse adoption flag began holding on 2026-09-16, with others that day: a short
    # label along the line (it was cut mid-word, "WORKA…"), where it holds on hover
    assert "red flag: low adoption" in flags and "Warehouse" in flags["red flag: low adoption"]
    assert flags["red flag: low adoption"].startswith("red flag low adoption from here: ")
    assert not [text for text in flags if "…" in text]


def test_data_page_reads_an_upload_once_across_reruns_and_the_load(app, monkeypatch):
    """Finding 6 of issue 10: the file was parsed again on every rerun (and by the load)."""
    from analysis import files

    reads = []
    real = files._read

    def counted(file_name, data, *args):
        reads.append(file_name)
        return real(file_name, data, *args)

    monkeypatch.setattr(files, "_read", counted)
    at = open_page(app, "pages/data.py")
    usage = (TINY / "usage.csv").read_bytes().replace(b"acme.test", b"democo.example")
    at.file_uploader[0].set_value(("once.csv", usage, "text/csv"))
    at.run()
    for _ in range(3):
        at.run()
    next(r for r in at.radio if r.label == "Dates like 03/04/2025").set_value("Day first (31/12/2025)")
    at.run()  # a new preview, from the table already read
    assert not at.exception and reads == ["once.csv"]
    next(b for b in at.button if b.label == "Load 1 file").click()
    at.run()
    assert any("once\\.csv\\: load" in s.value for s in at.success), [s.value for s in at.success]
    assert reads == ["once.csv"]


def test_data_page_waits_while_another_load_for_the_organisation_runs(app, demo_db):
    """One load at a time per organisation: the page says so, keeps the file, and previews it
    once the other load has finished."""
    from analysis import load_slots

    handle = store_module.shared_store(str(demo_db))
    org_ids = [r[0] for r in handle.cursor().execute("SELECT org_id FROM organisations").fetchall()]
    at = open_page(app, "pages/data.py")
    # bytes of their own: the same bytes loaded by an earlier test would be "already loaded"
    usage = (TINY / "usage.csv").read_bytes().replace(b"acme.test", b"democo.example") + b"\n"
    load_slots._busy.update(org_ids)  # another session's load holds every organisation
    try:
        at.file_uploader[0].set_value(("wait.csv", usage, "text/csv"))
        at.run()
        assert any("a load for this organisation is already running" in w.value for w in at.warning)
        assert not at.error and not [b for b in at.button if b.label.startswith("Load")]
    finally:
        load_slots._busy.difference_update(org_ids)
    at.run()  # finished: the same file previews, nothing was lost
    assert not at.warning and "**wait\\.csv** (usage)" in " ".join(m.value for m in at.markdown)
