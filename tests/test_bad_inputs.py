"""Bad input, safely: a corpus of broken, hostile and odd files. Each is either refused whole
(one message that names the file, and the line and column where there is one, and says what to
do; the database unchanged) or loaded with its bad rows rejected alone (line, column, reason;
counts that reconcile). No exception but FileRefused ever leaves load_file."""

import codecs
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from analysis import files, orgs, upload_limits
from analysis.access import OPERATOR
from analysis.files import FileRefused
from tests.conftest import ROOT, snapshot
from tests.test_formats import xlsx

FORMATS = ROOT / "tests" / "data" / "formats"
FUTURE = date.today() + timedelta(days=5)
USAGE = "user_id,date,activity\n"


def zipped(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def rows(n: int, template: str = "u{i}@acme.test,2025-01-02,mfa") -> str:
    return "".join(template.format(i=i) + "\n" for i in range(n))


@dataclass
class Case:
    id: str
    kind: str
    data: bytes | str
    pattern: str = ""  # refused: the message; loaded: a message of the load
    rejects: list = field(default_factory=list)  # loaded: (line, column, reason pattern) of each reject
    loaded: int | None = None  # loaded: rows stored as new
    kw: dict = field(default_factory=dict)
    rollout: str | None = "MFA"
    setup: object = None  # a function of monkeypatch, run first

    @property
    def refused(self) -> bool:
        return self.loaded is None


CASES = [
    # -- not a table at all
    Case("empty", "usage", b"", "the file is empty: export it again"),
    Case("blank lines only", "usage", b"\r\n\n   \n", "the file is empty"),
    Case("a BOM and nothing else", "usage", codecs.BOM_UTF8 + b"\n", "no header row"),
    Case("header only", "usage", USAGE, "header but no rows: nothing to load"),
    Case("header only, BOM and CRLF", "usage", codecs.BOM_UTF8 + b"user_id,date\r\n", "header but no rows"),
    Case("binary", "usage", bytes(range(256)) * 20, "not a text \\(CSV\\) file or a spreadsheet"),
    Case(
        "an image",
        "usage",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100),
        "this is a PNG image, not a CSV or Excel export",
    ),
    Case(
        "a zip that is not a workbook",
        "usage",
        zipped("notes.txt", "hello"),
        "this is a zip archive, not a CSV or Excel export",
    ),
    Case("a damaged spreadsheet", "usage", b"PK\x03\x04" + b"garbage" * 50, "cannot be opened: save it again"),
    Case(
        "an old .xls that is not one",
        "usage",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        "spreadsheet cannot be read",
    ),
    Case(
        "a NUL deep in a text file",
        "usage",
        USAGE + rows(300) + "x@acme.test,2025-01-02,m\x00fa\n",
        "line 302: the file contains binary data",
    ),
    Case("no header names", "usage", ",,,\n1,2,3,4\n", "no header row: the first line must name the columns"),
    Case("an empty spreadsheet", "usage", xlsx([]), "no header row"),
    Case("a spreadsheet with a header only", "usage", xlsx([["user_id", "date", "activity"]]), "header but no rows"),
    # -- the wrong kind, or not the columns the kind needs
    Case(
        "tickets loaded as usage",
        "usage",
        "ticket_id,created_at,status\nT1,2025-01-01,open\n",
        "not a usage file: .*It looks like a tickets file: load it as tickets",
    ),
    Case(
        "usage loaded as tickets",
        "tickets",
        USAGE + "a@acme.test,2025-01-01,mfa\n",
        "line 1: this is not a tickets file: it has no ticket_id, no created_at column",
    ),
    Case(
        "a roster loaded as usage",
        "usage",
        "user_id,cohort,department\na@acme.test,champion,IT\n",
        "no date \\(or timestamp\\) column",
    ),
    Case(
        "a Zendesk export loaded as usage",
        "usage",
        (FORMATS / "zendesk_clients.csv").read_bytes(),
        "this is a Zendesk ticket export, which holds tickets, not usage: load it as tickets",
    ),
    Case(
        "a Microsoft 365 report loaded as tickets",
        "tickets",
        (FORMATS / "m365_teams.csv").read_bytes(),
        "holds usage, not tickets: load it as usage",
    ),
    Case("no created_at", "tickets", "ticket_id,status\nT1,open\n", "no created_at column"),
    Case(
        "a column named twice",
        "usage",
        "user_id,date,date\na@acme.test,2025-01-01,2025-01-02\n",
        "line 1: the column 'date' appears twice \\(columns 2 and 3\\): keep one",
    ),
    Case(
        "a 10,000-character header",
        "usage",
        "user_id," + "d" * 10_000 + "\na,b\n",
        "line 1: a column name is 10000 characters long",
    ),
    # -- broken CSV structure
    Case(
        "a row with too many fields",
        "usage",
        USAGE + rows(3) + "x@acme.test,2025-01-02,mfa,EXTRA\n",
        rejects=[(5, None, "the row has 4 fields where the header has 3")],
        loaded=3,
    ),
    Case(
        "a row with too few fields",
        "usage",
        USAGE + rows(3) + "x@acme.test\n",
        rejects=[(5, None, "the row has 1 fields")],
        loaded=3,
    ),
    Case(
        "a quote left open to the end",
        "usage",
        USAGE + 'a@acme.test,2025-01-02,mfa\nb@acme.test,"2025-01-03,mfa\nc@acme.test,2025-01-04,mfa\n',
        "line 3, column date: a quote opened on this row is never closed, so the rest of the file \\(lines 3 to 4\\) "
        "would be read as one cell: fix the unbalanced quote",
    ),
    Case(
        "a quote closed rows later",
        "usage",
        USAGE + 'a@acme.test,"2025-01-02,mfa\nb@acme.test,2025-01-03,mfa\nc@acme.test,2025-01-04",mfa\n',
        "line 2, column date: a quote opened on this row is not closed until line 4, so \\(lines 2 to 4\\)",
    ),
    Case(
        "a quoted cell over several lines is fine",
        "tickets",
        'ticket_id,created_at,subject\nT1,2025-01-02,"Outlook\ncrashes, again"\nT2,2025-01-03,ok\n',
        loaded=2,
    ),
    Case(
        "a stray quote inside a cell is text",
        "tickets",
        'ticket_id,created_at,subject\nT1,2025-01-02,5" screen\n',
        loaded=1,
    ),
    Case("old Mac line ends", "usage", (USAGE + rows(2)).replace("\n", "\r"), loaded=2),
    Case(
        "a trailing delimiter on every line",
        "usage",
        "user_id,date,activity,\n" + rows(2, "u{i}@acme.test,2025-01-02,mfa,"),
        loaded=2,
    ),
    # -- hostile content
    Case(
        "hostile header names",
        "usage",
        'user_id,date,activity,"x"");DROP TABLE usage_events;--",\'; DELETE FROM uploads; --\n'
        "a@acme.test,2025-01-02,mfa,1,2\n",
        loaded=1,
    ),
    Case(
        "a hostile column in a mapping",
        "tickets",
        "id,opened\nT1,2025-01-02\n",
        '--map ticket_id=x"\\);DROP TABLE tickets;--: the file has no column',
        kw={"mapping": {"ticket_id": 'x");DROP TABLE tickets;--', "created_at": "opened"}},
    ),
    Case(
        "formula cells are text, never evaluated",
        "tickets",
        'ticket_id,created_at,subject,category\n=1+1,2025-01-02,"=HYPERLINK(""http://evil"",""x"")",'
        "@SUM(A1)\nT2,2025-01-02,-2+3,+cmd|' /C calc'!A0\n",
        loaded=2,
    ),
    Case(
        "a formula in a count",
        "usage",
        "user_id,date,activity,count\n"
        + rows(2, "u{i}@acme.test,2025-01-02,mfa,1")
        + "x@acme.test,2025-01-02,mfa,=1+1\n",
        rejects=[(4, "count", "not a whole number")],
        loaded=2,
    ),
    Case(
        "a mapping to an unknown field",
        "tickets",
        "id,opened\nT1,2025-01-02\n",
        "'secret' is not a field of a tickets file",
        kw={"mapping": {"secret": "id"}},
    ),
    Case(
        "an unknown format",
        "tickets",
        "id,opened\nT1,2025-01-02\n",
        "unknown format or preset 'excel2003'",
        kw={"format": "excel2003"},
    ),
    # -- too big
    Case(
        "over the size limit",
        "usage",
        USAGE + rows(50),
        "over the 0 MB limit: split it",
        setup=lambda mp: mp.setattr(files, "MAX_BYTES", 100),
    ),
    Case(
        "a spreadsheet that inflates too much",
        "usage",
        xlsx([["user_id", "date"], ["a@acme.test", "2025-01-02"]]),
        "the spreadsheet unpacks to more than 0 MB, over the limit",
        setup=lambda mp: mp.setattr(upload_limits, "MAX_UNZIPPED", 500),
    ),
    # -- rows that are not this organisation's, or not true
    Case(
        "another organisation's domain in every user id",
        "usage",
        USAGE + rows(4, "u{i}@globex.test,2025-01-02,mfa"),
        "4 of 4 rows would be rejected \\(more than half\\).*line 2, column user_id: the domain globex.test belongs "
        "to another organisation",
    ),
    Case(
        "another organisation's domain in one row",
        "usage",
        USAGE + rows(3) + "spy@globex.test,2025-01-02,mfa\n",
        rejects=[(5, "user_id", "belongs to another organisation")],
        loaded=3,
    ),
    Case(
        "negative durations",
        "tickets",
        "ticket_id,created_at,resolved_at\nT1,2025-01-02 10:00,2025-01-02 12:00\nT2,2025-01-03,2025-01-02\n"
        "T3,2025-01-03,\n",
        rejects=[(3, "resolved_at", "resolved_at 2025-01-02 00:00 is before created_at")],
        loaded=2,
    ),
    Case(
        "a negative count",
        "usage",
        "user_id,date,activity,count\n"
        + rows(2, "u{i}@acme.test,2025-01-02,mfa,1")
        + "x@acme.test,2025-01-02,mfa,-4\n",
        rejects=[(4, "count", "negative")],
        loaded=2,
    ),
    Case(
        "a decimal comma in a count",
        "usage",
        "user_id;date;activity;count\n"
        + rows(2, "u{i}@acme.test;2025-01-02;mfa;1")
        + "x@acme.test;2025-01-02;mfa;1,5\n",
        rejects=[(4, "count", "'1,5' is not a whole number")],
        loaded=2,
    ),
    Case(
        "a date in the future",
        "usage",
        USAGE + rows(2) + f"x@acme.test,{FUTURE},mfa\n",
        rejects=[(4, "date", "is in the future")],
        loaded=2,
    ),
    Case(
        "a ticket created in the future",
        "tickets",
        f"ticket_id,created_at\nT1,2025-01-02\nT2,2025-01-02\nT3,{FUTURE}\n",
        rejects=[(4, "created_at", "in the future")],
        loaded=2,
    ),
    Case(
        "a date that is not a date",
        "usage",
        USAGE + rows(2) + "x@acme.test,last Tuesday,mfa\n",
        rejects=[(4, "date", "'last Tuesday' is not a date \\(expected e.g. 2025-07-14")],
        loaded=2,
    ),
    Case(
        "a time that does not exist",
        "tickets",
        "ticket_id,created_at\nT1,2025-01-02 10:00\nT2,2025-01-02 25:61\nT3,2025-01-02\n",
        rejects=[(3, "created_at", "not a date and time")],
        loaded=2,
    ),
    Case(
        "1900-01-01 as a creation time",
        "tickets",
        "ticket_id,created_at\nT1,2025-01-02\nT2,1900-01-01 00:00:00\nT3,2025-01-02\n",
        rejects=[(3, "created_at", "the creation time is missing")],
        loaded=2,
    ),
    Case("a date years away from the rest loads", "usage", USAGE + rows(2) + "x@acme.test,1999-01-02,mfa\n", loaded=3),
    Case(
        "ambiguous dates",
        "usage",
        USAGE + "a@acme.test,01/02/2025,mfa\nb@acme.test,03/02/2025,mfa\n",
        "line 2, column date: dates such as 01/02/2025 could be day-first or month-first.*--dayfirst or --monthfirst",
    ),
    Case(
        "two orders in one column",
        "usage",
        USAGE + "a@acme.test,25/02/2025,mfa\nb@acme.test,02/25/2025,mfa\n",
        "column date: the dates mix day-first \\(25/02/2025\\) and month-first \\(02/25/2025, line 3\\)",
    ),
    Case(
        "concealed Microsoft 365 names",
        "usage",
        (FORMATS / "m365_active_users_concealed.csv").read_bytes(),
        "conceals user names.*Microsoft 365 admin center",
        rollout=None,
    ),
    Case(
        "audit records that are not JSON",
        "usage",
        'CreationDate,UserIds,Operations,AuditData\n2025-01-02T10:00:00Z,a@acme.test,Send,{"Workload"\n'
        "2025-01-02T11:00:00Z,b@acme.test,Send,not json\n",
        "2 of 2 rows would be rejected.*line 2, column AuditData: AuditData is not JSON",
        rollout=None,
    ),
    Case(
        "deeply nested JSON in an audit record",
        "usage",
        "CreationDate,UserIds,Operations,AuditData\n"
        + rows(2, '2025-01-02T10:00:00Z,u{i}@acme.test,Send,"{{""Workload"":""Exchange""}}"')
        + "2025-01-02T11:00:00Z,x@acme.test,Send,"
        + "[" * 100_000
        + "\n",
        rejects=[(4, "AuditData", "not JSON")],
        loaded=2,
        rollout=None,
    ),
    Case(
        "dates at the ends of the calendar",
        "usage",
        USAGE + rows(2) + "x@acme.test,0001-01-01T00:00:00Z,mfa\ny@acme.test,9999-12-31T23:59:59-12:00,mfa\n",
        rejects=[(4, "date", "before 1901"), (5, "date", "not a plausible date|in the future")],
        loaded=2,
    ),
    Case(
        "a 300,000-character cell",
        "tickets",
        "ticket_id,created_at,subject\nT1,2025-01-02," + "x" * 300_000 + "\n",
        loaded=1,
    ),
    Case(
        "a mapping value that is not text",
        "tickets",
        "id,opened\nT1,2025-01-02\n",
        "does not name a column",
        kw={"mapping": {"ticket_id": None, "created_at": "opened"}},
    ),
    Case(
        "rows of a client not mapped to this organisation only",
        "tickets",
        "ticket_id,created_at,company\nT1,2025-01-02,Initech\n",
        "no row of this export is for this organisation",
    ),
    # -- encodings
    Case(
        "mixed UTF-8 and Windows-1252 lines",
        "usage",
        USAGE.encode() + "zoë@acme.test,2025-01-02,mfa\n".encode() + "josé@acme.test,2025-01-02,mfa\n".encode("cp1252"),
        "read as mixed UTF-8 and Windows-1252",
        loaded=2,
    ),
    Case("Windows-1252", "usage", (USAGE + "müller@acme.test,2025-01-02,mfa\n").encode("cp1252"), loaded=1),
    Case("UTF-16 without a BOM", "usage", (USAGE + "zoë@acme.test,2025-01-02,mfa\n").encode("utf-16-le"), loaded=1),
    Case(
        "UTF-16 with a BOM, tabs and CRLF",
        "usage",
        "user_id\tdate\tactivity\r\nzoë@acme.test\t2025-01-02\tmfa\r\n".encode("utf-16"),
        loaded=1,
    ),
    Case(
        "every field quoted, semicolons",
        "usage",
        '"user_id";"date";"activity"\n"a@acme.test";"2025-01-02";"mfa"\n',
        loaded=1,
    ),
    Case(
        "an unnamed index column",
        "usage",
        '"","user_id","date","activity"\n"1","a@acme.test",2025-01-02,"mfa"\n',
        loaded=1,
    ),
    Case(
        "ticket numbers with odd suffixes",
        "tickets",
        "ticket_id,created_at\nINC0001 (copy),2025-01-02\nINC0001-1,2025-01-02\n INC0001 ,2025-01-03\n",
        loaded=3,
    ),
]


@pytest.fixture
def globex(store):
    return orgs.add_organisation(store, OPERATOR, "Globex", email_domains=["globex.test"])


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_handled_safely(acme, globex, load, monkeypatch, case):
    if case.setup:
        case.setup(monkeypatch)
    data = case.data.encode() if isinstance(case.data, str) else case.data
    before = snapshot(acme.store)
    try:
        result = load(acme, case.kind, data, name="bad.csv", rollout=case.rollout, **case.kw)
    except FileRefused as exc:
        assert case.refused, f"refused: {exc.messages}"
        assert len(exc.messages) == 1 and exc.messages[0].startswith("bad.csv: ")
        assert re.search(case.pattern, exc.messages[0]), exc.messages[0]
        assert snapshot(acme.store) == before
        return
    assert not case.refused, f"loaded, but should have been refused with {case.pattern!r}"
    assert result.rows_read == result.rows_loaded + result.rows_updated + result.rows_rejected + result.rows_duplicate
    assert result.rows_loaded == case.loaded
    assert len(result.rejects) == len(case.rejects)
    for reject, (line, column, reason) in zip(result.rejects, case.rejects):
        assert (reject.line, reject.column) == (line, column) and re.search(reason, reject.reason), reject
    if case.pattern:
        assert any(re.search(case.pattern, m) for m in result.messages), result.messages
    stored = (
        acme.store.cursor()
        .execute("SELECT rows_read, rows_loaded, rows_rejected FROM uploads WHERE upload_id = ?", [result.upload_id])
        .fetchall()
    )
    assert stored == [(result.rows_read, result.rows_loaded, result.rows_rejected)]


def test_formula_cells_are_stored_as_written(acme, load):
    load(acme, "tickets", next(c for c in CASES if c.id.startswith("formula cells")).data.encode())
    stored = acme.store.cursor().execute("SELECT ticket_id, subject, category FROM tickets ORDER BY 1").fetchall()
    assert stored == [("=1+1", '=HYPERLINK("http://evil","x")', "@SUM(A1)"), ("T2", "-2+3", "+cmd|' /C calc'!A0")]


def test_hostile_header_names_leave_every_table_in_place(acme, load):
    load(acme, "usage", next(c for c in CASES if c.id == "hostile header names").data.encode())
    tables = {r[0] for r in acme.store.cursor().execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"usage_events", "uploads", "tickets"} <= tables
    assert acme.store.cursor().execute("SELECT count(*) FROM usage_events").fetchall() == [(1,)]


def test_encodings_keep_every_name(acme, load):
    for case in CASES:
        if case.id in ("mixed UTF-8 and Windows-1252 lines", "Windows-1252", "UTF-16 without a BOM"):
            load(acme, case.kind, case.data if isinstance(case.data, bytes) else case.data.encode())
    names = {r[0] for r in acme.store.cursor().execute("SELECT user_id FROM usage_events").fetchall()}
    assert names == {"zoë@acme.test", "josé@acme.test", "müller@acme.test"}
