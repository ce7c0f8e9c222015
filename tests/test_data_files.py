"""Issue 13's file-side items, at the analysis level with figures worked out by hand: a licence
list as a client sends it (item 7), wrong files and a file loaded twice (item 9), Moodle system
ids and repeats within a file, rejects grouped by reason (item 10), and tickets of another system
sharing numbers with loaded ones (item 15)."""

import io
import re
import zipfile
from pathlib import Path

import pytest

from analysis import file_kind, presets, reject_groups, roster_import
from analysis.files import FileRefused
from analysis.ingest import likely_kind
from tests.conftest import snapshot

LICENCE_HEADER = "Moodle ID, Full Name, Department, Wave, Licensed"  # exactly as in the issue
REALDATA = Path(__file__).parents[2] / "shared" / "realdata"


def roster(scope):
    return (
        scope.store.cursor()
        .execute(
            "SELECT user_id, display_name, department, cohort, licensed FROM current_roster(?, 1) ORDER BY 1",
            [scope.org_id],
        )
        .fetchall()
    )


# -- item 7: a licence list as a client sends it ------------------------------------------------------

LICENCES = f"""\
{LICENCE_HEADER}
1001, Ada Lovelace, Finance, Champions, Yes
1002, Alan Turing, Research, Wave 2, no
1003, Grace Hopper, IT, Pilot, x
1004, Edsger Dijkstra, IT, Everyone, 0
"""


def test_the_licence_lists_columns_are_read_by_their_names():
    header = [h.strip() for h in LICENCE_HEADER.split(",")]
    assert roster_import.guess_mapping(header) == {
        "user_id": "Moodle ID",
        "display_name": "Full Name",
        "department": "Department",
        "cohort": "Wave",
        "licensed": "Licensed",
    }
    assert likely_kind("licences.csv", LICENCES.encode()) == "roster"


def test_a_licence_list_as_a_client_sends_it_loads(acme, load):
    r = load(acme, "roster", LICENCES, name="licences.csv")
    # Champions and Pilot are the champion cohort, Wave 2 and Everyone the wider one; x is licensed
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (4, 4, 0)
    assert r.messages[0] == (
        "Read as a roster by its column names: user_id = 'Moodle ID', display_name = "
        "'Full Name', department = 'Department', cohort = 'Wave', licensed = 'Licensed'"
    )
    assert roster(acme) == [
        ("1001", "Ada Lovelace", "Finance", "champion", True),
        ("1002", "Alan Turing", "Research", "wider", False),
        ("1003", "Grace Hopper", "IT", "champion", True),
        ("1004", "Edsger Dijkstra", "IT", "wider", False),
    ]


def test_cohort_values_no_cohort_takes_are_asked_then_remembered_by_columns(acme, load):
    text = (
        f"{LICENCE_HEADER}\n1001,Ada,Finance,Champions,yes\n1002,Alan,Research,Staff,yes\n"
        "1003,Grace,IT,Staff,yes\n1004,Edsger,IT,Wave 1,yes\n"
    )
    first = load(acme, "roster", text, name="licences.csv", dry_run=True)
    assert first.cohorts_to_map == ["Staff"] and first.rows_rejected == 2
    mapped = load(acme, "roster", text, name="licences.csv", cohort_values={"Staff": "wider"})
    assert (mapped.rows_loaded, mapped.rows_rejected) == (4, 0)
    # the corrected file, under another name, its columns in another order: the same answers apply
    again = load(
        acme,
        "roster",
        "Wave,Moodle ID,Full Name,Department,Licensed\nStaff,1005,Barbara,IT,yes\n"
        "Champions,1001,Ada,Finance,yes\nStaff,1002,Alan,Research,yes\nStaff,1003,Grace,IT,yes\n"
        "Wave 1,1004,Edsger,IT,yes\n",
        name="licences-corrected (2).csv",
    )
    assert (again.format, again.rows_loaded, again.rows_duplicate, again.rows_rejected) == (
        "preset Columns of licences.csv",
        1,
        4,
        0,
    )
    assert [p.cohort_values for p in presets.presets(acme)] == [{"Staff": "wider"}]


def test_a_hand_mapping_is_remembered_by_the_set_of_columns_not_the_file_name(acme, load):
    mapping = {"user_id": "Ref", "cohort": "Tier", "department": "Area"}
    first = load(
        acme, "roster", "Ref,Area,Tier\nk1,Sales,champion\nk2,Sales,wider\n", name="export.csv", mapping=mapping
    )
    assert (first.format, first.rows_loaded) == ("mapping", 2)
    later = load(
        acme, "roster", "tier,REF,area\nchampion,k1,Sales\nwider,k2,Ops\nwider,k3,Ops\n", name="export-fixed.csv"
    )
    assert (later.format, later.rows_loaded, later.rows_updated, later.rows_duplicate) == (
        "preset Columns of export.csv",
        1,
        1,
        1,
    )


def test_the_roster_template_loads_as_it_is(acme, load):
    text = roster_import.template_csv(["champion", "wider"]).decode()
    assert text.splitlines()[0] == "user_id,display_name,department,cohort,licensed"
    r = load(acme, "roster", text, name="roster-template.csv")
    assert (r.format, r.rows_loaded, r.rows_rejected) == ("canonical", 2, 0)


# -- item 9: wrong files, and a file loaded twice ---------------------------------------------------------


def zipped(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "a PDF"),
        (zipped(["[Content_Types].xml", "word/document.xml"]), "a Word document"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(64), "a JPEG image"),
        (b"<!DOCTYPE html>\n<html><body>Sign in</body></html>\n", "a web page (HTML)"),
    ],
)
def test_a_file_that_is_not_a_table_is_named_for_what_it_is(acme, load, data, what):
    with pytest.raises(FileRefused, match=re.escape(f"report.csv: this is {what}, not a CSV or Excel export")):
        load(acme, "usage", data, name="report.csv")
    assert file_kind.undetected_message("report.csv", data).startswith(
        f"Refused, nothing will be stored. report.csv: this is {what}, not a CSV or Excel export"
    )


@pytest.mark.parametrize(
    "text",
    [
        "First Name,Last Name,Email,Phone,Company\nAda,Lovelace,ada@example.org,0123,Analytical\n",  # contacts
        "Product,Price,Quantity\nWidget,2.50,4\nGadget,3.00,1\n",  # unrelated
    ],
)
@pytest.mark.parametrize("kind", ["roster", "usage", "tickets"])
def test_a_table_that_cannot_be_data_says_so_instead_of_inviting_a_mapping(acme, load, text, kind):
    before = snapshot(acme.store)
    with pytest.raises(
        FileRefused,
        match="matches no export Uptake reads, and has no column that could be a person or a ticket with a date",
    ) as refused:
        load(acme, kind, text, name="list.csv")
    assert "map" not in str(refused.value)
    assert snapshot(acme.store) == before
    assert "does not look like usage, tickets or a roster" in file_kind.undetected_message("list.csv", text.encode())


def test_a_plausible_table_is_still_offered_a_hand_mapping():
    text = b"Staff Ref,Login Date,Thing\nk1,2025-01-02,x\n"
    assert file_kind.could_be_data(["Staff Ref", "Login Date", "Thing"], [["k1", "2025-01-02", "x"]])
    assert file_kind.undetected_message("odd.csv", text).endswith(
        "Choose what is in it above, or map its columns by hand."
    )


def test_a_roster_loaded_again_records_no_load_unless_it_changes_the_roster(acme, load):
    one = "user_id,cohort\na@acme.test,champion\nb@acme.test,wider\n"
    first = load(acme, "roster", one)
    again = load(acme, "roster", one, name="same-bytes-other-name.csv")
    assert (again.upload_id, again.already_loaded) == (None, True)
    assert again.messages[0].startswith(f"This file was already loaded as load {first.upload_id} on ")
    assert acme.store.cursor().execute("SELECT count(*) FROM uploads").fetchall()[0][0] == 1
    # after another roster, the first one's bytes bring it back: that is a change, so it loads
    load(acme, "roster", "user_id,cohort\na@acme.test,champion\nb@acme.test,wider\nc@acme.test,wider\n")
    back = load(acme, "roster", one)
    assert (back.already_loaded, back.people_left) == (False, 1) and back.upload_id is not None


# -- item 10: Moodle details, grouped rejects ---------------------------------------------------------------

HEAD = "Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address"
MOODLE = (
    "\n".join(
        [
            HEAD,
            "\"17/10/21, 12:43\",-,-,OOP,Turnitin,Viewed,User with id 77 viewed the inbox of the course with id '502'.,web,",
            "\"17/10/21, 12:43\",-,-,OOP,System,Course viewed,The user with id '1333' viewed the course with id '502'.,web,",
            "\"17/10/21, 12:43\",-,-,OOP,System,Course viewed,The user with id '1333' viewed the course with id '502'.,web,",
            "\"16/10/21, 02:00\",-,-,OOP,System,Backup,The user with id '2' created a backup of course with id '502'.,cli,",
            "\"16/10/21, 02:00\",-,-,OOP,System,Task run,The user with id '-1' ran a task.,cli,",
            "\"6/07/20, 02:53\",-,-,OOP,Quiz,Quiz attempt,The user with id '593' started an attempt.,web,10.0.0.1",
        ]
    )
    + "\n"
)


def test_moodle_people_come_from_the_user_phrase_and_system_ids_are_set_aside(acme, load):
    r = load(acme, "usage", MOODLE, rollout=None)
    # 6 rows: 77 (plugin wording, not the course 502), 1333 twice in one minute (one repeat), 593;
    # the administrator (2) and the system (-1) are system activity, not people
    assert (r.rows_read, r.rows_loaded, r.rows_duplicate, r.rows_rejected) == (6, 3, 1, 2)
    assert (r.repeated_in_file, r.system_rows, r.unknown_people) == (1, 2, 3)
    people = acme.store.cursor().execute("SELECT DISTINCT user_id FROM usage_events ORDER BY 1").fetchall()
    assert people == [("1333",), ("593",), ("77",)]
    assert (
        "2 rows are system or administrator activity (not a person): set aside and not counted as people" in r.messages
    )
    assert (
        "1 row repeated within this file (the same person, time and activity as an earlier row): counted once"
        in r.messages
    )
    assert not any("rows were rejected" in m for m in r.messages)
    assert {g["reason"] for g in reject_groups.grouped(r.rejects)} == {
        "system or administrator activity (Moodle user id '…'), not a person"
    }


def test_rejected_rows_are_grouped_by_reason_with_a_count_lines_and_an_example(acme, load):
    rows = "".join(f"u{i}@acme.test,champion\n" for i in range(8))
    r = load(
        acme,
        "roster",
        "user_id,cohort\n" + rows + "x1@acme.test,Staff\nx2@acme.test,Guests\n"
        "x3@acme.test,Staff\nx4@acme.test,Staff\n,wider\n",
    )
    # lines: header 1, good rows 2-9, Staff 10, Guests 11, Staff 12 and 13, empty user 14
    assert reject_groups.grouped(r.rejects) == [
        {
            "reason": "'…' is not a cohort of this rollout (champion, wider)",
            "column": "cohort",
            "rows": 4,
            "lines": [10, 11, 12],
            "example": "Staff",
        },
        {"reason": "the user id is empty", "column": "user_id", "rows": 1, "lines": [14], "example": ",wider"},
    ]
    assert reject_groups.table_rows(r.rejects)[0]["first lines"] == "10, 11, 12, ..."


# -- item 15: tickets of another system -----------------------------------------------------------------------

FIRST = """\
ticket_id,created_at,subject,status
INC001,2025-01-02 09:00,Password reset,open
INC002,2025-01-03 10:00,VPN down,open
"""
OTHER = """\
ticket_id,created_at,subject,status
INC001,2024-06-01 08:00,Printer jam,closed
INC002,2025-01-03 10:00,VPN down,closed
INC003,2025-01-04 11:00,New laptop,open
"""


def test_tickets_sharing_numbers_but_not_dates_or_subjects_are_asked_about(acme, load):
    load(acme, "tickets", FIRST)
    before = snapshot(acme.store)
    with pytest.raises(FileRefused) as refused:
        load(acme, "tickets", OTHER, name="other.csv")
    assert str(refused.value) == (
        "other.csv: 1 ticket has the same number as already-loaded tickets but different opening dates or "
        "subjects (e.g. INC001: opened 2025-01-02 as loaded, 2024-06-01 in this file; subject 'Password reset' "
        "as loaded, 'Printer jam' in this file): is this the same system? Nothing was loaded. If it is, load "
        "again confirming it is the same system (the checkbox on the Data page, same_system=True); if it is "
        "another system, load it into its own organisation, or give it its own source column"
    )
    assert snapshot(acme.store) == before
    confirmed = load(acme, "tickets", OTHER, name="other.csv", same_system=True)
    assert (confirmed.rows_loaded, confirmed.rows_updated) == (1, 2)
    assert confirmed.messages[-1].startswith("1 ticket with the numbers of loaded tickets")


def test_a_later_export_of_the_same_system_updates_without_a_question(acme, load):
    load(acme, "tickets", FIRST)
    later = load(acme, "tickets", FIRST.replace("open", "closed") + "INC003,2025-01-04 11:00,New laptop,open\n")
    assert (later.rows_loaded, later.rows_updated) == (1, 2)


@pytest.mark.skipif(not REALDATA.is_dir(), reason=f"the real data set is not here ({REALDATA})")
def test_two_servicenow_developer_instances_are_not_merged_silently(acme, load):
    base = REALDATA / "servicenow-pdi-exports"
    first = load(acme, "tickets", (base / "incident_list_export.csv").read_bytes(), name="list.csv")
    assert first.rows_loaded == 73
    # the REST dump comes from another developer instance: 50 of its 67 numbers are loaded already,
    # 46 of them opened on other days (ServiceNow's demo incidents, re-dated per instance; counted
    # with pandas: opened_at's day differs for 46 of the 50 shared numbers)
    with pytest.raises(
        FileRefused,
        match=r"rest.csv: 46 tickets have the same numbers as already-loaded tickets "
        r".* INC0000009: opened 2017-11-22 as loaded, 2022-10-17 in this file",
    ):
        load(acme, "tickets", (base / "incidents_REST.csv").read_bytes(), name="rest.csv")
    both = load(acme, "tickets", (base / "incidents_REST.csv").read_bytes(), name="rest.csv", same_system=True)
    assert (both.rows_loaded, both.rows_updated + both.rows_duplicate) == (17, 50)
