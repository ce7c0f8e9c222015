"""The helpdesk figures an export carries (issue 16 part 4): SLA met, business-hours resolution, and a
resolution time from the export's own duration when it has no resolved time; loaded with the
loading rules (bad cells refused with row and column; undo restores them), and the figures worked
out by hand.

Roster: the tiny set (6 licensed). As of 2025-02-10, w = 28 (window 01-14 .. 02-10).

    ticket  created      resolved                      sla_met  business resolution
    S1      02-03 09:00  02-03 11:00                   true     7200 s = 2 h
    S2      02-04 09:00  no resolved_at: 90000 s later  false   36000 s = 10 h
                         = 02-05 10:00 (exact, 25 h)
    S3      02-05 09:00  02-06 09:00 (24 h)             (empty)  1970-01-01 06:00:00 = 6 h
    S4      02-06 09:00  open                           true     (empty)
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from analysis import orgs, support
from analysis.uploads import undo
from tests.conftest import TINY

D = date(2025, 2, 10)
HEADER = "ticket_id,created_at,requester,status,resolved_at,sla_met,resolution_seconds,business_resolution_seconds\n"
TICKETS = HEADER + (
    "S1,2025-02-03 09:00,a@acme.test,solved,2025-02-03 11:00,true,,7200\n"
    "S2,2025-02-04 09:00,b@acme.test,solved,,false,90000,36000\n"
    "S3,2025-02-05 09:00,c@acme.test,solved,2025-02-06 09:00,,,1970-01-01 06:00:00\n"
    "S4,2025-02-06 09:00,d@acme.test,open,,true,,\n"
)


@pytest.fixture
def desk(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    return acme, orgs.rollout(acme, "MFA")


def stored(scope):
    return (
        scope.store.cursor()
        .execute(
            "SELECT ticket_id, resolved_at, resolved_approx, sla_met, business_resolution_hours FROM tickets ORDER BY 1"
        )
        .fetchall()
    )


def test_export_durations_and_sla_are_stored(desk, load):
    scope, _ = desk
    result = load(scope, "tickets", TICKETS)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 4, 0)
    assert stored(scope) == [
        ("S1", datetime(2025, 2, 3, 11), False, True, 2.0),
        # 02-04 09:00 + 90000 s (25 h) = 02-05 10:00, exact (not an approximate resolution)
        ("S2", datetime(2025, 2, 5, 10), False, False, 10.0),
        ("S3", datetime(2025, 2, 6, 9), False, None, 6.0),
        ("S4", None, False, True, None),
    ]


def test_helpdesk_figures_by_hand(desk, load):
    scope, rollout = desk
    load(scope, "tickets", TICKETS)
    k = support.support_kpis(scope, rollout, D, 28)
    # resolved in the window: S1 (2 h), S2 (25 h, from its duration), S3 (24 h): median 24
    assert (k["resolved_tickets"], k["timed_resolutions"], k["median_resolution_hours"]) == (3, 3, 24.0)
    # 3 resolved / 4 created in the window
    assert k["resolved_per_opened"] == 0.75
    # SLA said for S1 (met) and S2 (missed); S3 says nothing, S4 is open: 1 / 2
    assert (k["sla_tickets"], k["sla_met_share"]) == (2, 0.5)
    # business hours 2, 10, 6 -> median 6
    assert (k["business_timed_resolutions"], k["median_business_resolution_hours"]) == (3, 6.0)


def test_bad_helpdesk_cells_are_refused_with_row_and_column(desk, load):
    scope, _ = desk
    bad = HEADER + (
        "B1,2025-02-03 09:00,a@acme.test,solved,,perhaps,,\n"
        "B2,2025-02-03 09:00,a@acme.test,solved,,,-5,\n"
        "B3,2025-02-03 09:00,a@acme.test,solved,,,,two hours\n"
        "B4,2025-02-03 09:00,a@acme.test,solved,,yes,60,60\n"
        'B5,2025-02-03 09:00,a@acme.test,solved,,no,"1,200",\n'
        "B6,2025-02-03 09:00,a@acme.test,solved,,,,\n"
        "B7,2025-02-03 09:00,a@acme.test,open,,,,\n"
    )
    result = load(scope, "tickets", bad)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (7, 4, 3)
    rejected = (
        scope.store.cursor()
        .execute(
            "SELECT line, column_name, reason FROM rejected_rows WHERE upload_id = ? ORDER BY line", [result.upload_id]
        )
        .fetchall()
    )
    assert rejected == [
        (2, "sla_met", "'perhaps' is not true or false (SLA met?)"),
        (3, "resolution_seconds", "'-5' is not a number of seconds"),
        (4, "business_resolution_seconds", "'two hours' is not a number of seconds"),
    ]


def test_undo_restores_the_helpdesk_columns(desk, load):
    scope, _ = desk
    load(scope, "tickets", TICKETS)
    before = stored(scope)
    changed = TICKETS.replace(
        "S1,2025-02-03 09:00,a@acme.test,solved,2025-02-03 11:00,true,,7200",
        "S1,2025-02-03 09:00,a@acme.test,solved,2025-02-03 11:00,false,,3600",
    )
    second = load(scope, "tickets", changed)
    assert (second.rows_updated, second.rows_duplicate) == (1, 3)
    assert stored(scope)[0][3:] == (False, 1.0)
    undo(scope, second.upload_id)
    assert stored(scope) == before


def test_the_tools_own_durations(desk, load):
    """Zendesk minutes and ServiceNow's raw duration fields (a time after 1970-01-01), where the file has
    no resolved time: resolved exactly at creation + the duration."""
    scope, _ = desk
    zendesk = (
        "Id,Created at,Updated at,Status,Full resolution time in minutes,"
        "Full resolution time in minutes within business hours\n"
        "1,2025-02-03 09:00:00,2025-02-04 12:00:00,Solved,90,60\n"  # 09:00 + 90 min = 10:30; 60 min = 1 h
        "2,2025-02-03 09:00:00,2025-02-04 12:00:00,Open,,\n"
    )
    assert load(scope, "tickets", zendesk).format == "zendesk"
    servicenow = (
        "number,opened_at,incident_state,sys_updated_on,calendar_duration,business_duration,made_sla\n"
        # 1970-01-02 01:00:00 = 25 h: 02-03 09:00 + 25 h = 02-04 10:00; 1970-01-01 09:00:00 = 9 h
        "INC1,2025-02-03 09:00:00,6,2025-02-05 09:00:00,1970-01-02 01:00:00,1970-01-01 09:00:00,false\n"
        "INC2,2025-02-03 09:00:00,2,2025-02-05 09:00:00,,,true\n"
    )
    assert load(scope, "tickets", servicenow).format == "servicenow"
    rows = (
        scope.store.cursor()
        .execute(
            "SELECT source, ticket_id, resolved_at, resolved_approx, sla_met, business_resolution_hours "
            "FROM tickets ORDER BY 1, 2"
        )
        .fetchall()
    )
    assert rows == [
        ("servicenow", "INC1", datetime(2025, 2, 4, 10), False, False, 9.0),
        ("servicenow", "INC2", None, False, True, None),
        ("zendesk", "1", datetime(2025, 2, 3, 10, 30), False, None, 1.0),
        ("zendesk", "2", None, False, None, None),
    ]
