"""Readiness (issue 14 part 1): dated training sessions and communications per cohort or department,
loaded through the one ingest path, 'trained before go-live: N of M', and the NOT_READY red flag.
Acme's rollout MFA: champion live 2025-01-06, wider 2025-02-03 (tests/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from analysis import orgs, readiness
from analysis.access import OPERATOR
from analysis.alerts import evaluate
from analysis.files import FileRefused
from analysis.uploads import undo
from tests.conftest import counts, shown

# champion: c1..c4 licensed (c5 not licensed); wider: w1..w6 licensed, in Sales (w1..w3) and Ops (w4..w6)
ROSTER = """
user_id,department,cohort,licensed
c1@acme.test,IT,champion,yes
c2@acme.test,IT,champion,yes
c3@acme.test,IT,champion,yes
c4@acme.test,IT,champion,yes
c5@acme.test,IT,champion,no
w1@acme.test,Sales,wider,yes
w2@acme.test,Sales,wider,yes
w3@acme.test,Sales,wider,yes
w4@acme.test,Ops,wider,yes
w5@acme.test,Ops,wider,yes
w6@acme.test,Ops,wider,yes
"""
USAGE = """
user_id,date,activity
c1@acme.test,2025-02-20,mfa
"""
# champion: a session on 2024-12-20 (17 days before 2025-01-06) attended by c1, c2, c3 and c5 (not
# licensed) -> 3 of 4 licensed trained. wider: its only training (Sales, 2024-12-01) is 64 days before
# its go-live, outside the 28 days; plus a communication. A session after go-live counts for neither.
READINESS = """
date,cohort,kind,title,attendees
2024-12-20,champion,training,Authenticator set-up,c1@acme.test;c2@acme.test;c3@acme.test;c5@acme.test
2024-12-01,Sales,training,Early briefing,w1@acme.test;w2@acme.test
2025-01-27,wider,communication,Go-live e-mail,
2025-02-10,wider,training,Catch-up session,25
"""


@pytest.fixture
def mfa(acme, load):
    load(acme, "roster", ROSTER)
    load(acme, "usage", USAGE)
    return acme


def test_a_readiness_file_loads_through_the_ingest_path_and_reloading_adds_nothing(mfa, load):
    result = load(mfa, "readiness", READINESS)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 4, 0)
    again = load(mfa, "readiness", READINESS)
    assert again.already_loaded and again.upload_id is None
    assert counts(mfa.store, "readiness_entries") == 4
    frame = readiness.entries(mfa, orgs.rollout(mfa, "MFA"))
    sales = frame[frame["title"] == "Early briefing"].iloc[0]
    assert (sales["cohort"], sales["department"], sales["attendance"]) == (None, "Sales", 2)
    catch_up = frame[frame["title"] == "Catch-up session"].iloc[0]
    assert (catch_up["attendance"], catch_up["attendees"]) == (25, None)


def test_bad_rows_are_named_by_line_and_column_and_an_update_is_counted(mfa, load):
    orgs.add_organisation(mfa.store, OPERATOR, "Other", email_domains=["other.test"])
    load(mfa, "readiness", READINESS)
    changed = """
    date,cohort,kind,title,attendees
    2024-12-20,champion,training,Authenticator set-up,c1@acme.test;c2@acme.test;c3@acme.test;c4@acme.test
    2025-01-27,wider,communication,Go-live e-mail,
    2025-01-28,wider,webinar,Q and A,
    2025-01-29,Finance,training,Drop-in,
    2025-01-30,wider,training,Drop-in,x@other.test
    2025-01-31,wider,training,Floor walk,4
    """
    result = load(mfa, "readiness", changed, name="readiness-2.csv")
    assert (result.rows_read, result.rows_loaded, result.rows_updated, result.rows_duplicate) == (6, 1, 1, 1)
    bad = {(r.line, r.column): r.reason for r in result.rejects}
    assert set(bad) == {(4, "kind"), (5, "cohort"), (6, "attendees")}
    assert "'webinar' is not training or communication" in bad[(4, "kind")]
    assert "nor a department of its roster" in bad[(5, "cohort")]
    # undo brings the first version of the updated entry back and removes the new one
    undo(mfa, result.upload_id)
    frame = readiness.entries(mfa, orgs.rollout(mfa, "MFA"))
    assert sorted(frame["title"]) == ["Authenticator set-up", "Catch-up session", "Early briefing", "Go-live e-mail"]
    setup = frame[frame["title"] == "Authenticator set-up"].iloc[0]
    assert list(setup["attendees"]) == ["c1@acme.test", "c2@acme.test", "c3@acme.test", "c5@acme.test"]


def test_a_readiness_file_needs_a_rollout(mfa, load):
    with pytest.raises(FileRefused, match="belongs to a rollout"):
        load(mfa, "readiness", READINESS, rollout=None)


def test_trained_before_go_live_per_cohort(mfa, load):
    load(mfa, "readiness", READINESS)
    rollout = orgs.rollout(mfa, "MFA")
    got = {r.cohort: (r.trained, r.licensed, r.trainings_in_window) for r in readiness.cohort_readiness(mfa, rollout)}
    # champion: c1, c2, c3 listed (c5 is not licensed) -> 3 of 4; one session in the 28 days before.
    # wider: w1, w2 listed by the Sales briefing (64 days before go-live: trained, but not in the
    # window); the communication trains nobody; the catch-up is after go-live -> 2 of 6, no session.
    assert got == {"champion": (3, 4, 1), "wider": (2, 6, 0)}


def _not_ready(scope, as_of):
    rollout = orgs.rollout(scope, "MFA")
    return {f.cohort: f for f in evaluate.findings(scope, rollout, as_of=as_of) if f.rule == "NOT_READY"}


def test_not_ready_holds_for_a_cohort_live_without_training_and_one_trained_under_the_share(mfa, load):
    load(mfa, "readiness", READINESS)
    found = _not_ready(mfa, date(2025, 2, 20))
    # champion: 3 of 4 = 75 %, not under the 50 % default share, and trained in the window: clear
    assert found["champion"].status == "clear"
    # wider: no training in the 28 days before 2025-02-03 -> holds, high
    wider = found["wider"]
    assert (wider.status, wider.severity) == ("holds", "high")
    assert wider.evidence["trained"] == 2 and wider.evidence["licensed_users"] == 6
    assert wider.evidence["trainings_in_window"] == 0
    assert "no training in the 28 days before its go-live" in wider.message
    assert wider.since == date(2025, 2, 3)


def test_not_ready_under_the_trained_share_is_medium(mfa, load):
    # a session for the wider cohort in its window, listing only w4: 3 of 6 trained (w1, w2, w4) = 50 %: not
    # under 50 %; with the share raised to 0.6 it holds (3 / 6 = 0.5 < 0.6), medium
    load(mfa, "readiness", READINESS + "2025-01-20,wider,training,Set-up clinic,w4@acme.test\n")
    rollout = orgs.rollout(mfa, "MFA")
    assert _not_ready(mfa, date(2025, 2, 20))["wider"].status == "clear"
    from analysis.alerts.rules import set_threshold

    set_threshold(mfa, rollout, "NOT_READY", "share_trained", 0.6)
    wider = _not_ready(mfa, date(2025, 2, 20))["wider"]
    assert (wider.status, wider.severity) == ("holds", "medium")
    assert "trained before go-live: 3 of 6 (50%)" in wider.message


def test_not_ready_is_judged_once_a_record_is_loaded_and_not_before_go_live(mfa, load):
    assert _not_ready(mfa, date(2025, 2, 20)) == {}  # judged once a readiness record is loaded
    load(mfa, "readiness", READINESS)
    # before the wider go-live: not live yet
    assert _not_ready(mfa, date(2025, 1, 20))["wider"].status == "not_enough_data"


# -- the pages: the Overview's readiness table, the Red flags page's NOT_READY card ----------------


def page_world(tmp_path, monkeypatch, files: dict[str, str]):
    """A database file with Acme's rollout MFA, its roster, usage and files {kind: text}, an admin
    and a client viewer account: (store, org_id, {role: account_id})."""
    from analysis import auth
    from analysis import store as store_module
    from analysis.ingest import load_file
    from analysis.scope import open_scope
    from tests.apptest import reset_streamlit
    from tests.conftest import csv

    path = str(tmp_path / "record.duckdb")
    monkeypatch.setenv("UPTAKE_DB", path)
    monkeypatch.setenv("UPTAKE_DEMO", "0")
    reset_streamlit()
    handle = store_module.shared_store(path)
    org = orgs.add_organisation(handle, OPERATOR, "Acme", email_domains=["acme.test"])
    scope = open_scope(handle, OPERATOR, org, "upload")
    orgs.add_rollout(scope, "MFA", {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3)}, activities=["mfa"])
    for kind, text in {"roster": ROSTER, "usage": USAGE, **files}.items():
        load_file(scope, kind, f"{kind}.csv", csv(text), rollout="MFA")
    password = "correct horse battery"
    accounts = {
        "admin": auth.add_account(handle, OPERATOR, "admin@provider.test", "admin", password=password).account_id,
        "client_viewer": auth.add_account(
            handle, OPERATOR, "viewer@acme.test", "client_viewer", [org], password=password
        ).account_id,
    }
    return handle, org, accounts


@pytest.fixture
def on_the_pages(tmp_path, monkeypatch):
    from tests.apptest import reset_streamlit

    yield page_world(tmp_path, monkeypatch, {"readiness": READINESS})
    reset_streamlit()


def test_the_overview_says_trained_before_go_live_per_cohort_and_red_flags_show_not_ready(on_the_pages):
    from tests.apptest import open_page, signed_in

    handle, org, accounts = on_the_pages
    at = signed_in(handle, accounts["admin"])
    at.session_state["org_id"] = org
    open_page(at, "pages/overview.py")
    assert not at.exception, [e.value for e in at.exception]
    [table] = [t.value for t in at.dataframe if "Trained before go-live" in t.value.columns]
    assert table[["Cohort", "Trained before go-live", "Training sessions in the 28 days before"]].values.tolist() == [
        ["champion", "3 of 4", 1],
        ["wider", "2 of 6", 0],
    ]
    at.switch_page("pages/red_flags.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    heads = [m.value for m in at.markdown if m.value.startswith("**") and " · " in m.value]
    assert any(h.startswith("**Not Ready** · wider cohort") for h in heads), heads
    text = shown(" ".join(m.value for m in at.markdown))
    assert "with no training in the 28 days before its go-live" in text, text


def test_the_report_pack_has_a_readiness_and_a_feedback_page(mfa, load):
    from analysis.reports.contents import report_contents
    from tests.test_feedback import ANSWERS

    rollout = orgs.rollout(mfa, "MFA")
    titles = lambda made: [s.title for s in made.sections]  # noqa: E731
    assert "Readiness: trained before go-live" not in titles(report_contents(mfa, rollout, date(2025, 2, 20)))
    load(mfa, "readiness", READINESS)
    load(mfa, "feedback", ANSWERS)
    made = report_contents(mfa, rollout, date(2025, 2, 20))
    by_title = {s.title: s for s in made.sections}
    [ready] = by_title["Readiness: trained before go-live"].blocks
    assert ready.rows == [
        ["champion", "6 Jan 2025", "3 of 4", "1", "0", "20 Dec 2024"],
        ["wider", "3 Feb 2025", "2 of 6", "0", "1", "1 Dec 2024"],
    ]
    voice, table = by_title["Feedback: confidence"].blocks
    assert voice == "The champions before the wider go-live (3 Feb 2025): 4 answers, a mean of 4.0 of 5."
    assert table.rows[:2] == [["rollout", "whole rollout", "6", "2.2"], ["cohort", "wider", "6", "2.2"]]
