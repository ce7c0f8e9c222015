"""Feedback (issue 14 part 4): pulse-survey answers from Uptake's own columns, a Microsoft Forms and a
Google Forms export, through the one ingest path; confidence by cohort and department; the champions'
answers before the wider go-live; comments (searchable by the provider, to client views only where
allowed, never named, never for a group under 5 answers); the LOW_CONFIDENCE red flag.
Acme's rollout MFA: champion live 2025-01-06, wider 2025-02-03 (tests/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from analysis import feedback, orgs
from analysis.access import Principal
from analysis.alerts import evaluate
from analysis.scope import open_scope
from analysis.uploads import undo
from tests.conftest import counts, shown
from tests.test_readiness import ROSTER, USAGE, page_world

Q = "I feel confident using MFA"
# champions (IT): 4, 5, 3, 4 before the wider go-live; one anonymous 4 with no group; the wider cohort
# (Sales w1-w3, Ops w4-w6) in February: 2, 2, 3, 1, 2, 3 = 13 over 6 answers
ANSWERS = f"""
user_id,date,question,score,comment
c1@acme.test,2025-01-10,{Q},4,
c2@acme.test,2025-01-10,{Q},5,Easy once set up
c3@acme.test,2025-01-12,{Q},3,
c4@acme.test,2025-01-12,{Q},4,
anonymous,2025-01-13,{Q},4,
w1@acme.test,2025-02-10,{Q},2,Codes never arrive
w2@acme.test,2025-02-10,{Q},2,
w3@acme.test,2025-02-11,{Q},3,
w4@acme.test,2025-02-11,{Q},1,Codes never arrive on my phone
w5@acme.test,2025-02-12,{Q},2,
w6@acme.test,2025-02-12,{Q},3,
"""


@pytest.fixture
def mfa(acme, load):
    load(acme, "roster", ROSTER)
    load(acme, "usage", USAGE)
    return acme


def test_plain_answers_load_and_reloading_adds_nothing(mfa, load):
    result = load(mfa, "feedback", ANSWERS)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected, result.format) == (11, 11, 0, "canonical")
    assert load(mfa, "feedback", ANSWERS).already_loaded
    assert counts(mfa.store, "feedback_answers") == 11
    frame = feedback.answers(mfa, orgs.rollout(mfa, "MFA"))
    anonymous = frame[frame["user_id"].isna()].iloc[0]
    assert (anonymous["score"], anonymous["cohort"]) == (4, None)
    w4 = frame[frame["user_id"] == "w4@acme.test"].iloc[0]
    assert (w4["cohort"], w4["department"]) == ("wider", "Ops")  # from the roster


def test_bad_answers_are_named_and_an_anonymous_repeat_is_a_second_answer(mfa, load):
    text = f"""
    user_id,date,question,score,comment
    c1@acme.test,2025-01-10,{Q},7,
    c2@acme.test,2025-01-10,{Q},,
    ,2025-01-10,{Q},4,
    ,2025-01-10,{Q},4,
    c3@acme.test,2025-01-10,{Q},Agree,
    c4@acme.test,2025-01-10,{Q},,Only a comment
    """
    result = load(mfa, "feedback", text)
    bad = {(r.line, r.column): r.reason for r in result.rejects}
    assert set(bad) == {(2, "score"), (3, "score")}
    assert "'7' is not a score from 1 to 5" in bad[(2, "score")]
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 4, 2)  # two anonymous 4s: two answers
    scores = sorted(feedback.answers(mfa, orgs.rollout(mfa, "MFA"))["score"], key=lambda s: (s is None, s))
    assert scores == [4, 4, 4, None]  # Agree is 4; a comment alone has no score


def test_a_microsoft_forms_export_is_recognised_and_each_question_is_an_answer(mfa, load):
    text = """
    ID,Start time,Completion time,Email,Name,Which department are you in?,How confident are you using MFA?,What would help?
    1,2/10/25 9:00:00,2/10/25 9:05:00,anonymous,,Sales,2,More training
    2,2/10/25 9:10:00,2/10/25 9:12:00,anonymous,,Ops,Disagree,
    3,2/13/25 10:00:00,2/13/25 10:03:00,w3@acme.test,Wes Three,Sales,4,
    """
    result = load(mfa, "feedback", text)
    assert result.format == "ms_forms" and "Recognised a Microsoft Forms export" in result.messages[0]
    # 3 responses: the first a score and a comment (2 answers), then one score each
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 4, 0)
    assert "3 responses gave 4 answers (one answer per question answered)" in result.messages
    frame = feedback.answers(mfa, orgs.rollout(mfa, "MFA")).sort_values(["day", "question", "department"])
    assert frame[["day", "question", "score", "comment", "user_id", "department"]].values.tolist() == [
        [date(2025, 2, 10), "How confident are you using MFA?", 2, None, None, "Ops"],
        [date(2025, 2, 10), "How confident are you using MFA?", 2, None, None, "Sales"],
        [date(2025, 2, 10), "What would help?", None, "More training", None, "Sales"],
        [date(2025, 2, 13), "How confident are you using MFA?", 4, None, "w3@acme.test", "Sales"],
    ]
    assert load(mfa, "feedback", text).already_loaded


def test_a_google_forms_export_is_recognised_and_undo_takes_it_back(mfa, load):
    text = """
    Timestamp,Email Address,How confident are you using MFA?,Any comments?
    2025/02/12 9:15:02 AM GMT+1,w4@acme.test,3,
    2025/02/12 11:00:00 PM GMT-1,w5@acme.test,5,Works well now
    """
    result = load(mfa, "feedback", text)
    assert result.format == "google_forms"
    assert (result.rows_read, result.rows_loaded) == (3, 3)
    frame = feedback.answers(mfa, orgs.rollout(mfa, "MFA"))
    # Acme's zone is UTC: 9:15 at GMT+1 is 8:15 on the 12th; 11 PM at GMT-1 is midnight on the 13th
    assert sorted(zip(frame["user_id"], frame["day"])) == [
        ("w4@acme.test", date(2025, 2, 12)),
        ("w5@acme.test", date(2025, 2, 13)),
        ("w5@acme.test", date(2025, 2, 13)),
    ]
    undo(mfa, result.upload_id)
    assert feedback.answers(mfa, orgs.rollout(mfa, "MFA")).empty


def test_confidence_by_place_and_the_champions_before_the_wider_go_live(mfa, load):
    load(mfa, "feedback", ANSWERS)
    rollout = orgs.rollout(mfa, "MFA")
    table = feedback.confidence(mfa, rollout, date(2025, 2, 20))
    # the 28 days to 20 Feb (from 24 Jan): the wider cohort's six answers only
    assert table[["level", "place", "answers", "score_sum"]].values.tolist() == [
        ["rollout", "whole rollout", 6, 13],
        ["cohort", "wider", 6, 13],
        ["department", "Ops", 3, 6],
        ["department", "Sales", 3, 7],
    ]
    assert table["mean"].tolist() == pytest.approx([13 / 6, 13 / 6, 2.0, 7 / 3])
    voice = feedback.champions_before_wider(mfa, rollout)
    assert (voice.before, voice.answers, voice.mean) == (date(2025, 2, 3), 4, 4.0)  # (4 + 5 + 3 + 4) / 4
    weeks = feedback.weekly(mfa, rollout, date(2025, 2, 20))
    assert weeks[["cohort", "week_start", "answers"]].values.tolist() == [
        ["champion", date(2025, 1, 6), 4],
        ["wider", date(2025, 2, 10), 6],
    ]


def test_a_client_view_folds_departments_under_5_answers(mfa, load):
    load(mfa, "feedback", ANSWERS)
    client = open_scope(mfa.store, Principal("viewer", "client_viewer", frozenset({mfa.org_id})), mfa.org_id)
    table = feedback.confidence(client, orgs.rollout(client, "MFA"), date(2025, 2, 20))
    # Ops (3) and Sales (3) fold into one row of 6 answers, mean 13 / 6
    assert table[["level", "place", "answers"]].values.tolist()[-1] == ["department", "Other (small groups)", 6]


def test_comments_search_and_what_a_client_may_read(mfa, load):
    load(mfa, "feedback", ANSWERS)
    rollout = orgs.rollout(mfa, "MFA")
    found = feedback.comments(mfa, rollout, "codes")
    assert found[["comment", "user_id"]].values.tolist() == [
        ["Codes never arrive on my phone", "w4@acme.test"],
        ["Codes never arrive", "w1@acme.test"],
    ]
    client = open_scope(mfa.store, Principal("viewer", "client_viewer", frozenset({mfa.org_id})), mfa.org_id)
    assert feedback.comments(client, rollout).empty  # not allowed yet
    feedback.set_comments_to_clients(mfa, True)
    assert feedback.comments(client, rollout).empty  # Sales and Ops hold 3 answers each; IT 4
    # two more Sales answers: Sales holds 5, so its comment shows, without the person; Ops' does not
    load(
        mfa, "feedback", f"user_id,date,question,score\nw1@acme.test,2025-02-17,{Q},3\nw2@acme.test,2025-02-17,{Q},3\n"
    )
    shown = feedback.comments(client, rollout)
    assert shown["comment"].tolist() == ["Codes never arrive"] and "user_id" not in shown.columns


def _low(scope, as_of):
    rollout = orgs.rollout(scope, "MFA")
    return {
        (f.cohort, f.department): f
        for f in evaluate.findings(scope, rollout, as_of=as_of)
        if f.rule == "LOW_CONFIDENCE"
    }


def test_low_confidence_holds_where_the_mean_is_under_3_with_at_least_5_answers(mfa, load):
    assert _low(mfa, date(2025, 2, 20)) == {}  # judged once feedback is loaded
    load(mfa, "feedback", ANSWERS)
    found = _low(mfa, date(2025, 2, 20))
    # the whole rollout and the wider cohort: 6 answers, mean 13 / 6 = 2.17 < 3 (not under 2: medium);
    # Sales and Ops (3 answers each) are not judged
    assert {k: (f.status, f.severity) for k, f in found.items()} == {
        (None, None): ("holds", "medium"),
        ("wider", None): ("holds", "medium"),
    }
    assert found[("wider", None)].evidence["answers"] == 6
    assert "a mean confidence of 2.2 of 5 over 6 survey answers" in found[("wider", None)].message
    assert found[("wider", None)].since == date(2025, 2, 12)  # the sixth answer came on the 12th
    # 20 Jan: the champions' 4 answers (too few), the whole rollout's 5 with the anonymous one (mean 4: clear)
    early = _low(mfa, date(2025, 1, 20))
    assert {k: f.status for k, f in early.items()} == {(None, None): "clear", ("champion", None): "not_enough_data"}


@pytest.fixture
def on_the_pages(tmp_path, monkeypatch):
    from tests.apptest import reset_streamlit

    yield page_world(tmp_path, monkeypatch, {"feedback": ANSWERS})
    reset_streamlit()


def test_the_overview_shows_confidence_and_the_provider_searches_the_comments(on_the_pages):
    from tests.apptest import by_label, open_page, signed_in

    handle, org, accounts = on_the_pages
    at = signed_in(handle, accounts["admin"])
    at.session_state["org_id"] = org
    open_page(at, "pages/overview.py")
    assert not at.exception, [e.value for e in at.exception]
    [table] = [t.value for t in at.dataframe if "Mean score" in t.value.columns and "Place" in t.value.columns]
    assert table[["Place", "Answers", "Mean score"]].values.tolist() == [
        ["whole rollout", 6, 2.17],
        ["wider", 6, 2.17],
        ["Ops", 3, 2.0],
        ["Sales", 3, 2.33],
    ]
    assert any("4 answers, mean 4.0 of 5" in shown(m.value) for m in at.markdown)
    by_label(at.text_input, "Search the survey comments").input("phone").run()
    [said] = [t.value for t in at.dataframe if "comment" in t.value.columns]
    assert said[["comment", "user_id"]].values.tolist() == [["Codes never arrive on my phone", "w4@acme.test"]]
    # the client view: the comments are not shared (the organisation's setting is off)
    viewer = signed_in(handle, accounts["client_viewer"])
    open_page(viewer, "pages/overview.py")
    assert not viewer.exception
    assert not [t for t in viewer.dataframe if "comment" in t.value.columns]
    assert any("not shared with client views" in c.value for c in viewer.caption)


def test_the_kind_of_a_record_file_is_told_by_its_columns():
    from analysis.ingest import likely_kind
    from tests.conftest import csv
    from tests.test_kpi_series import SERIES
    from tests.test_readiness import READINESS

    assert likely_kind("answers.csv", csv(ANSWERS)) == "feedback"  # user_id and date, as usage, but a question
    assert likely_kind("readiness.csv", csv(READINESS)) == "readiness"
    assert likely_kind("uptime.csv", csv(SERIES)) == "kpi_series"
    forms_export = b"ID,Start time,Completion time,Email,Name,How confident are you?\n1,2/13/25 9:00,2/13/25 9:05,a@acme.test,A,4\n"
    assert likely_kind("Survey(1-3).csv", forms_export) == "feedback"
    google = b"Timestamp,Email Address,How confident are you?\n2025/02/12 9:15:02 AM GMT+1,a@acme.test,4\n"
    assert likely_kind("Survey (Responses).csv", google) == "feedback"
    assert likely_kind("usage.csv", b"user_id,date,activity\na@acme.test,2025-02-10,mfa\n") == "usage"


def test_no_answer_in_the_window_is_an_empty_table_not_a_crash():
    """Found in the browser: answers loaded, none in the 28 days to the as-of date (a list of no
    booleans selected no columns, and the Overview, Red flags and the API failed)."""
    import pandas as pd

    from analysis.feedback import confidence_at

    frame = pd.DataFrame(
        {"day": [date(2024, 10, 1)], "question": ["q"], "score": [4], "comment": [None], "user_id": [None],
         "cohort": ["wider"], "department": ["IT"]}
    )  # fmt: skip
    assert confidence_at(frame, date(2025, 1, 4), 28).empty
    assert list(confidence_at(frame, date(2024, 10, 10), 28)["answers"]) == [1, 1, 1]
