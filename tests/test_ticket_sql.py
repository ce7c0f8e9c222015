"""Ticket loads checked, collapsed and merged in SQL (analysis/ingest/ticket_cells.py,
ticket_collapse.py, ticket_merge.py): the answers of the row-by-row rules, worked out by hand."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from analysis import presets, values
from analysis.access import OPERATOR
from tests.conftest import csv


def stored(scope):
    return (
        scope.store.cursor()
        .execute(
            "SELECT ticket_id, created_at, requester, subject, status, updated_at, first_response_at, resolved_at, "
            "resolved_approx, reopened, satisfaction FROM tickets WHERE org_id = ? ORDER BY ticket_id",
            [scope.org_id],
        )
        .fetchall()
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# Each ticket's rows newest first (A's times fall down the file): equal times are read in that
# order too. B's two rows share their time: read newest first, its upper row (In progress) is the
# latest, not its lower one (Open). C's rows carry no updated_at but two created_at: each row's
# created_at is its event time, so C was resolved exactly when its Resolved row was written.
EVENTS = """\
ticket_id,created_at,updated_at,status,subject
A,2025-03-01 09:00,2025-03-03 10:00,Closed,Printer
A,2025-03-01 09:00,2025-03-02 10:00,Resolved,Printer
A,2025-03-01 09:00,2025-03-01 09:00,Open,Printer
B,2025-03-02 08:00,2025-03-02 12:00,In progress,VPN
B,2025-03-02 08:00,2025-03-02 12:00,Open,VPN
C,2025-03-05 11:00,,Resolved,Disk
C,2025-03-05 10:00,,Open,Disk
"""


def test_an_event_log_listed_newest_first_collapses_as_worked_by_hand(acme, load):
    r = load(acme, "tickets", csv(EVENTS))
    assert (r.rows_read, r.rows_loaded, r.rows_updated, r.rows_duplicate, r.rows_rejected) == (7, 3, 4, 0, 0)
    assert stored(acme) == [
        # resolved at its first resolved row's updated_at: approximate (not an event log format)
        ("A", at("2025-03-01 09:00"), None, "Printer", "Closed", at("2025-03-03 10:00"), None,
         at("2025-03-02 10:00"), True, 0, None),
        ("B", at("2025-03-02 08:00"), None, "VPN", "In progress", at("2025-03-02 12:00"), None, None, False, 0, None),
        ("C", at("2025-03-05 10:00"), None, "Disk", "Resolved", at("2025-03-05 11:00"), None,
         at("2025-03-05 11:00"), False, 0, None),
    ]  # fmt: skip
    again = load(acme, "tickets", csv(EVENTS), name="again.csv")
    assert (again.rows_loaded, again.rows_updated, again.rows_duplicate) == (0, 0, 7)


# Listed oldest first (A's times rise down the file): B's two rows share their time, so its lower
# row (In progress) is the latest. Only a file with such equal times asks which way it is listed
# (analysis/ingest/ticket_collapse.py): this one must still read them in line order.
OLDEST_FIRST = """\
ticket_id,created_at,updated_at,status,subject
A,2025-03-01 09:00,2025-03-01 09:00,Open,Printer
A,2025-03-01 09:00,2025-03-02 10:00,Resolved,Printer
B,2025-03-02 08:00,2025-03-02 12:00,Open,VPN
B,2025-03-02 08:00,2025-03-02 12:00,In progress,VPN
"""


def test_equal_times_in_a_file_listed_oldest_first_are_read_in_line_order(acme, load):
    r = load(acme, "tickets", csv(OLDEST_FIRST))
    assert (r.rows_read, r.rows_loaded, r.rows_updated) == (4, 2, 2)
    assert [(t[0], t[4], t[5], t[7]) for t in stored(acme)] == [
        ("A", "Resolved", at("2025-03-02 10:00"), at("2025-03-02 10:00")),
        ("B", "In progress", at("2025-03-02 12:00"), None),
    ]


def test_a_later_export_updates_and_keeps_the_replaced_version(acme, load):
    load(acme, "tickets", csv(EVENTS))
    later = EVENTS + "B,2025-03-02 08:00,2025-03-04 09:00,Solved,VPN\n"
    r = load(acme, "tickets", csv(later), name="later.csv")
    # A and C unchanged (their rows duplicates), B changed: its three rows count as updated
    assert (r.rows_loaded, r.rows_updated, r.rows_duplicate) == (0, 3, 5)
    b = next(t for t in stored(acme) if t[0] == "B")
    assert (b[4], b[7], b[8]) == ("Solved", at("2025-03-04 09:00"), True)
    history = (
        acme.store.cursor()
        .execute("SELECT ticket_id, status, replaced_by_upload FROM ticket_history WHERE org_id = ?", [acme.org_id])
        .fetchall()
    )
    assert history == [("B", "In progress", r.upload_id)]


def test_each_refusal_as_the_row_rules_give_it_companies_left_out_last(acme, load):
    presets.map_company(acme.store, OPERATOR, "Acme Ltd", acme.org_id)
    text = (
        "ticket_id,created_at,resolved_at,requester,subject,reopened,updated_at,company,satisfaction\n"
        "T1,2025-03-01 09:00,,Ann@Acme.TEST ,  Printer  ,,2025-03-01 10:00,Other Co,\n"  # left out: Other Co
        " ,2025-03-01 09:00,,,,,,,\n"  # no ticket id
        "T3,2025-02-30,,,,,,,\n"  # no such date
        "T4,na,,,,,,,\n"  # creation time missing
        "T5,2025-03-01 09:00,2025-02-28 09:00,,,,,,\n"  # resolved before created
        "T6,2025-03-01 09:00,,,,-2,,,\n"  # reopened negative
        "T7,2025-03-01 09:00,,,,,yesterday,,\n"  # updated_at not a date
        "T8,2025-03-01 09:00,,,,,,Acme Ltd,\n"
        " T9 ,2025-03-01T09:30:00,,bob,NA,2,,  acme   ltd ,5\n"
        "T10,2025-03-01 09:00,,,,,\n"  # 7 fields
        "T11,2025-03-02,,CAFÉ@acme.test,Café\u00a0,1.0,,,bad\n"
        "T12,2025-03-01 09:00,,,,,,Other Co,\n"
        "T13,2025-03-01 09:00,,,,,,Nobody Inc,\n"
        + "".join(f"G{i},2025-03-01 09:00,,,,,,,\n" for i in range(4))  # enough good rows: not mostly bad
    )
    r = load(acme, "tickets", text.encode())
    assert [(j.line, j.column, j.reason, j.left_out) for j in r.rejects] == [
        (3, "ticket_id", "the ticket id is empty", False),
        (4, "created_at", "'2025-02-30' is not a real date", False),
        (5, "created_at", "the creation time is missing", False),
        (6, "resolved_at", "resolved_at 2025-02-28 09:00 is before created_at 2025-03-01 09:00", False),
        (7, "reopened", "'-2' is negative: a count is 0 or more", False),
        (8, "updated_at", "'yesterday' is not a date (expected e.g. " + values.EXAMPLES + ")", False),
        (11, None, "the row has 7 fields where the header has 9", False),
        (2, "company", "company 'Other Co' is not mapped to an organisation: map it on the Data page", True),
        (13, "company", "company 'Other Co' is not mapped to an organisation: map it on the Data page", True),
        (14, "company", "company 'Nobody Inc' is not mapped to an organisation: map it on the Data page", True),
    ]  # fmt: skip
    assert r.rejects[6].raw == "T10,2025-03-01 09:00,,,,,"
    assert "3 rows of other companies were left out: Other Co (2 rows, not mapped yet), Nobody Inc (1 row, not " \
        "mapped yet)" in " ".join(r.messages)  # fmt: skip
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (17, 7, 10)
    assert [t[:6] + t[9:] for t in stored(acme) if t[0].startswith("T")] == [
        ("T11", at("2025-03-02 00:00"), "café@acme.test", "Café", None, None, 1, "bad"),
        ("T8", at("2025-03-01 09:00"), None, None, None, None, 0, None),  # Acme Ltd: this organisation's
        ("T9", at("2025-03-01 09:30"), "bob", None, None, None, 2, "good"),
    ]


@pytest.mark.parametrize(
    "cell",
    [
        "2025-03-27 06:02:08",
        "2025-03-27 06:02",
        "2025-03-27",
        "2024-02-29 23:59:59",
        "2025-02-29",
        "2025-03-27 24:00:00",
        "2025-03-27 23:59:60",
        "1901-01-01 00:00:00",
        "1900-12-31 23:59:59",
        "1900-01-01 00:00:00",
        "0999-01-01",
        "2999-01-01",
        "2025-3-7 1:02:03",
        "2025-03-27T06:02:08",
        "2025-03-27 06:02:08+02:00",
        " 2025-03-27 06:02:08",
        "27/03/2025 06:02",
    ],
)
def test_a_time_read_in_sql_is_the_date_reader_s(acme, load, cell):
    """The SQL reading of plain ISO times (ticket_cells._ISO) gives the date reader's answer."""
    r = load(acme, "tickets", f"ticket_id,created_at,subject\nT1,{cell},x\nT2,2025-01-02 03:04:05,y\n".encode())
    reader = values.DateReader(ZoneInfo("UTC"), dayfirst=True, latest=values.future_limit(ZoneInfo("UTC")))
    if values.is_missing(cell):  # 1900-01-01: a placeholder for no date
        assert [(j.line, j.reason) for j in r.rejects] == [(2, "the creation time is missing")]
        return
    try:
        expected = reader(cell)
    except ValueError as exc:
        assert [(j.line, j.reason) for j in r.rejects] == [(2, str(exc))]
    else:
        assert stored(acme)[0][:2] == ("T1", expected)


def test_rows_without_an_update_time_come_after_those_with_one(acme, load):
    # D: its row without updated_at is its latest (after the timed row), resolved at its resolved_at;
    # E: resolved at its Closed row's time, approximately (not an event log format)
    r = load(
        acme,
        "tickets",
        csv("""
        ticket_id,created_at,updated_at,status,resolved_at
        D,2025-03-01 09:00,,Resolved,2025-03-03 10:00
        D,2025-03-01 09:00,2025-03-02 09:00,Open,
        E,2025-03-01 10:00,2025-03-01 10:00,Open,
        E,2025-03-01 10:00,2025-03-01 12:00,Closed,
        """),
    )
    assert (r.rows_loaded, r.rows_updated) == (2, 2)
    assert [(t[0], t[4], t[5], t[7], t[8]) for t in stored(acme)] == [
        ("D", "Resolved", None, at("2025-03-03 10:00"), False),
        ("E", "Closed", at("2025-03-01 12:00"), at("2025-03-01 12:00"), True),
    ]
