"""The report pack (analysis/reports/, `python -m analysis report`) on the tiny
hand-checked set, as of 2025-02-10 with the 28-day window (01-14 .. 02-10).

The tiny set (tests/data/tiny): champions a b c d live 2025-01-06, wider e f live 2025-02-03 (g
unlicensed); a used it on 01-03 only, b on 01-07, c on 01-20, e on 02-03 and 02-10, f on 01-25 (and
sms, the old way, on 02-05); d never. Departments: IT {a, b}, Sales {c, d, e}, Finance {f}.
- champions: active {c} 1 of 4 = 25 %; activated {b, c} 2 (50 %); lapsed {b} 1; habit not yet (35 days).
- wider: active {e, f} 2 of 2 = 100 %; activated {e} 1 (50 %: f's use came before its go-live).
- everyone: 3 of 6 = 50 %; activated 3 (50 %); lapsed 1.
- tickets (as tests/test_baselines.py): N1 on 02-05, resolved after 10 h: 100 x 1 / 6 = 16.7 per 100
  people in the last 7 days, median resolution 10.0 h, backlog 1 (B3, open since 01-02); the
  computed baseline (12-09 .. 01-05) has 12.5 per 100 and a median of 14 h.
- red flags: LOW_ADOPTION high for the champions (25 % < half the 80 % target) since 02-05, the
  day they were 30 days old.
- departments, weakest first: IT 0 of 2 (0 %), Sales 2 of 3 (67 %), Finance 1 of 1 (100 %); for
  client leadership all three are under 5 people: one "Other (small groups)" row of 6, 3 active.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from dataclasses import replace
from datetime import date, datetime

import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Emu
from pypdf import PdfReader

from analysis import kpis, metrics, orgs, reports, words
from analysis.__main__ import main
from analysis.access import OPERATOR, Principal
from analysis.ingest import load_file
from analysis.scope import Scope, open_scope
from analysis.store import Store
from tests.cli_run import run_in_process
from tests.conftest import TINY

D = date(2025, 2, 10)
NOW = datetime(2025, 2, 11, 9, 30)
TICKETS = b"""\
ticket_id,created_at,status,resolved_at,satisfaction
B1,2024-12-09 09:00,solved,2024-12-09 13:00,
B2,2024-12-16 09:00,solved,2024-12-17 09:00,good
B3,2025-01-02 09:00,open,,
N1,2025-02-05 09:00,solved,2025-02-05 19:00,bad
"""
NAMES = ("Ann Archer", "Ben Brook", "Cat Cole", "Dan Dale", "Eve East", "Fay Fox", "Gus Gale", "@acme.test")  # and ids
TITLES = [
    "MFA: adoption report",
    "Headline figures",
    "Adoption by age: each cohort from its own go-live",
    "KPIs: baseline, now and target",
    "Red flags: what needs attention",
    "Departments: the weakest by adoption",
    "Support desk, week by week",
    "Appendix: the data behind the figures",
    "Appendix: what the figures mean",
]


def tiny_file(path, tickets: bool = True) -> None:
    """Acme with the rollout MFA and the tiny roster, usage (and tickets) in the database file at path."""
    store = Store(path, staging_dir=path.parent / "staging")
    scope = open_scope(
        store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Acme", email_domains=["acme.test"]), "upload"
    )
    orgs.add_rollout(scope, "MFA", {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3)}, legacy=["sms"])
    for kind in ("roster", "usage"):
        load_file(scope, kind, f"{kind}.csv", (TINY / f"{kind}.csv").read_bytes(), rollout="MFA")
    if tickets:
        load_file(scope, "tickets", "tickets.csv", TICKETS, rollout="MFA")
    store.close()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "tiny.duckdb"
    tiny_file(path)
    store = Store(path, staging_dir=path.parent / "staging")
    scope = open_scope(store, OPERATOR, 1, "export")
    yield scope, orgs.rollout(scope, "MFA")
    store.close()


@pytest.fixture(scope="module")
def contents(tiny):
    return reports.report_contents(*tiny, D, 28, now=NOW)


def png(width: int = 1300, height: int = 580) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def files(contents):
    images = {"adoption": png(), "tickets": png()}
    return reports.pptx_bytes(contents, images), reports.pdf_bytes(contents, images)


def table(section: reports.Section, index: int = 0) -> reports.Table:
    return [b for b in section.blocks if isinstance(b, reports.Table)][index]


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pptx_xml(data: bytes) -> str:
    """Every XML part of the PowerPoint (slides, notes, properties, relationships), joined."""
    with zipfile.ZipFile(io.BytesIO(data)) as parts:
        return "\n".join(parts.read(n).decode("utf-8") for n in parts.namelist() if n.endswith((".xml", ".rels")))


def slide_tables(data: bytes) -> list[list[list[str]]]:
    deck = Presentation(io.BytesIO(data))
    return [
        [[cell.text for cell in row.cells] for row in shape.table.rows]
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
    ]


# -- what the pack says -------------------------------------------------------------------------------


def test_the_contents_by_hand(contents):
    assert (contents.organisation, contents.rollout, contents.as_of, contents.window_days) == ("Acme", "MFA", D, 28)
    assert [s.title for s in contents.sections] == TITLES[1:]
    cover = dict(contents.cover)
    assert cover["As of"] == "10 Feb 2025 (end of day)" and cover["Window"] == "28 days: 14 Jan 2025 to 10 Feb 2025"
    assert cover["Baseline"] == "computed from the data over the baseline window, 9 Dec 2024 to 5 Jan 2025 (28 days)"
    assert cover["Cohorts"] == "champion: go-live 6 Jan 2025 · wider: go-live 3 Feb 2025"
    assert cover["What counts as use"] == "every activity except the old way; the old way: sms"
    assert cover["Data"].startswith("newest usage day 10 Feb 2025 · newest ticket day 5 Feb 2025 · last load ")
    assert cover["Prepared"] == "by operator on 11 Feb 2025 09:30"
    # the one roster, loaded today: it holds for every day (docs/metrics.md#roster-history)
    assert cover["Roster"] == f"dated {words.day(date.today())}: the people licensed from that day"
    assert not contents.synthetic and contents.footer == "Acme · MFA · as of 10 Feb 2025 · 28-day window"

    headline = contents.sections[0]
    assert table(headline).rows == [
        ["Champion cohort", "6 Jan 2025", "25%", "1 of 4", "2 (50%)", "not yet", "1"],
        ["Wider cohort", "3 Feb 2025", "100%", "2 of 2", "1 (50%)", "not yet", "0"],
        ["All licensed people", "", "50%", "3 of 6", "3 (50%)", "not yet", "1"],
    ]
    assert table(headline, 1).rows == [["All licensed people", "16.7", "10.0 h", "1"]]
    # created in the window: N1; resolved in it: N1 -> 1 / 1; N1 rated bad -> 0 % of 1 rated; the
    # file has no first response, SLA or business-hours column
    assert table(headline, 2).rows == [["n/a / n/a", "1.00", "not in the export", "not in the export", "0% of 1 rated"]]
    assert "Open red flags: 2 (1 high, 1 medium)." in headline.blocks

    by_kpi = {(r[0], r[1]): r for r in table(contents.sections[2]).rows}
    assert len(by_kpi) == 14
    assert by_kpi[("Adoption rate", "champion")] == [
        "Adoption rate",
        "champion",
        "80%",
        "25%",
        "80%",
        "down 55.0 pts",
        "off track",
        "baseline: the target (champions go first)",
    ]
    assert by_kpi[("Adoption rate", "wider")][2:] == [
        "50%",
        "100%",
        "80%",
        "up 50.0 pts",
        "on track",
        "due by day 30; baseline: champions on their day 7",
    ]
    assert by_kpi[("Tickets per 100 people (7 days)", "rollout")][2:6] == ["12.5", "16.7", "n/a", "up 4.2 (+33%)"]
    assert by_kpi[("Median resolution (hours)", "rollout")][2:6] == ["14.0", "10.0", "n/a", "down 4.0 (-29%)"]
    assert by_kpi[("Backlog (open tickets)", "rollout")][2:4] == ["1", "1"]  # a count, not 1.0

    flags = contents.sections[3]
    first = table(flags).rows[0]
    assert first == [
        "High",
        "Champion cohort",
        "5 Feb 2025",
        "The champion cohort: 25% adoption (1 of 4 licensed people active in the last 28 days), below "
        "the 80% target - under half of it.",
        "Targeted training; champions in that department.",
    ]
    assert flags.lead.startswith("2 open (1 high, 1 medium), judged as of 10 Feb 2025")
    assert flags.blocks[-1] == (
        "7 checks cannot be judged yet (not enough data), of 7 rules: Declining Usage, "
        "Lapsing, Low Adoption, Satisfaction Drop, Slow Resolution, Ticket Spike, Workarounds."
    )
    assert table(contents.sections[4]).rows == [
        ["IT", "2", "0", "0%", "1 (50%)", "1", "0"],
        ["Sales", "3", "2", "67%", "2 (67%)", "0", "1"],
        ["Finance", "1", "1", "100%", "0 (0%)", "0", "0"],
    ]
    assert [c.name for c in contents.charts()] == ["adoption", "tickets"]
    assert contents.figures["red_flags"] == {
        "high": 1,
        "medium": 1,
        "firing": 2,
        "not_enough_data": 7,
    }  # with SATISFACTION_DROP (1 rated in the baseline)


def test_the_powerpoint(files):
    deck = Presentation(io.BytesIO(files[0]))
    assert (deck.slide_width.inches, deck.slide_height.inches) == pytest.approx((13.333, 7.5), abs=0.01)
    assert [slide.shapes[0].text_frame.text for slide in deck.slides] == TITLES
    tables = slide_tables(files[0])
    cover = dict(map(tuple, tables[0]))
    assert cover["As of"] == "10 Feb 2025 (end of day)" and cover["Baseline"].endswith("(28 days)")
    assert tables[1][1] == ["Champion cohort", "6 Jan 2025", "25%", "1 of 4", "2 (50%)", "not yet", "1"]
    assert tables[2][1] == ["All licensed people", "16.7", "10.0 h", "1"]
    assert tables[3][1] == ["n/a / n/a", "1.00", "not in the export", "not in the export", "0% of 1 rated"]
    assert tables[4][0] == ["KPI", "Cohort", "Baseline", "Now", "Target", "Change", "Status", "Note"]
    assert len(tables[4]) == 15
    assert tables[5][1][4] == "Targeted training; champions in that department."
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]
    assert len(pictures) == 2
    last = deck.slides[-1]
    assert "Acme · MFA · as of 10 Feb 2025 · 28-day window" in [
        s.text_frame.text for s in last.shapes if s.has_text_frame
    ]
    # everything stays on the slide, above the footer (7.0 in)
    for slide in deck.slides:
        for shape in slide.shapes:
            if not (shape.has_text_frame and shape.top.inches >= 6.99):
                assert Emu(shape.top + shape.height).inches <= 6.95, shape.name


def test_the_pdf(files):
    pages = pdf_text(files[1])
    assert len(pages) == 9
    assert "MFA: adoption report" in pages[0] and "10 Feb 2025 (end of day)" in pages[0]
    assert "9 Dec 2024 to 5 Jan 2025 (28 days)" in pages[0] and "1 / 9" in pages[0]
    assert "Champion cohort" in pages[1] and "1 of 4" in pages[1] and "16.7" in pages[1] and "10.0 h" in pages[1]
    assert "Adoption by age" in pages[2] and "could not be drawn" not in pages[2]
    assert "up 4.2 (+33%)" in pages[3] and "off track" in pages[3]
    flat = " ".join(pages[4].split())
    assert "below the 80% target - under half of it." in flat and "Targeted training; champions in that" in flat
    assert "Sales" in pages[5] and "67%" in pages[5]
    assert "Support desk, week by week" in pages[6]
    assert "tickets.csv" in pages[7] and "Adoption rate" in pages[8]  # the appendix (tests/test_pack.py)


def test_a_table_too_long_for_a_slide_goes_on_to_the_next(contents):
    rows = [
        [f"Department {i}", "A longer note that wraps onto a second line in its narrow column " * (i % 2)]
        for i in range(40)
    ]
    long = replace(
        contents,
        sections=[reports.Section("Long", "Forty rows.", [reports.Table(["Name", "Note"], rows, [1, 1]), "The end."])],
    )
    deck = Presentation(io.BytesIO(reports.pptx_bytes(long, {})))
    titles = [slide.shapes[0].text_frame.text for slide in deck.slides]
    assert titles[:3] == ["MFA: adoption report", "Long", "Long (continued)"] and len(titles) > 3
    assert [row[0] for t in slide_tables(reports.pptx_bytes(long, {}))[1:] for row in t[1:]] == [r[0] for r in rows]
    for slide in deck.slides:
        assert all(Emu(s.top + s.height).inches <= 6.95 for s in slide.shapes if Emu(s.top).inches < 6.99)
    assert f"1 / {len(titles)}" in [s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame]


def test_a_missing_chart_says_why_instead(contents):
    why = "no Chromium on this server to draw them with (apt-get install chromium)"
    deck, pdf = reports.pptx_bytes(contents, {}, why), reports.pdf_bytes(contents, {}, why)
    text = Presentation(io.BytesIO(deck)).slides[2].shapes
    assert any(s.has_text_frame and s.text_frame.text.startswith(f"The chart could not be drawn: {why}.") for s in text)
    assert not [s for slide in Presentation(io.BytesIO(deck)).slides for s in slide.shapes if s.shape_type == 13]
    pages = pdf_text(pdf)
    assert "The chart could not be drawn: no Chromium" in " ".join(pages[2].split())
    assert "could not be drawn" in pages[6] and len(pages) == 9


def test_no_tickets_loaded_is_said_not_zeroed(tmp_path):
    tiny_file(tmp_path / "t.duckdb", tickets=False)
    store = Store(tmp_path / "t.duckdb", staging_dir=tmp_path / "staging")
    scope = open_scope(store, OPERATOR, 1, "export")
    made = reports.report_contents(scope, orgs.rollout(scope, "MFA"), D, 28, now=NOW)
    store.close()
    assert made.figures["support"] is None
    assert [s.title for s in made.sections] == [
        t for t in TITLES[1:] if not t.startswith("Support")
    ]  # no support chart
    assert "Support desk: no tickets loaded for this organisation" in made.sections[0].blocks[1]
    by_kpi = {r[0]: r for r in table(made.sections[2]).rows if r[1] == "rollout"}
    assert by_kpi["Tickets per 100 people (7 days)"][2:4] == ["n/a", "n/a"]
    assert by_kpi["Backlog (open tickets)"][7] == "due by day 30; no tickets loaded"
    assert dict(made.cover)["Data"].startswith("newest usage day 10 Feb 2025 · newest ticket day none")
    assert len(PdfReader(io.BytesIO(reports.pdf_bytes(made, {}))).pages) == 8  # the appendix: 2 pages


def test_a_locked_baseline_is_named_with_who_locked_it(tiny):
    scope, rollout = tiny
    kpis.lock_baseline(scope, rollout, "pre-go-live", now=datetime(2025, 2, 11, 9, 30))
    kpis.select_baseline(scope, rollout, "pre-go-live")
    try:
        made = reports.report_contents(scope, rollout, D, 7)
    finally:
        kpis.select_baseline(scope, rollout, None)
    assert dict(made.cover)["Baseline"] == (
        "'pre-go-live', locked by operator on 11 Feb 2025: 9 Dec 2024 to 5 Jan 2025 (28 days)"
    )
    assert made.sections[2].lead.startswith("Each KPI against the baseline 'pre-go-live' and its target")
    assert dict(made.cover)["Window"] == "7 days: 4 Feb 2025 to 10 Feb 2025"
    assert table(made.sections[0]).columns[2] == "Adoption (7 days)"


def test_snapshot_exports_get_the_adoption_at_each_snapshot_with_the_reason(acme, load):
    from tests.test_snapshots import MONTHLY, ROSTER, report

    load(acme, "roster", ROSTER)
    for refresh, last in MONTHLY:
        load(acme, "usage", report(refresh, last), name=f"active-users-{refresh}.csv", rollout=None)
    mfa = orgs.rollout(acme, "MFA")
    made = reports.report_contents(acme, mfa, date(2025, 7, 31), 28)
    chart = made.sections[1]
    assert chart.title == "Adoption at each snapshot"
    assert chart.blocks[0] == metrics.not_computable(acme, mfa)["adoption_by_age"]  # the reason, as on the page
    assert chart.blocks[0].startswith("Not computable from this data: the usage behind 7-day adoption comes from 3 ")
    assert [c.name for c in made.charts()] == ["snapshot_adoption"]
    # the 28 days to each refresh: 05-31 ann (ben's 05-02 is before 05-04); 06-30 ann and cat; 07-31 ann (ben's
    # 07-01 is before 07-04)
    assert made.charts()[0].frame.query("cohort == 'champion'")["active_users"].tolist() == [1, 2, 1]
    assert table(made.sections[0]).rows[0][5] == "not computable from this data"
    deck = reports.pptx_bytes(made, {"snapshot_adoption": png()})
    assert len([s for slide in Presentation(io.BytesIO(deck)).slides for s in slide.shapes if s.shape_type == 13]) == 1


def test_the_pack_tells_how_the_rollout_is_led(acme, load):
    from analysis import lessons, phases
    from analysis.alerts import actions

    for kind in ("roster", "usage"):
        load(acme, kind, (TINY / f"{kind}.csv").read_bytes())
    mfa = orgs.rollout(acme, "MFA")
    assert [s.title for s in reports.report_contents(acme, mfa, D, 28).sections][-1] != "Post-mortem and lessons"
    plan = phases.phases(acme, mfa)
    plan[1].targets = {"adoption_rate": 0.5}
    phases.save_plan(acme, mfa, plan)
    actions.save_root_cause(acme, mfa, "LAPSING", ["Nobody followed up after go-live"], ["process"], "No hypercare")
    actions.add_action(acme, mfa, "LAPSING", "Call the lapsed champions", "Dana", date(2025, 2, 7))
    lessons.save(acme, mfa, {"learned": "Plan hypercare for every cohort"})
    made = reports.report_contents(acme, mfa, D, 28)
    story = {s.title: s for s in made.sections[-5:-2]}  # before the appendix
    assert list(story) == ["Phases against their targets", "Root causes and actions", "Post-mortem and lessons"]
    # the champion pilot (01-06 .. 02-02): 1 of 6 the day before, 3 of 6 on its last day, target 50 %
    pilot = table(story["Phases against their targets"]).rows[1]
    assert pilot == ["champion pilot", "6 Jan 2025 - 2 Feb 2025", "met", "Adoption rate: 17% -> 50% (target 50%)"]
    cause, actions_table = story["Root causes and actions"].blocks
    assert cause == "Lapsing: No hypercare (process). Why: Nobody followed up after go-live"
    # due 7 February, still open on the pack's day (10 February): overdue
    assert actions_table.rows == [["Lapsing", "Call the lapsed champions", "Dana", "7 Feb 2025", "open (overdue)", ""]]
    assert story["Post-mortem and lessons"].blocks == ["What we learned: Plan hypercare for every cohort"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(reports.pdf_bytes(made, {}))).pages)
    assert "Call the lapsed champions" in text and "Plan hypercare for every cohort" in text


# -- what it never says: names, another organisation's data, small groups to clients -----------------


def test_client_leadership_gets_the_folded_departments_and_nobody_is_named(tiny, contents, files):
    scope, rollout = tiny
    client = Scope(
        scope.store, Principal("leadership@client.example", "client_viewer", frozenset({scope.org_id})), scope.org_id
    )
    theirs = reports.report_contents(client, rollout, D, 28, now=NOW)
    assert table(theirs.sections[4]).rows == [["Other (small groups)", "6", "3", "50%", "3 (50%)", "1", "1"]]
    assert 'folded into "Other (small groups)"' in theirs.sections[4].blocks[-1]
    deck, pdf = reports.pptx_bytes(theirs, {}), reports.pdf_bytes(theirs, {})
    departments = next(t for t in slide_tables(deck) if t[0][0] == "Department")
    assert ["Other (small groups)", "6", "3", "50%", "3 (50%)", "1", "1"] in departments
    assert not {"IT", "Sales", "Finance"} & {row[0] for row in departments}
    for text in (pptx_xml(deck), " ".join(pdf_text(pdf)), pptx_xml(files[0]), " ".join(pdf_text(files[1]))):
        assert [n for n in NAMES if n in text] == []


HOSTILE = {  # department -> how the pack must print it
    '=HYPERLINK("http://evil.test","x")': '\'=HYPERLINK("http://evil.test","x")',
    "@SUM(1+1)": "'@SUM(1+1)",
    "+1-2": "'+1-2",
    "<script>alert(1)</script>": "<script>alert(1)</script>",
    "Zoë Łukasiewicz 東京\tTeam": "Zoë Łukasiewicz 東京 Team",
}


def test_text_from_the_data_is_plain_and_neutralised(store, load):
    org_id = orgs.add_organisation(store, OPERATOR, "-Evil & Co <b>", email_domains=["evil.test"])
    scope = open_scope(store, OPERATOR, org_id, "upload")
    orgs.add_rollout(scope, "=cmd|' /C calc'!A0", {"champion": date(2025, 1, 6)})
    roster = "user_id,display_name,department,cohort\n" + "".join(
        f'p{i}{j}@evil.test,P {i}{j},"{d.replace(chr(34), chr(34) * 2)}",champion\n'
        for i, d in enumerate(HOSTILE)
        for j in range(5)
    )
    load(scope, "roster", roster, rollout="=cmd|' /C calc'!A0")
    load(scope, "usage", "user_id,date,activity\np00@evil.test,2025-02-10,mfa\n", rollout=None)
    made = reports.report_contents(scope, orgs.rollouts(scope)[0], D, 28)
    assert (made.organisation, made.rollout) == ("'-Evil & Co <b>", "'=cmd|' /C calc'!A0")
    assert {row[0] for row in table(made.sections[4]).rows} == set(HOSTILE.values())
    deck, pdf = reports.pptx_bytes(made, {}), reports.pdf_bytes(made, {})
    xml = pptx_xml(deck)
    assert "<script>" not in xml and "&lt;script&gt;alert(1)&lt;/script&gt;" in xml and "<b>" not in xml
    cells = [cell for rows in slide_tables(deck) for row in rows for cell in row]
    texts = cells + [
        s.text_frame.text for slide in Presentation(io.BytesIO(deck)).slides for s in slide.shapes if s.has_text_frame
    ]
    # no cell a spreadsheet would run: only numbers (+50.0 pts, -4.0 (-29%)) start with a sign
    assert [
        t
        for t in texts
        if t.startswith(("=", "@", "\t", "\r"))
        or (t.startswith(("+", "-")) and not re.match(r"^[+-][\d.,]+(%| pts)?( \([+-][\d.,]+%\))?$", t))
    ] == []
    flat = " ".join(" ".join(pdf_text(pdf)).split())
    assert '\'=HYPERLINK("http://evil.test","x")' in flat and "'@SUM(1+1)" in flat
    assert "Zoë Łukasiewicz" in flat or reports.pdf_fonts() is None


@pytest.mark.parametrize(
    "text,safe",
    [
        ("Zoë – “quoted” … → ≥ 5", 'Zoë - "quoted" ... -> >= 5'),
        ("Łukasiewicz, Dvořák, Ångström", "Lukasiewicz, Dvorák, Ångström"),
        ("東京", "??"),
        ("Œuvre\u00a0x", "OEuvre x"),
    ],
)
def test_latin1_safe(text, safe):
    assert reports.latin1_safe(text) == safe
    safe.encode("latin-1")


def test_the_pdf_without_dejavu_uses_the_core_font_and_never_crashes(contents, monkeypatch, tmp_path):
    odd = replace(contents, organisation="Zoë Łukasiewicz 東京 – “Ops”")
    monkeypatch.setattr(reports.pdf, "FONT_DIR", tmp_path)  # no fonts there: Latin-1 Helvetica
    assert reports.pdf_fonts() is None
    core = pdf_text(reports.pdf_bytes(odd, {}))
    assert 'Zoë Lukasiewicz ?? - "Ops"' in core[0] and len(core) == 9
    monkeypatch.undo()
    if reports.pdf_fonts() is None and os.environ.get("UPTAKE_REQUIRE_BROWSER") != "1":  # CI installs it
        pytest.skip("DejaVu Sans is not installed (apt-get install fonts-dejavu-core): the Unicode path is untested")
    assert "Zoë Łukasiewicz" in pdf_text(reports.pdf_bytes(odd, {}))[0]


# -- the charts, drawn by kaleido in chromium ---------------------------------------------------------

NEEDS_BROWSER = shutil.which("chromium") is None and os.environ.get("UPTAKE_REQUIRE_BROWSER") != "1"


@pytest.mark.skipif(
    NEEDS_BROWSER,
    reason="Debian's chromium is not installed (apt-get install chromium); "
    ".ci/run installs it and sets UPTAKE_REQUIRE_BROWSER=1",
)
def test_the_charts_are_drawn_by_kaleido_and_land_in_both_files(contents):
    from analysis.reports.pack import SIZE, chart_images

    images, why = chart_images(contents)
    assert why is None, why
    assert sorted(images) == ["adoption", "tickets"]
    for data in images.values():
        shown = Image.open(io.BytesIO(data))
        assert (shown.format, shown.size) == ("PNG", (SIZE[0] * 2, SIZE[1] * 2))
        assert len(shown.getcolors(1 << 20)) > 20  # drawn, not a blank page
    deck = Presentation(io.BytesIO(reports.pptx_bytes(contents, images)))
    assert len([s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]) == 2
    assert "could not be drawn" not in " ".join(pdf_text(reports.pdf_bytes(contents, images)))


def test_without_a_browser_the_charts_are_left_out_with_the_reason(contents, monkeypatch):
    from analysis.reports.pack import chart_images

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert chart_images(contents) == ({}, "no Chromium on this server to draw them with (apt-get install chromium)")


# -- the command line ---------------------------------------------------------------------------------


def run(db, *args):
    """In this process (tests/cli_run.py)."""
    return run_in_process(db, *args, env={"BROWSER_PATH": "/nonexistent/chromium"})  # no drawing here: the
    # test above draws the charts


def test_the_report_command(tmp_path, monkeypatch, capsys):
    tiny_file(tmp_path / "cli.duckdb")
    where = ["--org", "acme", "--rollout", "mfa", "--as-of", "2025-02-10"]
    done = run(tmp_path / "cli.duckdb", "report", *where, "--format", "pptx", "--out", tmp_path / "pack.pptx")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        f"wrote {tmp_path / 'pack.pptx'}: the PowerPoint of 'MFA' as of 2025-02-10 (28-day window), 9 slides, "
    )
    assert (
        done.stderr == "uptake: the charts are left out: no Chromium on this server to draw them with "
        "(apt-get install chromium)\n"
    )
    assert slide_tables((tmp_path / "pack.pptx").read_bytes())[1][1][:4] == [
        "Champion cohort",
        "6 Jan 2025",
        "25%",
        "1 of 4",
    ]
    assert not list(tmp_path.glob("*.part"))

    # the refusals come before any drawing: run them in this process
    monkeypatch.setenv("UPTAKE_DB", str(tmp_path / "cli.duckdb"))
    for args, message in [
        (["--format", "docx"], "uptake: --format 'docx': write pptx, pdf or html\n"),
        (
            ["--format", "pdf", "--rollout", "nope"],
            "uptake: no rollout 'nope' in this organisation: add it with `python -m analysis rollout add`\n",
        ),
        (
            ["--format", "pdf", "--out", tmp_path / "missing" / "x.pdf"],
            f"uptake: cannot write {tmp_path / 'missing' / 'x.pdf'}: there is no folder {tmp_path / 'missing'}\n",
        ),
    ]:
        out = ["--out", tmp_path / "x.pdf"] if "--out" not in args else []
        assert main(["report", *where, *map(str, args), *map(str, out)]) == 2
        assert capsys.readouterr() == ("", message)
    assert not (tmp_path / "x.pdf").exists()
