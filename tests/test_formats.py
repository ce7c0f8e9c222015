"""Real export formats: recognition by header set, mapping onto the canonical fields, snapshot
reports, dates as exports write them, manual mappings and presets, exports covering several
clients, event logs and spreadsheets. The small files in tests/data/formats/ are built from the
documented headers (docs/formats.md); expected values are worked out by hand from them."""

import io
import json
import random
import zipfile
from datetime import date, timedelta
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import pytest

from analysis import formats, orgs, presets, values
from analysis.access import OPERATOR, AccessDenied, Principal
from analysis.files import FileRefused, read_table
from analysis.scope import open_scope
from tests.cli_run import run_in_process
from tests.conftest import ROOT, csv, snapshot

DATA = ROOT / "tests" / "data" / "formats"


def reconciles(r):
    return r.rows_read == r.rows_loaded + r.rows_updated + r.rows_rejected + r.rows_duplicate


def rows(scope, sql):
    return scope.store.cursor().execute(sql).fetchall()


def usage(scope):
    return [
        (u, str(e.date()), a, n)
        for u, e, a, n in rows(scope, "SELECT user_id, event_at, activity, events FROM usage_events ORDER BY ALL")
    ]


# -- recognition ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "file,name",
    [
        ("m365_active_users_2025-07-13.csv", "m365_active_users"),
        ("m365_teams.csv", "m365_teams"),
        ("m365_teams_older.csv", "m365_teams"),
        ("m365_apps.csv", "m365_apps"),
        ("m365_email.csv", "m365_email"),
        ("m365_onedrive.csv", "m365_onedrive"),
        ("m365_sharepoint.csv", "m365_sharepoint"),
        ("m365_copilot_camelcase.csv", "m365_copilot"),
        ("entra_signins.csv", "entra_signins"),
        ("purview_audit.csv", "purview_audit"),
        ("purview_audit_new.csv", "purview_audit"),
        ("freshdesk.csv", "freshdesk"),
        ("freshservice.csv", "freshservice"),
        ("jira_service_management.csv", "jira"),
        ("servicenow_labels_cp1252.csv", "servicenow_labels"),
        ("zendesk_clients.csv", "zendesk"),
    ],
)
def test_each_format_is_recognised_by_its_header(file, name):
    found = formats.detect(read_table(file, (DATA / file).read_bytes()))
    assert found.format.name == name and found.confidence == 1.0 and not found.missing


def test_a_few_shared_columns_are_not_guessed(acme, load):
    header = "Report Refresh Date,User Principal Name,Last Activity Date\n2025-07-13,a@acme.test,2025-07-12\n"
    assert formats.detect(read_table("x.csv", header.encode())) is None  # Teams? Email? OneDrive?
    with pytest.raises(FileRefused, match="fit several formats equally: .*m365_teams.*choose one with --format"):
        load(acme, "usage", header, rollout=None)
    r = load(acme, "usage", header, rollout=None, format="m365_onedrive")
    assert (r.format, r.rows_loaded) == ("m365_onedrive", 1) and "as chosen" in r.messages[0]
    assert usage(acme) == [("a@acme.test", "2025-07-12", "onedrive", 1)]


def test_the_canonical_contract_wins_over_look_alike_names(acme, load):
    # ticket_id and created_at look like Freshdesk's Ticket ID and Zendesk's Created at
    r = load(acme, "tickets", "ticket_id,created_at,subject,status\nT1,2025-07-01 09:00,Hi,open\n")
    assert (r.format, r.rows_loaded, r.messages) == ("canonical", 1, [])


def test_a_known_format_missing_a_needed_column_is_named(acme, load):
    with pytest.raises(FileRefused, match="looks like a Zendesk ticket export but it has no column for created_at"):
        load(acme, "tickets", "Id,Requester,Subject,Status,Priority,Updated at\n1,a,b,Open,Low,2025-07-01\n")


def test_a_format_of_another_kind_says_which_kind(acme, load):
    with pytest.raises(FileRefused, match="Zendesk ticket export, which holds tickets, not usage: load it as tickets"):
        load(acme, "usage", (DATA / "zendesk_clients.csv").read_bytes())


def test_an_unknown_format_name_lists_the_choices(acme, load):
    with pytest.raises(FileRefused, match="unknown format or preset 'nope'.*zendesk.*none saved yet"):
        load(acme, "tickets", (DATA / "freshdesk.csv").read_bytes(), format="nope")


def shuffled(data: bytes, seed: int) -> bytes:
    """The same table with its columns in another order and its header names in other cases."""
    table = read_table("x.csv", data)
    rng = random.Random(seed)
    order = list(range(len(table.header)))
    rng.shuffle(order)
    header = ["".join(c.upper() if rng.random() < 0.5 else c.lower() for c in table.header[i]) for i in order]
    out = io.StringIO()
    import csv as csvlib

    writer = csvlib.writer(out)
    writer.writerow(header)
    writer.writerows([[row[i] for i in order] for row in table.rows])
    return out.getvalue().encode()


@pytest.mark.parametrize(
    "file,kind",
    [
        ("jira_service_management.csv", "tickets"),
        ("m365_active_users_2025-07-13.csv", "usage"),
        ("servicenow_labels_cp1252.csv", "tickets"),
    ],
)
def test_shuffled_columns_in_other_cases_load_the_same(store, file, kind):
    outcomes = []
    for name, data in (("a", (DATA / file).read_bytes()), ("b", shuffled((DATA / file).read_bytes(), 7))):
        scope = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, name), "upload")
        from analysis.ingest import load_file

        r = load_file(scope, kind, file, data)
        table = "usage_events" if kind == "usage" else "tickets"
        outcomes.append(
            (
                r.format,
                r.rows_loaded,
                r.rows_rejected,
                rows(
                    scope,
                    f"SELECT * EXCLUDE (org_id, upload_id) FROM {table} WHERE org_id = {scope.org_id} ORDER BY ALL",
                ),
            )
        )
    assert outcomes[0] == outcomes[1] and outcomes[0][1] > 0


# -- Microsoft 365 snapshot reports ----------------------------------------------------------------


def test_weekly_snapshots_stack_without_double_counting(acme, load):
    first = load(acme, "usage", (DATA / "m365_active_users_2025-07-13.csv").read_bytes(), rollout=None)
    # ann: exchange 07-12, onedrive 07-10, teams 07-12; ben: exchange 07-11; cat: nothing; dan
    # (deleted since): exchange 06-30
    assert (first.format, first.rows_read, first.rows_loaded) == ("m365_active_users", 5, 5)
    assert "4 rows gave 5 events" in first.messages[1] and "1 person had no activity date" in first.messages[1]
    second = load(acme, "usage", (DATA / "m365_active_users_2025-07-20.csv").read_bytes(), rollout=None)
    # ann's onedrive 07-10 and ben's exchange 07-11 were in the first snapshot: duplicates
    assert (second.rows_read, second.rows_loaded, second.rows_duplicate) == (5, 3, 2) and reconciles(second)
    assert rows(
        acme, "SELECT user_id, day, activity, snapshot FROM usage_events WHERE snapshot = '2025-07-20' ORDER BY ALL"
    ) == [
        ("ann@acme.test", date(2025, 7, 18), "teams", date(2025, 7, 20)),
        ("ann@acme.test", date(2025, 7, 19), "exchange", date(2025, 7, 20)),
        ("ben@acme.test", date(2025, 7, 17), "sharepoint", date(2025, 7, 20)),
    ]
    assert rows(acme, "SELECT count(*), sum(events) FROM usage_daily") == [(8, 8)]


@pytest.mark.parametrize(
    "file,events",
    [
        ("m365_teams.csv", [("ann@acme.test", "2025-07-12", "teams", 1), ("cat@acme.test", "2025-07-01", "teams", 1)]),
        (
            "m365_apps.csv",
            [
                ("ann@acme.test", "2025-07-12", "excel", 1),
                ("ann@acme.test", "2025-07-12", "word", 1),
                ("ben@acme.test", "2025-07-11", "microsoft 365 apps", 1),
            ],
        ),
        (
            "m365_email.csv",
            [("ann@acme.test", "2025-07-12", "exchange", 1), ("ben@acme.test", "2025-07-12", "exchange", 1)],
        ),
        ("m365_sharepoint.csv", [("ann@acme.test", "2025-07-08", "sharepoint", 1)]),
        (
            "m365_copilot_camelcase.csv",
            [
                ("ann@acme.test", "2025-07-02", "copilot word", 1),
                ("ann@acme.test", "2025-07-10", "copilot chat", 1),
                ("ann@acme.test", "2025-07-12", "copilot", 1),
                ("ann@acme.test", "2025-07-12", "copilot teams", 1),
            ],
        ),
    ],
)
def test_each_report_gives_one_event_per_product_on_its_last_activity_date(acme, load, file, events):
    r = load(acme, "usage", (DATA / file).read_bytes(), rollout=None)
    assert r.rows_loaded == len(events) and reconciles(r)
    assert usage(acme) == events


def test_concealed_names_are_explained(acme, load):
    before = snapshot(acme.store)
    with pytest.raises(FileRefused, match="column User Principal Name: 2 of 3 .*conceals user names.*admin center"):
        load(acme, "usage", (DATA / "m365_active_users_concealed.csv").read_bytes(), rollout=None)
    assert snapshot(acme.store) == before
    # one concealed row among real ones: rejected alone, and the load says why
    data = (DATA / "m365_active_users_concealed.csv").read_text().splitlines()
    extra = [data[3].replace("ann@", f"p{i}@") for i in range(3)]
    r = load(acme, "usage", "\n".join([data[0], data[1], *extra, data[3]]) + "\n", rollout=None)
    assert (r.rows_loaded, r.rows_rejected) == (4, 1)
    assert r.rejects[0].line == 2 and r.rejects[0].column == "User Principal Name"
    assert "concealed" in r.rejects[0].reason and any("concealed names" in m for m in r.messages)


# -- other usage formats ----------------------------------------------------------------------------


def test_entra_sign_ins_count_successes_in_utc(store, load):
    brussels = open_scope(
        store, OPERATOR, orgs.add_organisation(store, OPERATOR, "B", "Europe/Brussels", ["acme.test"]), "upload"
    )
    r = load(brussels, "usage", (DATA / "entra_signins.csv").read_bytes(), rollout=None)
    assert (r.format, r.rows_loaded) == ("entra_signins", 4)
    # Date (UTC) is UTC with or without a Z; Brussels is UTC+2 in July (22:30 UTC is the next day there)
    assert rows(
        brussels, "SELECT user_id, strftime(event_at, '%m-%d %H:%M'), activity, events FROM usage_events ORDER BY ALL"
    ) == [
        ("ann@acme.test", "07-14 10:00", "salesforce", 1),
        ("ann@acme.test", "07-15 09:00", "salesforce", 0),
        ("ben@acme.test", "07-14 11:30", "salesforce", 0),
        ("cat@acme.test", "07-15 00:30", "microsoft teams", 1),
    ]


def test_purview_workload_and_a_record_that_is_not_json(acme, load):
    r = load(acme, "usage", (DATA / "purview_audit.csv").read_bytes(), rollout=None)
    assert (r.rows_loaded, r.rows_rejected) == (2, 1)
    assert (r.rejects[0].line, r.rejects[0].column) == (4, "AuditData") and "not JSON" in r.rejects[0].reason
    assert [a for _, _, a, _ in usage(acme)] == ["sharepoint", "microsoftteams"]
    load(acme, "usage", (DATA / "purview_audit_new.csv").read_bytes(), rollout=None)
    assert {a for _, _, a, _ in usage(acme)} == {"sharepoint", "microsoftteams", "onedrive", "exchange"}


def test_viva_weeks_are_dated_on_their_last_day_and_counts_rounded(acme, load):
    r = load(
        acme,
        "usage",
        csv("""
        PersonId,MetricDate,Total_Copilot_actions_taken,Total_Copilot_active_days,Organization,LevelDesignation
        A1,2024-09-01,5.94,2,IT,NA
        B2,2024-09-01,NA,0,HR,NA
        """),
        rollout=None,
    )
    assert (r.format, r.rows_loaded) == ("viva_person_query", 2)
    assert usage(acme) == [("a1", "2024-09-07", "copilot", 6), ("b2", "2024-09-07", "copilot", 0)]
    # weekly totals: the week is known as a whole, not day by day
    assert acme.store.cursor().execute("SELECT DISTINCT snapshot FROM usage_events").fetchall() == [(date(2024, 9, 7),)]


def test_moodle_user_ids_come_from_the_description(acme, load):
    r = load(
        acme,
        "usage",
        csv("""
        Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address
        "17/10/21, 12:43",-,-,Course: OOP,System,Course viewed,The user with id '1333' viewed the course.,web,10.0.0.1
        "17/10/21, 12:43",-,-,Course: OOP,System,Course viewed,The user with id '1333' viewed the course.,web,10.0.0.1
        "2/03/21, 19:59",-,-,Course: OOP,Turnitin,List viewed,User viewed their submission inbox,web,10.0.0.1
        "6/07/20, 02:53",-,-,Course: OOP,Quiz,Quiz attempt,The user with id '593' started an attempt.,web,10.0.0.1
        """),
        rollout=None,
    )
    # the repeated click in the same minute is a duplicate; the Turnitin row names no user
    assert (r.format, r.rows_loaded, r.rows_duplicate, r.rows_rejected) == ("moodle_logs", 2, 1, 1)
    assert r.rejects[0].column == "Description"
    assert rows(
        acme, "SELECT user_id, strftime(event_at, '%Y-%m-%d %H:%M'), activity FROM usage_events ORDER BY 1"
    ) == [("1333", "2021-10-17 12:43", "system"), ("593", "2020-07-06 02:53", "quiz")]


# -- ticket formats -------------------------------------------------------------------------------------

TICKET_COLUMNS = (
    "ticket_id, source, strftime(created_at, '%Y-%m-%d %H:%M'), status, priority, category, requester, "
    "strftime(first_response_at, '%Y-%m-%d %H:%M'), strftime(resolved_at, '%Y-%m-%d %H:%M'), "
    "resolved_approx, satisfaction, reopened"
)


def tickets(scope):
    return rows(scope, f"SELECT {TICKET_COLUMNS} FROM tickets WHERE org_id = {scope.org_id} ORDER BY 1")


def test_freshdesk_and_freshservice(acme, load):
    presets.map_company(acme.store, OPERATOR, "Acme Ltd", acme.org_id)
    r = load(acme, "tickets", (DATA / "freshdesk.csv").read_bytes())
    assert (r.format, r.rows_loaded) == ("freshdesk", 3)
    s = load(acme, "tickets", (DATA / "freshservice.csv").read_bytes())
    assert (s.format, s.rows_loaded) == ("freshservice", 2)
    assert tickets(acme) == [
        (
            "#INC-7",
            "freshservice",
            "2025-07-14 09:00",
            "Resolved",
            "Medium",
            "Network",
            "ann@acme.test",
            None,
            "2025-07-14 11:00",
            False,
            None,
            0,
        ),
        (
            "#SR-8",
            "freshservice",
            "2025-07-14 10:00",
            "Open",
            "Low",
            "Hardware",
            "ben@acme.test",
            None,
            None,
            False,
            None,
            0,
        ),
        (
            "101",
            "freshdesk",
            "2025-07-14 09:00",
            "Resolved",
            "Medium",
            "Incident",
            "Ann Lee",
            "2025-07-14 09:20",
            "2025-07-14 12:30",
            False,
            None,
            0,
        ),
        ("102", "freshdesk", "2025-07-14 10:00", "Open", "High", "Incident", "Ben Ong", None, None, False, None, 0),
        # closed without a resolved time: resolved when it was closed
        (
            "103",
            "freshdesk",
            "2025-07-10 08:00",
            "Closed",
            "Low",
            "Request",
            "Cat Roe",
            "2025-07-10 08:30",
            "2025-07-11 16:00",
            False,
            None,
            0,
        ),
    ]


def test_jira_service_management_export(acme, load):
    r = load(acme, "tickets", (DATA / "jira_service_management.csv").read_bytes())
    assert (r.format, r.rows_loaded) == ("jira", 3)  # BOM, repeated Labels and Watchers, Jira dates
    assert tickets(acme) == [
        (
            "HD-3",
            "jira",
            "2025-07-14 15:42",
            "Done",
            "High",
            "Get IT help",
            "ann@acme.test",
            None,
            "2025-07-15 09:05",
            False,
            "good",
            0,
        ),
        (
            "HD-4",
            "jira",
            "2025-07-15 10:00",
            "Waiting for support",
            "Medium",
            "Request new software",
            "ben@acme.test",
            None,
            None,
            False,
            None,
            0,
        ),
        (
            "HD-5",
            "jira",
            "2025-07-01 08:00",
            "Resolved",
            "Low",
            "Get IT help",
            "cat@acme.test",
            None,
            "2025-07-02 17:00",
            False,
            "bad",
            0,
        ),
    ]


def test_servicenow_labels_from_european_excel(acme, load):
    r = load(acme, "tickets", (DATA / "servicenow_labels_cp1252.csv").read_bytes())
    # Windows-1252, semicolons, every field quoted, CRLF; Opened and Updated prove day-first
    # (14/07/2025), and Resolved and Closed, which alone could be read both ways, follow them
    assert (r.format, r.rows_loaded) == ("servicenow_labels", 3)
    assert any("Column Resolved reads its dates day first" in m for m in r.messages)
    assert tickets(acme)[0] == (
        "INC0010001",
        "servicenow",
        "2025-07-03 09:15",
        "Resolved",
        "2 - High",
        "Inquiry / Help",
        "Zoë Müller",
        None,
        "2025-07-03 17:45",
        False,
        None,
        0,
    )
    assert tickets(acme)[2][8:10] == ("2025-07-02 08:00", False)


def test_servicenow_rest_codes_and_question_marks(acme, load):
    r = load(
        acme,
        "tickets",
        csv("""
        number,opened_at,incident_state,priority,caller_id,resolved_at,closed_at,sys_updated_on,category
        INC1,2016-12-12 15:19,7,1,681ccaf9c0a8016400b98a06818d57c7,2016-12-13 21:43,2016-12-14 02:46,,inquiry
        INC2,2016-12-12 16:00,2,5,?,?,?,2016-12-12 16:00,?
        INC3,2016-12-12 17:00,-100,9,?,,,2016-12-12 17:00,software
        """),
    )
    assert (r.format, r.rows_loaded) == ("servicenow", 3)
    assert [t[3:6] for t in tickets(acme)] == [
        ("Closed", "1 - Critical", "inquiry"),
        ("In Progress", "5 - Planning", None),
        ("-100", "9", "software"),
    ]
    assert tickets(acme)[0][8] == "2016-12-13 21:43"


def test_zendesk_sentinels_satisfaction_and_first_reply(acme, load):
    header = (
        "Id,Requester id,Group,Status,Created at,Updated at,Solved at,Satisfaction Score,Reopens,"
        "First reply time in minutes,Manual Tagging of Categories [list]"
    )
    r = load(
        acme,
        "tickets",
        header.encode()
        + b"\n"
        + csv("""
        1,11,Support,Closed,2023-04-08 20:52:00,2023-06-14 16:30:00,1900-01-01 00:00:00,Offered,2,30,Claims
        2,12,Support,Solved,2023-04-09 10:00:00,2023-04-09 12:00:00,2023-04-09 11:00:00,"Good, I'm satisfied",0,,-
        3,13,Onboarding,Open,2023-04-10 10:00:00,2023-04-10 10:00:00,1900-01-01 00:00:00,4,0,,-
        """),
    )
    assert (r.format, r.rows_loaded) == ("zendesk", 3)
    assert tickets(acme) == [
        # 1900-01-01 is "never": closed without a solved time, resolved approximately at Updated at
        (
            "1",
            "zendesk",
            "2023-04-08 20:52",
            "Closed",
            None,
            "Claims",
            "11",
            "2023-04-08 21:22",
            "2023-06-14 16:30",
            True,
            None,
            2,
        ),
        # the category is the custom field that names one ("-": not set), not the Group
        ("2", "zendesk", "2023-04-09 10:00", "Solved", None, None, "12", None, "2023-04-09 11:00", False, "good", 0),
        ("3", "zendesk", "2023-04-10 10:00", "Open", None, None, "13", None, None, False, "good", 0),
    ]


# -- several clients in one export ---------------------------------------------------------------------


def test_an_export_covering_several_clients_is_split_by_company(acme, store, load):
    globex_id = orgs.add_organisation(store, OPERATOR, "Globex", email_domains=["globex.test"])
    globex = open_scope(store, OPERATOR, globex_id, "upload")
    presets.map_company(store, OPERATOR, " ACME  Ltd", acme.org_id)
    presets.map_company(store, OPERATOR, "Globex", globex.org_id)
    data = (DATA / "zendesk_clients.csv").read_bytes()
    a = load(acme, "tickets", data)
    # 1 and 2 are Acme Ltd (any case and spacing), 5 has no company: loaded; 3 is Globex's and 4
    # Initech's (not mapped): left out, counted as rejected with the reason
    assert (a.rows_read, a.rows_loaded, a.rows_rejected) == (5, 3, 2) and reconciles(a)
    assert [(x.line, x.column, x.reason) for x in a.rejects] == [
        (4, "Organization", "company 'Globex' is mapped to another organisation: load the export there for its rows"),
        (5, "Organization", "company 'Initech' is not mapped to an organisation: map it on the Data page"),
    ]
    assert any(
        "2 rows of other companies were left out" in m and "Initech (1 row, not mapped yet)" in m for m in a.messages
    )
    g = load(globex, "tickets", data, rollout=None)
    assert (g.rows_loaded, g.rows_rejected) == (2, 3)
    assert [t[0] for t in tickets(acme)] == ["1", "2", "5"] and [t[0] for t in tickets(globex)] == ["3", "5"]


def test_an_export_of_other_clients_only_is_refused(acme, load):
    before = snapshot(acme.store)
    with pytest.raises(FileRefused, match="no row of this export is for this organisation"):
        load(acme, "tickets", "ticket_id,created_at,company\nT1,2025-07-01,Initech\nT2,2025-07-01,Initech\n")
    assert snapshot(acme.store) == before


def test_only_admins_map_companies(acme):
    manager = Principal("am", "account_manager", frozenset({acme.org_id}))
    with pytest.raises(AccessDenied):
        presets.map_company(acme.store, manager, "Acme Ltd", acme.org_id)
    presets.map_company(acme.store, OPERATOR, "Acme Ltd", acme.org_id)
    assert presets.company_mappings(acme.store, OPERATOR) == {"acme ltd": acme.org_id}
    presets.unmap_company(acme.store, OPERATOR, "ACME LTD")
    assert presets.company_mappings(acme.store, OPERATOR) == {}


# -- event logs -------------------------------------------------------------------------------------------

VINST = """
    SR Number,Change Date+Time,Status,Sub Status,Product
    1-1,2012-05-01T09:00:00+01:00,Accepted,In Progress,P1
    1-1,2012-05-01T10:00:00+01:00,Queued,Awaiting Assignment,P1
    1-1,2012-05-01T15:30:00+01:00,Completed,Resolved,P1
    1-1,2012-05-02T09:00:00+01:00,Completed,Closed,P1
    1-2,2012-05-01T11:00:00+01:00,Accepted,In Progress,P2
    1-2,2012-05-01T12:00:00+01:00,Completed,Resolved,P2
    1-2,2012-05-03T08:00:00+01:00,Accepted,Wait - User,P2
    """


def test_an_event_log_mapped_by_hand(acme, load):
    # docs/metrics.md#loading-rules: with only created_at, each row's created_at is its event time
    mapping = {"ticket_id": "SR Number", "created_at": "Change Date+Time", "status": "Status"}
    r = load(acme, "tickets", VINST, format="canonical", mapping=mapping)
    assert (r.format, r.rows_loaded, r.rows_updated) == ("mapping", 2, 5)
    # +01:00 converted to UTC; 1-1 resolved at its first Completed, exactly; 1-2 was reopened: open
    assert [(t[0], t[2], t[3], t[8], t[9]) for t in tickets(acme)] == [
        ("1-1", "2012-05-01 08:00", "Completed", "2012-05-01 14:30", False),
        ("1-2", "2012-05-01 10:00", "Accepted", None, False),
    ]
    again = load(acme, "tickets", VINST, format="canonical", mapping=mapping)
    assert (again.rows_loaded, again.rows_updated, again.rows_duplicate) == (0, 0, 7)


def test_the_vinst_format_is_recognised_as_an_event_log(acme, load):
    r = load(acme, "tickets", VINST)
    assert (r.format, r.rows_loaded, r.rows_updated) == ("vinst", 2, 5)
    assert [(t[0], t[5], t[8], t[9]) for t in tickets(acme)] == [
        ("1-1", "P1", "2012-05-01 14:30", False),
        ("1-2", "P2", None, False),
    ]


def test_a_change_history_listed_newest_first(acme, load):
    # one row per change, newest first within each ticket, dates without times (Jira changelog)
    r = load(
        acme,
        "tickets",
        csv("""
        "","ticket","date_created","date_updated","Status"
        "1","A-2",2020-01-01,2020-01-09,"Done"
        "2","A-2",2020-01-01,2020-01-09,"Approved"
        "3","A-2",2020-01-01,2020-01-03,"In Progress"
        "4","A-2",2020-01-01,2020-01-01,"Open"
        "5","A-3",2020-01-02,2020-01-05,"Open"
        "6","A-3",2020-01-02,2020-01-05,"Done"
        "7","A-3",2020-01-02,2020-01-02,"Open"
        """),
        mapping={"ticket_id": "ticket", "created_at": "date_created", "updated_at": "date_updated", "status": "Status"},
    )
    assert (r.rows_loaded, r.rows_updated) == (2, 5)
    # on 01-09 A-2 went Approved then Done (the upper row is the later); A-3 was reopened last
    assert [(t[0], t[3], t[8], t[9]) for t in tickets(acme)] == [
        ("A-2", "Done", "2020-01-09 00:00", True),
        ("A-3", "Open", None, False),
    ]


# -- dates --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells,order",
    [
        (["13/02/2025", "01/02/2025"], values.DAY_FIRST),
        (["02/13/2025", "01/02/2025"], values.MONTH_FIRST),
        (["01/02/2025", "03/04/2025 10:00"], values.AMBIGUOUS),
        (["05/05/2025", "2025-01-02", ""], values.EITHER),
        (["13/02/2025", "02/13/2025"], values.MIXED),
        (["14/Jul/25 3:42 PM"], values.EITHER),
        (["6/07/20, 02:53", "17/10/21, 12:43"], values.DAY_FIRST),
    ],
)
def test_the_order_of_day_and_month_is_decided_by_the_values(cells, order):
    assert values.date_order(cells)[0] == order


@pytest.mark.parametrize(
    "text,dayfirst,expected",
    [
        ("2025-07-14", None, "2025-07-14 00:00"),
        ("2025-07-14 15:42:10", None, "2025-07-14 15:42"),
        ("2025-07-14T15:42:00Z", None, "2025-07-14 17:42"),
        ("2025-07-14T15:42:00+01:00", None, "2025-07-14 16:42"),
        ("14/07/2025", True, "2025-07-14 00:00"),
        ("07/14/2025 3:42 PM", False, "2025-07-14 15:42"),
        ("29/2/2016 01:16", True, "2016-02-29 01:16"),
        ("14/Jul/25 3:42 PM", None, "2025-07-14 15:42"),
        ("1/Dec/24 12:05 AM", None, "2024-12-01 00:05"),
        ("6/07/20, 02:53", True, "2020-07-06 02:53"),
        ("2025/07/14", None, "2025-07-14 00:00"),
        ("14.07.2025 08:00", True, "2025-07-14 08:00"),
        ("1752500000", None, "2025-07-14 15:33"),
        ("1752500000000", None, "2025-07-14 15:33"),
        ("05/05/2025", None, "2025-05-05 00:00"),
    ],
)
def test_dates_as_exports_write_them(text, dayfirst, expected):
    reader = values.DateReader(ZoneInfo("Europe/Brussels"), dayfirst)  # UTC+2 in July
    assert f"{reader(text):%Y-%m-%d %H:%M}" == expected


@pytest.mark.parametrize(
    "text,reason",
    [
        ("2025-02-30", "not a real date"),
        ("31/02/2025", "not a real date"),
        ("13/13/2025", "not a real date"),
        ("03/04/2025", "could be day-first or month-first"),
        ("yesterday", "not a date"),
        ("0001-01-01", "before 1901"),
        ("14/Jux/25", "not a date"),
    ],
)
def test_dates_that_are_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        values.DateReader(ZoneInfo("UTC"))(text)


def test_ambiguous_dates_are_never_guessed(acme, load):
    data = "user_id,date,activity\na@acme.test,01/02/2025,mfa\nb@acme.test,03/04/2025,mfa\n"
    with pytest.raises(
        FileRefused,
        match="line 2, column date: dates such as 01/02/2025 could be day-first or "
        "month-first.*--dayfirst or --monthfirst",
    ):
        load(acme, "usage", data)
    load(acme, "usage", data, dayfirst=True)
    assert [d for _, d, _, _ in usage(acme)] == ["2025-02-01", "2025-04-03"]
    load(acme, "usage", data.replace("mfa", "sms"), dayfirst=False)
    assert [d for _, d, a, _ in usage(acme) if a == "sms"] == ["2025-01-02", "2025-03-04"]


def test_a_column_decides_its_own_order_and_says_when_it_overrides_the_choice(acme, load):
    data = "user_id,date,activity\na@acme.test,13/02/2025,mfa\nb@acme.test,01/02/2025,mfa\n"
    r = load(acme, "usage", data, dayfirst=False)
    assert [d for _, d, _, _ in usage(acme)] == ["2025-02-13", "2025-02-01"]
    assert "Column date is day first by its own values (e.g. 13/02/2025): --monthfirst was not applied" in r.messages[0]


def test_a_column_mixing_both_orders_is_refused(acme, load):
    with pytest.raises(
        FileRefused,
        match=r"line 2, column date: the dates mix day-first \(13/02/2025\) and "
        r"month-first \(02/13/2025, line 3\)",
    ):
        load(acme, "usage", "user_id,date\na@acme.test,13/02/2025\nb@acme.test,02/13/2025\n")


def test_dates_more_than_a_day_after_the_load_are_rejected(acme, load):
    today, later = date.today(), date.today() + timedelta(days=3)
    r = load(acme, "usage", f"user_id,date\na@acme.test,{today}\nb@acme.test,{today}\nc@acme.test,{later}\n")
    assert (r.rows_loaded, r.rows_rejected) == (2, 1)
    assert r.rejects[0].column == "date" and "in the future" in r.rejects[0].reason
    t = load(acme, "tickets", f"ticket_id,created_at,resolved_at\nT1,{today},\nT2,{today},{later}\nT3,{today},\n")
    assert (t.rows_loaded, t.rejects[0].column) == (2, "resolved_at")


# -- manual mapping and presets ---------------------------------------------------------------------------


def test_a_mapping_names_columns_that_exist(acme, load):
    with pytest.raises(
        FileRefused,
        match=r"--map created_at=Opened: the file has no column 'Opened' \(its columns "
        r"are: SR Number, Change Date\+Time, Status",
    ):
        load(acme, "tickets", VINST, mapping={"ticket_id": "SR Number", "created_at": "Opened"})
    with pytest.raises(FileRefused, match="'cohort' is not a field of a tickets file"):
        load(acme, "tickets", VINST, mapping={"cohort": "Status"})


def test_presets_are_saved_per_organisation_and_used_by_name(acme, store, load):
    mapping = {"ticket_id": "id", "created_at": "opened", "resolved_at": "done"}
    saved = presets.save_preset(acme, "Old tracker", "tickets", mapping, dayfirst=True)
    assert presets.presets(acme) == [saved] and presets.preset(acme, "old TRACKER") == saved
    data = "id,opened,done\nX1,02/03/2025,04/03/2025\nX2,05/03/2025,\n"
    r = load(acme, "tickets", data, format="old tracker")
    assert (r.format, r.rows_loaded) == ("preset Old tracker", 2)
    assert [(t[0], t[2], t[8]) for t in tickets(acme)] == [
        ("X1", "2025-03-02 00:00", "2025-03-04 00:00"),
        ("X2", "2025-03-05 00:00", None),
    ]
    with pytest.raises(FileRefused, match="the preset 'Old tracker' is for tickets files, not usage"):
        load(acme, "usage", data, format="Old tracker")
    with pytest.raises(ValueError, match="name of a format"):
        presets.save_preset(acme, "zendesk", "tickets", mapping)
    with pytest.raises(ValueError, match="not a field of a tickets file"):
        presets.save_preset(acme, "x", "tickets", {"user_id": "id"})
    viewer = open_scope(store, Principal("v", "client_viewer", frozenset({acme.org_id})), acme.org_id)
    with pytest.raises(AccessDenied):
        presets.save_preset(viewer, "mine", "tickets", mapping)
    other = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Other"), "upload")
    assert presets.presets(other) == []


@pytest.fixture
def cli(tmp_path):
    def run(*args, code=0):  # in this process (tests/cli_run.py)
        done = run_in_process(tmp_path / "cli.duckdb", *args)
        assert done.returncode == code, done.stderr
        assert "Traceback" not in done.stderr
        return done

    run("org", "add", "Acme", "--domain", "acme.test")
    return run


def test_command_line_format_map_dayfirst_and_presets(cli, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text("SR Number,Opened On,State\nS1,03/04/2025 10:00,Open\nS2,05/04/2025 11:00,Closed\n")
    refused = json.loads(
        cli(
            "load",
            "--org",
            "Acme",
            "--kind",
            "tickets",
            path,
            "--map",
            "ticket_id=SR Number",
            "--map",
            "created_at=Opened On",
            "--json",
            code=1,
        ).stdout
    )
    assert refused["refused"] and "--dayfirst or --monthfirst" in refused["messages"][0]
    done = json.loads(
        cli(
            "load",
            "--org",
            "Acme",
            "--kind",
            "tickets",
            path,
            "--map",
            "ticket_id=SR Number",
            "--map",
            "created_at=Opened On",
            "--map",
            "status=State",
            "--dayfirst",
            "--save-preset",
            "tracker",
            "--json",
        ).stdout
    )
    assert (done["format"], done["rows_loaded"]) == ("mapping", 2)
    assert "Saved the preset 'tracker'" in done["messages"][-1]
    again = json.loads(cli("load", "--org", "Acme", "--kind", "tickets", path, "--format", "tracker", "--json").stdout)
    assert (again["format"], again["rows_duplicate"]) == ("preset tracker", 2)
    bad = cli("load", "--org", "Acme", "--kind", "tickets", path, "--map", "ticket_id", code=2)
    assert "write it as FIELD=COLUMN" in bad.stderr
    clash = cli(
        "load", "--org", "Acme", "--kind", "tickets", path, "--format", "tracker", "--save-preset", "jira", code=2
    )
    assert "name of a format" in clash.stderr
    zendesk = cli("load", "--org", "Acme", "--kind", "tickets", DATA / "jira_service_management.csv")
    assert "Recognised a Jira (Service Management) export (26 of 26 identifying columns)" in zendesk.stdout


# -- spreadsheets ----------------------------------------------------------------------------------------------


def xlsx(table: list[list]) -> bytes:
    """A minimal .xlsx workbook: text cells inline, numbers as numbers, ("date", serial) as a date
    cell, and "=..." as a formula whose saved value is 42."""

    def ref(r, c):
        name = ""
        c += 1
        while c:
            c, rest = divmod(c - 1, 26)
            name = chr(65 + rest) + name
        return f"{name}{r}"

    body = []
    for r, row in enumerate(table, 1):
        cells = []
        for c, v in enumerate(row):
            if isinstance(v, tuple):
                cells.append(f'<c r="{ref(r, c)}" s="1"><v>{v[1]}</v></c>')
            elif isinstance(v, (int, float)):
                cells.append(f'<c r="{ref(r, c)}"><v>{v}</v></c>')
            elif isinstance(v, str) and v.startswith("="):
                cells.append(f'<c r="{ref(r, c)}"><f>{escape(v[1:])}</f><v>42</v></c>')
            elif v is not None:
                cells.append(f'<c r="{ref(r, c)}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Export" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" '
        f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/styles" '
        'Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f'<styleSheet xmlns="{main}"><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="22" applyNumberFormat="1"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{"".join(body)}</sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + text)
    return buffer.getvalue()


def test_a_spreadsheet_loads_like_its_csv(acme, load):
    # 45658 is 2025-01-01 in Excel's calendar; 45659.5 is 2025-01-02 12:00
    book = xlsx(
        [
            ["user_id", "date", "activity", "count"],
            ["a@acme.test", ("date", 45658), "mfa", 3.0],
            [None, None, None, None],
            ["b@acme.test", "2025-01-02", '=HYPERLINK("http://x")', 2],
            ["c@acme.test", ("date", 45659.5), "mfa", "=1+1"],
        ]
    )
    r = load(acme, "usage", book, name="usage.xlsx")
    # row 3 is empty and skipped; a formula is its saved value, never evaluated
    assert (r.format, r.rows_loaded) == ("canonical", 3)
    assert usage(acme) == [
        ("a@acme.test", "2025-01-01", "mfa", 3),
        ("b@acme.test", "2025-01-02", "42", 2),
        ("c@acme.test", "2025-01-02", "mfa", 42),
    ]


def test_a_spreadsheet_of_a_known_format(acme, load):
    book = xlsx(
        [
            ["Id", "Requester", "Status", "Created at", "Updated at", "Solved at", "Satisfaction Score"],
            [101, "ann@acme.test", "Solved", ("date", 45658.375), ("date", 45658.5), ("date", 45658.5), "Good"],
            [102, "ben@acme.test", "Open", ("date", 45659.25), ("date", 45659.25), None, "Offered"],
        ]
    )
    r = load(acme, "tickets", book, name="tickets.xlsx")
    assert (r.format, r.rows_loaded) == ("zendesk", 2)
    assert [(t[0], t[2], t[8], t[10]) for t in tickets(acme)] == [
        ("101", "2025-01-01 09:00", "2025-01-01 12:00", "good"),
        ("102", "2025-01-02 06:00", None, None),
    ]


def test_presets_survive_json_round_trip(acme):
    presets.save_preset(acme, 'quotes "and" ; semicolons', "usage", {"user_id": 'E-mail "work"; main'})
    assert presets.preset(acme, 'quotes "and" ; semicolons').mapping == {"user_id": 'E-mail "work"; main'}
    stored = rows(acme, "SELECT mapping FROM mapping_presets")[0][0]
    assert json.loads(stored) == {"user_id": 'E-mail "work"; main'}
