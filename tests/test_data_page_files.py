"""The Data page in AppTest on the demo, for issue 13's file-side items: what it says of a licence
list as a client sends it (and the cohort values it asks about), of wrong files, of a Moodle
report's system rows and repeats, of a file loaded twice, and of tickets from another system."""

import re

import pytest
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

from analysis import roster_import
from tests.conftest import TINY, shown
from tests.test_app import app, demo_db, open_page  # noqa: F401  (app: signed in as an admin, on the demo)


@pytest.fixture
def page(request):
    """The Data page, opened."""
    return open_page(request.getfixturevalue("app"), "pages/data.py")


LICENCES = (
    b"Moodle ID, Full Name, Department, Wave, Licensed\n1001, Ada Lovelace, Finance, Champions, Yes\n"
    b"1002, Alan Turing, Research, Wave 2, no\n1003, Grace Hopper, IT, Staff, x\n"
    b"1004, Edsger Dijkstra, IT, Staff, 0\n1005, Barbara Liskov, IT, Pilot, yes\n"
)


def upload(at, name: str, data: bytes, kind: str | None = None):
    if kind:
        next(s for s in at.selectbox if s.label == "What is in the files?").set_value(kind)
    at.file_uploader[0].set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown(at) -> str:
    return " ".join(m.value for m in at.markdown)


def plain(element) -> str:
    """An element's text without the escapes ui.text.literal adds (shown literally)."""
    return re.sub(r"\\(.)", r"\1", element.value)


def test_a_licence_list_is_read_as_a_roster_and_its_cohort_values_are_asked(page):
    at = upload(page, "licences.csv", LICENCES)
    # Champions and Pilot are champions, Wave 2 the wider cohort; "Staff" is asked about
    assert "**licences\\.csv** (roster): 5 rows read → 3 new, 0 updated, 0 already loaded, 2 rejected" in markdown(at)
    assert any(plain(c).startswith("Read as a roster by its column names: user_id = 'Moodle ID'") for c in at.caption)
    staff = next(s for s in at.selectbox if s.label == "Staff")
    staff.set_value("wider")
    at.run()
    assert "**licences\\.csv** (roster): 5 rows read → 5 new, 0 updated, 0 already loaded, 0 rejected" in markdown(at)


def test_the_hand_mapping_is_filled_in_from_the_column_names(page):
    at = upload(page, "licences.csv", LICENCES, kind="roster")
    picked = {shown(s.label): s.value for s in at.selectbox}  # labels are shown as text (ui.text.literal)
    assert (picked["user_id"], picked["display_name"], picked["cohort"], picked["licensed"]) == (
        "Moodle ID",
        "Full Name",
        "Wave",
        "Licensed",
    )
    template = next(b for b in at.get("download_button") if "roster template" in b.proto.label)
    assert template.proto.label == "Download a roster template (CSV)"
    assert roster_import.template_csv().startswith(b"user_id,display_name,department,cohort,licensed\n")


def test_wrong_files_are_named_not_offered_a_mapping(page):
    at = upload(page, "report.csv", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    assert any("report.csv: this is a PDF, not a CSV or Excel export" in plain(e) for e in at.error)
    at = upload(at, "contacts.csv", b"First Name,Last Name,Email,Phone\nAda,Lovelace,ada@example.org,0123\n")
    errors = " ".join(plain(e) for e in at.error)
    assert "does not look like usage, tickets or a roster" in errors and "by hand" not in errors
    assert not [b for b in at.button if b.label.startswith("Load")]


MOODLE = (
    b"Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address\n"
    b"\"17/10/21, 12:43\",-,-,OOP,System,Viewed,The user with id '1333' viewed the course with id '502'.,web,\n"
    b"\"17/10/21, 12:43\",-,-,OOP,System,Viewed,The user with id '1333' viewed the course with id '502'.,web,\n"
    b"\"16/10/21, 02:00\",-,-,OOP,System,Backup,The user with id '2' created a backup.,cli,\n"
    b"\"6/07/20, 02:53\",-,-,OOP,Quiz,Attempt,The user with id '593' started an attempt.,web,\n"
)


def test_a_moodle_report_shows_repeats_and_system_activity_then_a_second_load_is_named(page):
    at = upload(page, "moodle.csv", MOODLE)
    assert (
        "**moodle.csv** (usage): 4 rows read → 2 new, 0 updated, 0 already loaded, 1 repeated within this "
        "file, 0 rejected, 1 system activity (not people)"
    ) in shown(markdown(at))
    groups = next(d.value for d in at.dataframe if "first lines" in d.value.columns)
    assert groups.to_dict("records") == [
        {
            "reason": "system or administrator activity (Moodle user id '…'), not a person",
            "column": "Description",
            "rows": 1,
            "first lines": "4",
            "example": "2",
        }
    ]
    next(b for b in at.button if b.label == "Load 1 file").click()
    at.run()
    assert any(
        plain(s) == "moodle.csv: load 7 stored 2 new rows, updated 0, skipped 0 already loaded and 1 "
        "repeated within the file, rejected 0, set aside 1 as system activity (not people)."
        for s in at.success
    )
    at = upload(at, "moodle-again.csv", MOODLE)
    # the demo's six loads (roster, usage, tickets, readiness, feedback, KPI series) come first
    assert any(plain(i).startswith("This file was already loaded as load 7 on ") for i in at.info)
    assert not [b for b in at.button if b.label.startswith("Load")]


def test_tickets_of_another_system_are_asked_about_before_they_update(page):
    other = b"ticket_id,created_at,subject,status\nDC-1001,2019-03-04 09:00,Printer jam,closed\n"
    at = upload(page, "other-system.csv", other)
    assert any(
        "1 ticket has the same number as already-loaded tickets" in plain(e) and "is this the same system?" in plain(e)
        for e in at.error
    )
    same = next(c for c in at.checkbox if c.label.startswith("The ticket files are from the same system"))
    same.check()
    at.run()
    assert "**other\\-system\\.csv** (tickets): 1 rows read → 0 new, 1 updated" in markdown(at)


def test_a_loaded_file_no_longer_holds_the_servers_memory(page, monkeypatch):
    """Streamlit keeps an uploaded file's bytes until the browser removes it from its uploader; the
    uploader is replaced after a load, so the page itself hands the bytes back (ui/parsed_uploads.py)."""
    stores = []  # AppTest gives each run a store of its own, holding the uploader's files
    add = MemoryUploadedFileManager.add_file

    def kept(self, session_id, file):
        stores.append(self)
        add(self, session_id, file)

    def held() -> set[str]:
        return {rec.name for files in stores[-1].file_storage.values() for rec in files.values()}

    monkeypatch.setattr(MemoryUploadedFileManager, "add_file", kept)
    usage = (TINY / "usage.csv").read_bytes().replace(b"acme.test", b"democo.example")
    at = upload(page, "extra.csv", usage)
    assert held() == {"extra.csv"}  # held while it is in the uploader, to be previewed and loaded
    next(b for b in at.button if b.label == "Load 1 file").click()
    at.run()
    assert any(re.match(r"extra\\\.csv\\: load \d+ stored", s.value) for s in at.success)  # loaded
    assert at.file_uploader[0].value in (None, [])  # a new, empty uploader
    assert held() == set()
