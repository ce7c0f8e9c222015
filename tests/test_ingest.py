"""The one ingest path: counts that reconcile, rejects with line and column, duplicates,
re-loading, refusals and atomicity. Expected values are worked out by hand from the files."""

import pytest

from analysis import ingest
from analysis.files import FileRefused
from tests.conftest import TINY, counts, csv, snapshot


def reconciles(r):
    return r.rows_read == r.rows_loaded + r.rows_updated + r.rows_rejected + r.rows_duplicate


# -- roster ---------------------------------------------------------------------------------------


def test_roster_loads_with_a_bad_flag_rejected_alone(acme, load):
    r = load(
        acme,
        "roster",
        """
        user_id,display_name,department,cohort,licensed
        A@Acme.test ,Ann,IT,champion,yes
        b@acme.test,Ben,,Champion,
        c@acme.test,Cat,Sales,wider,maybe
        """,
    )
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (3, 2, 1)
    assert [(x.line, x.column) for x in r.rejects] == [(4, "licensed")]
    assert "maybe" in r.rejects[0].reason
    rows = (
        acme.store.cursor()
        .execute("SELECT user_id, department, cohort, licensed FROM current_roster(?, 1) ORDER BY 1", [acme.org_id])
        .fetchall()
    )
    assert rows == [("a@acme.test", "IT", "champion", True), ("b@acme.test", "Unassigned", "champion", True)]


def test_roster_repeats_within_a_file(acme, load):
    r = load(
        acme,
        "roster",
        """
        user_id,department,cohort
        a@acme.test,IT,champion
        a@acme.test,IT,champion
        A@acme.test,Sales,champion
        """,
    )
    # line 3 repeats line 2 exactly (duplicate); line 4 conflicts with it (rejected, first kept)
    assert (r.rows_loaded, r.rows_duplicate, r.rows_rejected) == (1, 1, 1)
    assert r.rejects[0].line == 4 and "line 2" in r.rejects[0].reason
    assert reconciles(r)


def test_replacing_roster_counts_and_undo_brings_the_old_list_back(acme, load):
    from analysis.uploads import undo

    first = load(acme, "roster", "user_id,cohort\na@acme.test,champion\nb@acme.test,champion\nc@acme.test,wider\n")
    second = load(
        acme,
        "roster",
        """
        user_id,cohort,licensed
        a@acme.test,champion,yes
        b@acme.test,wider,yes
        c@acme.test,wider,perhaps
        d@acme.test,wider,yes
        """,
    )
    # a unchanged (duplicate), b moved cohort (updated), c's row is bad (rejected: c keeps the old
    # entry), d is new (loaded)
    assert (second.rows_loaded, second.rows_updated, second.rows_duplicate, second.rows_rejected) == (1, 1, 1, 1)
    roster = lambda: (
        acme.store.cursor()
        .execute("SELECT user_id, cohort FROM current_roster(?, 1) ORDER BY 1", [acme.org_id])
        .fetchall()
    )
    assert roster() == [
        ("a@acme.test", "champion"),
        ("b@acme.test", "wider"),
        ("c@acme.test", "wider"),
        ("d@acme.test", "wider"),
    ]
    third = load(acme, "roster", "user_id,cohort\na@acme.test,champion\n")
    assert roster() == [("a@acme.test", "champion")]
    assert any("3 people on the previous roster" in m for m in third.messages)
    undo(acme, third.upload_id)
    assert len(roster()) == 4
    undo(acme, second.upload_id)
    assert roster() == [("a@acme.test", "champion"), ("b@acme.test", "champion"), ("c@acme.test", "wider")]
    assert first.rows_loaded == 3


def test_unknown_cohort_is_rejected_with_the_known_ones_named(acme, load):
    # ("pilot" is read as the champion cohort: analysis/roster_import.py)
    r = load(acme, "roster", "user_id,cohort\na@acme.test,champion\nb@acme.test,champion\nc@acme.test,staff\n")
    assert r.rejects[0].column == "cohort" and "champion, wider" in r.rejects[0].reason
    assert r.cohorts_to_map == ["staff"]


# -- usage ----------------------------------------------------------------------------------------


def test_usage_counts_rejects_and_unknown_people(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    r = load(
        acme,
        "usage",
        """
        user_id,date,activity,count
        a@acme.test,2025-01-03,MFA ,1
        a@acme.test,2025-01-03,mfa,5
        b@acme.test,2025-02-30,mfa,1
        c@acme.test,2025-01-04,mfa,abc
        zed@acme.test,2025-01-05,mfa,2
        x@acme.test,2025-01-05,mfa,-1
        """,
    )
    # line 3 repeats line 2's key (user, date, activity; activity compared trimmed, any case)
    assert (r.rows_read, r.rows_loaded, r.rows_duplicate, r.rows_rejected) == (6, 2, 1, 3)
    assert [(x.line, x.column) for x in r.rejects] == [(4, "date"), (5, "count"), (7, "count")]
    assert r.unknown_people == 1 and "zed@acme.test" in r.messages[0]
    daily = acme.store.cursor().execute("SELECT user_id, day, activity, events FROM usage_daily ORDER BY 1").fetchall()
    assert [(u, str(d), a, n) for u, d, a, n in daily] == [
        ("a@acme.test", "2025-01-03", "mfa", 1),
        ("zed@acme.test", "2025-01-05", "mfa", 2),
    ]


def test_reloading_the_same_usage_adds_nothing(acme, load):
    data = (TINY / "usage.csv").read_bytes()
    first = load(acme, "usage", data)
    again = load(acme, "usage", data)
    assert (first.rows_loaded, again.rows_loaded, again.rows_duplicate) == (8, 0, 8)
    assert counts(acme.store, "usage_events") == 8
    # the same bytes changed nothing: no empty load is recorded, and the result names the first load
    assert counts(acme.store, "uploads") == 1
    assert (again.upload_id, again.already_loaded) == (None, True)
    assert again.messages[0].startswith("This file was already loaded as load 1 on ")
    assert again.messages[0].endswith(" by operator: nothing new, so no load was recorded")


def test_a_later_file_sharing_one_stored_time_counts_it_once(acme, load):
    # the second file's rows hold each key once; its first time is the first file's last: the
    # store holds that row, so it is a duplicate and the other two load (the merge's shortcut
    # for files whose times no stored event shares must not take this file)
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    first = load(acme, "usage", "user_id,date,activity\na@acme.test,2025-01-03,mfa\nb@acme.test,2025-01-05,mfa\n")
    second = load(
        acme,
        "usage",
        "user_id,date,activity\nb@acme.test,2025-01-05,mfa\na@acme.test,2025-01-06,mfa\nb@acme.test,2025-01-07,mfa\n",
    )
    third = load(acme, "usage", "user_id,date,activity\na@acme.test,2025-01-08,mfa\na@acme.test,2025-01-09,mfa\n")
    assert (first.rows_loaded, second.rows_loaded, second.rows_duplicate) == (2, 2, 1)
    assert (third.rows_loaded, third.rows_duplicate) == (2, 0)
    assert counts(acme.store, "usage_events") == 6
    daily = acme.store.cursor().execute("SELECT count(*), sum(events) FROM usage_daily").fetchall()[0]
    assert daily == (6, 6)


def test_timestamps_summarise_per_day_in_the_organisations_zone(store, load):
    from analysis import orgs
    from analysis.access import OPERATOR
    from analysis.scope import open_scope

    scope = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Kiwi", "Pacific/Auckland"), "upload")
    r = load(
        scope,
        "usage",
        """
        user_id,timestamp,activity
        a@k.test,2025-01-05T12:30:00Z,mfa
        a@k.test,2025-01-06 00:10,mfa
        a@k.test,2025-01-06 09:00,mfa
        """,
        rollout=None,
    )
    assert r.rows_loaded == 3
    # 12:30 UTC on 01-05 is 01:30 on 01-06 in Auckland (UTC+13): all three fall on 01-06
    rows = store.cursor().execute("SELECT day, events FROM usage_daily").fetchall()
    assert [(str(d), n) for d, n in rows] == [("2025-01-06", 3)]


def test_usage_without_rollout_needs_an_activity_column(acme, load):
    with pytest.raises(FileRefused, match="no activity column.*Choose the rollout"):
        load(acme, "usage", "user_id,date\na@acme.test,2025-01-02\n", rollout=None)
    r = load(acme, "usage", "user_id,date\na@acme.test,2025-01-02\n")  # the rollout names the activity
    assert r.rows_loaded == 1
    assert acme.store.cursor().execute("SELECT activity FROM usage_daily").fetchall() == [("mfa",)]


def test_another_organisations_domain_is_rejected(acme, store, load):
    from analysis import orgs
    from analysis.access import OPERATOR

    orgs.add_organisation(store, OPERATOR, "Globex", email_domains=["globex.test"])
    r = load(
        acme,
        "usage",
        "user_id,date,activity\na@acme.test,2025-01-02,mfa\nb@acme.test,2025-01-02,mfa\n"
        "spy@globex.test,2025-01-02,mfa\n",
    )
    assert r.rejects[0].line == 4 and "another organisation" in r.rejects[0].reason
    assert "Globex" not in r.rejects[0].reason
    with pytest.raises(FileRefused, match="more than half"):
        load(acme, "usage", "user_id,date,activity\nx@globex.test,2025-01-02,mfa\ny@globex.test,2025-01-02,mfa\n")


# -- tickets --------------------------------------------------------------------------------------

TICKETS_1 = """
    ticket_id,created_at,requester,status,resolved_at,reopened,satisfaction
    T1,2025-01-06 09:00,a@acme.test,open,,,
    T2,2025-01-07 10:00,B@acme.test,solved,2025-01-07 12:00,0,5
    T3,2025-01-08 10:00,c@acme.test,closed,2025-01-07 08:00,,
    """
TICKETS_2 = """
    ticket_id,created_at,requester,status,resolved_at,reopened,satisfaction
    T1,2025-01-06 09:00,a@acme.test,solved,2025-01-08 09:00,1,2
    T2,2025-01-07 10:00,b@acme.test,solved,2025-01-07 12:00,0,5
    T4,2025-01-09 11:00,d@acme.test,new,,,
    """


def test_tickets_update_by_id_and_undo_restores(acme, load):
    from analysis.uploads import undo

    first = load(acme, "tickets", TICKETS_1)
    # T3 resolved before it was created: rejected
    assert (first.rows_loaded, first.rows_rejected) == (2, 1)
    assert first.rejects[0].line == 4 and first.rejects[0].column == "resolved_at"
    second = load(acme, "tickets", TICKETS_2)
    assert (second.rows_loaded, second.rows_updated, second.rows_duplicate) == (1, 1, 1)
    state = lambda: (
        acme.store.cursor()
        .execute("SELECT ticket_id, status, reopened, satisfaction FROM tickets ORDER BY 1")
        .fetchall()
    )
    assert state() == [("T1", "solved", 1, "bad"), ("T2", "solved", 0, "good"), ("T4", "new", 0, None)]
    undo(acme, second.upload_id)
    assert state() == [("T1", "open", 0, None), ("T2", "solved", 0, "good")]


def test_undo_of_an_older_ticket_load_under_a_newer_one(acme, load):
    from analysis.uploads import undo

    a = load(acme, "tickets", "ticket_id,created_at,status\nT1,2025-01-06,open\n")
    b = load(acme, "tickets", "ticket_id,created_at,status\nT1,2025-01-06,pending\n")
    c = load(acme, "tickets", "ticket_id,created_at,status\nT1,2025-01-06,solved\n")
    status = lambda: acme.store.cursor().execute("SELECT status FROM tickets").fetchall()
    undo(acme, b.upload_id)  # b is buried under c: c's version stays
    assert status() == [("solved",)]
    undo(acme, c.upload_id)  # back to what stood before b: a's version
    assert status() == [("open",)]
    undo(acme, a.upload_id)
    assert status() == []
    assert counts(acme.store, "ticket_history") == 0


def test_event_log_rows_collapse_to_one_ticket(acme, load):
    r = load(
        acme,
        "tickets",
        """
        ticket_id,created_at,updated_at,status
        S1,2025-01-06 09:00,2025-01-06 09:00,new
        S1,2025-01-06 09:00,2025-01-06 15:00,resolved
        S1,2025-01-06 09:00,2025-01-07 10:00,reopened
        S1,2025-01-06 09:00,2025-01-08 10:00,closed
        S2,2025-01-06 10:00,2025-01-06 11:00,resolved
        S2,2025-01-06 10:00,2025-01-06 12:00,in progress
        """,
    )
    # one new ticket per id; further rows of a ticket seen in the same file count as updated
    assert (r.rows_loaded, r.rows_updated) == (2, 4)
    rows = (
        acme.store.cursor()
        .execute(
            "SELECT ticket_id, status, strftime(resolved_at, '%Y-%m-%d %H:%M'), resolved_approx FROM tickets ORDER BY 1"
        )
        .fetchall()
    )
    # S1 resolved at its first resolution (approximate: taken from updated_at); S2 is open again
    assert rows == [("S1", "closed", "2025-01-06 15:00", True), ("S2", "in progress", None, False)]


# -- refusals and atomicity -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,data,message",
    [
        ("usage", b"", "the file is empty"),
        ("usage", b"user_id,date,activity\n", "header but no rows"),
        ("usage", b"\x00\x01\x02binary\x00", "not a text"),
        ("usage", csv("ticket_id,created_at,status\nT1,2025-01-01,open\n"), "not a usage file.*load it as tickets"),
        ("roster", csv("user_id,date,activity\na@acme.test,2025-01-01,mfa\n"), "no cohort column"),
        ("tickets", csv("id,opened\n1,2025-01-01\n"), "no ticket_id, no created_at column"),
        ("usage", csv("user_id,date,date\na@acme.test,2025-01-01,2025-01-02\n"), "'date' appears twice"),
        (
            "usage",
            csv("user_id,date,activity\na,notadate,m\nb,2025-01-01,m\nc,x,m\n"),
            "2 of 3 rows.*line 2, column date",
        ),
    ],
)
def test_refused_files_change_nothing(acme, load, kind, data, message):
    before = snapshot(acme.store)
    with pytest.raises(FileRefused, match=message) as err:
        load(acme, kind, data, name="bad.csv")
    assert err.value.messages[0].startswith("bad.csv: ")
    assert snapshot(acme.store) == before


def test_a_failure_mid_load_leaves_the_database_as_it_was(acme, load, monkeypatch):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(acme, "usage", (TINY / "usage.csv").read_bytes())
    before = snapshot(acme.store)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ingest, "_record", boom)  # after the rows are merged, before the load is recorded
    with pytest.raises(OSError):
        load(acme, "usage", "user_id,date,activity\nnew@acme.test,2025-03-01,mfa\n")
    with pytest.raises(OSError):
        load(acme, "tickets", TICKETS_1)
    assert snapshot(acme.store) == before


def test_dry_run_reports_without_storing(acme, load):
    before = snapshot(acme.store)
    preview = load(acme, "usage", (TINY / "usage.csv").read_bytes(), dry_run=True)
    assert (preview.rows_loaded, preview.upload_id) == (8, None)
    assert snapshot(acme.store) == before


def test_encodings_and_delimiters(acme, load):
    text = "user_id;date;activity\r\nzoë@acme.test;2025-01-02;mfa\r\n"
    for data in (text.encode("utf-8-sig"), text.encode("utf-16"), text.encode("cp1252")):
        load(acme, "usage", data)
    assert acme.store.cursor().execute("SELECT DISTINCT user_id FROM usage_events").fetchall() == [("zoë@acme.test",)]


@pytest.mark.parametrize("cell,ok", [("3", 3), ("3.0", 3), ("+2", 2), ("0", 0), ("999999999999", 999999999999)])
def test_counts_that_are_whole_numbers(cell, ok):
    from analysis.values import parse_count

    assert parse_count(cell) == ok


@pytest.mark.parametrize(
    "cell,reason",
    [
        ("inf", "not a whole number"),
        ("nan", "not a whole number"),
        ("1e30", "not a whole number"),
        ("1_000", "not a whole number"),
        ("2.5", "not a whole number"),
        ("-1", "negative"),
        ("99999999999999999999", "too large"),
    ],
)
def test_counts_that_are_rejected_alone(acme, load, cell, reason):
    r = load(
        acme,
        "usage",
        f"user_id,date,activity,count\na@acme.test,2025-01-02,mfa,1\nb@acme.test,2025-01-02,mfa,1\n"
        f"c@acme.test,2025-01-02,mfa,{cell}\n",
    )
    assert (r.rows_loaded, r.rows_rejected) == (2, 1)
    assert r.rejects[0].column == "count" and reason in r.rejects[0].reason


def test_reloading_tickets_resolved_without_a_time_adds_nothing(acme, load):
    data = "ticket_id,created_at,status\nT1,2025-01-06 09:00,Closed\nT2,2025-01-06 09:00,Open\n"
    load(acme, "tickets", data)
    again = load(acme, "tickets", data)
    assert (again.rows_loaded, again.rows_updated, again.rows_duplicate) == (0, 0, 2)
    assert counts(acme.store, "ticket_history") == 0
