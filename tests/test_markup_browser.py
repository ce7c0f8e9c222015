"""Hostile names in every field of a client's data, shown on every page in Debian's Chromium: no
link, image, tag or formatting comes from the data, nothing is fetched from outside, and the
tables' own toolbar download hands out no spreadsheet formula.

Skipped where chromium is absent (as tests/test_browser.py; CI sets UPTAKE_REQUIRE_BROWSER=1).
"""

import csv
import io
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser
if shutil.which("chromium") is None:
    if os.environ.get("UPTAKE_REQUIRE_BROWSER") == "1":
        raise RuntimeError("chromium is required here (UPTAKE_REQUIRE_BROWSER=1)")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

from tests.test_browser import PASSWORD, free_port, goto, settled  # noqa: E402

# A tracking image (port 9: nothing listens), a fake link, a bare URL, a tag that runs script, a
# Plotly link, emphasis, a www. address and an e-mail address
PAYLOAD = (
    "![x](http://127.0.0.1:9/t.png) [Sign in again](http://evil.test) http://evil.test/a "
    '<img src=x onerror=alert(1)> <a href="http://evil.test/p">p</a> **bold** www.evil.test me@evil.test'
)
FORMULAS = [
    '=HYPERLINK("http://evil.test","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
GO_LIVE = date(2026, 1, 5)


def hostile(field: str) -> str:
    return f"{field} {PAYLOAD}"


def rows_csv(header, rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode()


def seed(db):
    """One client whose organisation, rollout, cohort, department, activity, ticket category,
    annotation, company and file name all carry the payload; its never-used people are named
    with spreadsheet formulas."""
    from analysis import annotations, auth, orgs, presets, settings
    from analysis.access import OPERATOR
    from analysis.ingest import load_file
    from analysis.scope import open_scope
    from analysis.store import Store

    handle = Store(db, staging_dir=db.parent / "staging")
    org = orgs.add_organisation(handle, OPERATOR, hostile("organisation"), email_domains=["evil.test"])
    scope = open_scope(handle, OPERATOR, org, "upload")
    cohort, department, activity = hostile("cohort"), hostile("department"), hostile("activity")
    orgs.add_rollout(scope, hostile("rollout"), {cohort: GO_LIVE})
    rollout = hostile("rollout")
    people = [
        (
            f"p{i}@evil.test",
            FORMULAS[i] if i < len(FORMULAS) else f"Person {i}",
            department if i < 8 else "Ops",
            cohort,
            "yes",
        )
        for i in range(12)
    ]
    load_file(
        scope,
        "roster",
        hostile("file") + ".csv",
        rows_csv(["user_id", "display_name", "department", "cohort", "licensed"], people),
        rollout=rollout,
    )
    days = [GO_LIVE + timedelta(days=d) for d in range(60)]
    usage = [(f"p{i}@evil.test", d.isoformat(), activity, 1) for i in (7, 8, 9, 10, 11) for d in days]
    load_file(scope, "usage", "usage.csv", rows_csv(["user_id", "date", "activity", "count"], usage))
    tickets = [
        (f"T-{i}", f"{d.isoformat()} 09:00", "open", hostile("category"), hostile("subject"))
        for i, d in enumerate(days[::3])
    ]
    load_file(
        scope, "tickets", "tickets.csv", rows_csv(["ticket_id", "created_at", "status", "category", "subject"], tickets)
    )
    settings.set_rollout(scope, rollout, categories=[hostile("category")], activities=[activity])
    annotations.add_annotation(scope, rollout, GO_LIVE + timedelta(days=10), "training", hostile("note")[:120])
    presets.map_company(handle, OPERATOR, hostile("company"), org)
    auth.add_account(handle, OPERATOR, "admin@provider.test", "admin", password=PASSWORD)
    auth.add_account(handle, OPERATOR, "viewer@evil.test", "client_viewer", [org], password=PASSWORD)
    handle.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("markup")
    port = free_port()
    seed(tmp / "m.duckdb")
    env = {**os.environ, "UPTAKE_DB": str(tmp / "m.duckdb"), "UPTAKE_DEMO": "0", "UPTAKE_INBOX": str(tmp / "inbox")}
    log = open(tmp / "server.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "server.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the app did not start: " + (tmp / "server.log").read_text()[-2000:])
    yield {"url": url, "tmp": tmp}
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def signed_in(browser, server, email):
    """A browser profile signed in as email, recording every request and every alert() it sees."""
    context = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
    seen = {"requests": [], "dialogs": []}
    context.on("request", lambda r: seen["requests"].append(r.url))
    tab = context.new_page()
    tab.set_default_navigation_timeout(90_000)  # the shared test machine can be slow
    tab.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    goto(tab, server["url"] + "/")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password", exact=True).fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    deadline = time.time() + 30
    while time.time() < deadline and not [c for c in context.cookies() if c["name"] == "uptake_session"]:
        time.sleep(0.2)
    return tab, seen


# Every link, image, emphasis and executed tag on the page that came from the data
MARKUP_FROM_DATA = """() => {
  const href = e => e.getAttribute('href') || e.getAttribute('xlink:href') || '';
  return {
    links: [...document.querySelectorAll('a')].map(href)     // a heading's own #anchor is the app's
              .filter(h => !h.startsWith('#') && /evil|127\\.0\\.0\\.1:9/.test(h)),
    images: [...document.querySelectorAll('img, image')].map(i => i.getAttribute('src') || href(i))
              .filter(s => s === 'x' || s.includes('127.0.0.1:9')),
    emphasis: [...document.querySelectorAll('strong, b, em')].filter(e => e.textContent.trim() === 'bold').length,
    shown: document.body.textContent.split('[Sign in again](').length - 1,
  };
}"""


CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(chart => chart.querySelector('.main-svg'))"""


def markup_on(tab, server, path, heading):
    goto(tab, server["url"] + path)
    tab.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
    tab.get_by_text("[Sign in again](").first.wait_for(state="attached", timeout=60_000)
    settled(tab)  # the rest of the page
    tab.wait_for_function(CHARTS_DRAWN, timeout=60_000)  # a chart's legend and labels are data too
    assert tab.locator('[data-testid="stException"]').count() == 0, path
    return tab.evaluate(MARKUP_FROM_DATA)


PAGES = {
    "admin@provider.test": [
        ("/", "Overview"),
        ("/adoption", "Adoption"),
        ("/support", "Support"),
        ("/red_flags", "Red flags"),
        ("/data", "Data"),
        ("/settings", "Settings"),
        ("/portfolio", "Portfolio"),
        ("/admin", "Administration"),
    ],
    "viewer@evil.test": [
        ("/", "Overview"),
        ("/adoption", "Adoption"),
        ("/support", "Support"),
        ("/red_flags", "Red flags"),
    ],
}


@pytest.mark.parametrize("email", list(PAGES))
def test_hostile_names_show_as_their_characters_on_every_page(browser, server, email):
    tab, seen = signed_in(browser, server, email)
    found = {path: markup_on(tab, server, path, heading) for path, heading in PAGES[email]}
    assert all(f["shown"] for f in found.values()), found  # the payload is on every page, as text
    bad = {p: f for p, f in found.items() if f["links"] or f["images"] or f["emphasis"]}
    assert not bad, repr(bad)
    assert [u for u in seen["requests"] if ":9/" in u] == [] and seen["dialogs"] == []
    tab.context.close()


def test_a_file_name_with_markup_in_map_the_columns(browser, server, tmp_path):
    tab, seen = signed_in(browser, server, "admin@provider.test")
    upload = tmp_path / "[Sign in again](evil.test) ![x](127.0.0.1:9) **bold** www.evil.test.csv"
    upload.write_bytes(b"who,when,what\na@evil.test,2026-02-01,x\n")
    goto(tab, server["url"] + "/data")
    tab.get_by_role("heading", name="Data", exact=True).wait_for(timeout=60_000)
    tab.locator('input[type="file"]').set_input_files(str(upload))
    tab.get_by_text("Map the columns by hand").click()
    tab.get_by_text("Which column of").wait_for(timeout=30_000)
    time.sleep(2)
    found = tab.evaluate(MARKUP_FROM_DATA)
    assert found["shown"] >= 1 and (found["links"], found["images"], found["emphasis"]) == ([], [], 0)
    assert [u for u in seen["requests"] if ":9/" in u] == []
    tab.context.close()


def test_the_tables_toolbar_download_has_no_formula(browser, server):
    """The never-used list (named with formulas) downloaded through st.dataframe's own toolbar."""
    tab, _ = signed_in(browser, server, "admin@provider.test")
    tab.add_init_script("delete window.showSaveFilePicker")  # the toolbar then downloads through a link
    goto(tab, server["url"] + "/adoption")
    tab.get_by_role("heading", name="Adoption", exact=True).wait_for(timeout=60_000)
    table = tab.locator('[data-testid="stDataFrame"]').last
    table.wait_for(timeout=60_000)
    table.scroll_into_view_if_needed()
    table.hover()
    button = tab.locator('[data-testid="stElementToolbarButton"]').filter(has=tab.get_by_label("Download as CSV"))
    with tab.expect_download(timeout=30_000) as download:
        button.last.click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert '\'=HYPERLINK("http://evil.test","x")' in cells  # the names are there, neutralised
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    tab.context.close()
