"""The real thing: `streamlit run server.py` on a free port, driven in Debian's Chromium.

Skipped with a reason only where chromium is absent; CI installs it and sets
UPTAKE_REQUIRE_BROWSER=1, so there it fails instead of skipping. Screenshots go to
$UPTAKE_SCREENSHOTS when set.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from analysis.charts.base import MARGIN
from tests.conftest import ROOT, TINY

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium")

if CHROMIUM is None:
    if os.environ.get("UPTAKE_REQUIRE_BROWSER") == "1":
        raise RuntimeError("chromium is required here (UPTAKE_REQUIRE_BROWSER=1): apt-get install chromium")
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it", allow_module_level=True
    )


def goto(tab, url: str) -> None:
    """Open url and wait only for the response: the page is ready when its heading shows (the
    caller waits for it), not at the "load" event, which a busy shared machine can hold back for
    minutes. The app may still be moving the tab itself (the sign-in's own reload, a page's
    address set by the sidebar), which interrupts a navigation: then let it land and go again."""
    for attempt in range(3):
        try:
            tab.goto(url, wait_until="commit")
            return
        except PlaywrightError as exc:
            if attempt == 2:
                raise
            if "interrupted by another navigation" not in str(exc) and "Timeout" not in str(exc):
                raise
            tab.wait_for_timeout(1000)


def settled(tab) -> None:
    """Wait until the app's script has finished its run: until then a page may still show some of
    its elements, or those of its run before (a busy machine shows it)."""
    tab.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60_000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PASSWORD = "a long browser-test password"


def seed(db):
    """The demo, a second organisation with a sentinel name, and one account per role."""
    from analysis import auth, orgs
    from analysis.access import OPERATOR
    from analysis.seed import ensure_demo
    from analysis.store import Store

    handle = Store(db, staging_dir=db.parent / "staging")
    ensure_demo(handle, enabled=True)
    demo = orgs.organisation_id(handle, OPERATOR, "Demo Co")
    other = orgs.add_organisation(handle, OPERATOR, "Globex SENTINEL-GLOBEX", email_domains=["globex.test"])
    auth.add_account(handle, OPERATOR, "admin@provider.test", "admin", password=PASSWORD)
    auth.add_account(handle, OPERATOR, "lead@democo.example", "client_viewer", [demo], password=PASSWORD)
    auth.add_account(handle, OPERATOR, "boss@globex.test", "client_viewer", [other], password=PASSWORD)
    handle.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    port = free_port()
    seed(tmp / "b.duckdb")
    env = {
        **os.environ,
        "UPTAKE_DB": str(tmp / "b.duckdb"),
        "UPTAKE_DEMO": "1",
        "UPTAKE_INBOX": str(tmp / "inbox"),
        "UPTAKE_INBOX_SECONDS": "1",
    }
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
    """A fresh browser profile signed in as email through the sign-in form."""
    context = browser.new_context(viewport={"width": 1400, "height": 2000})
    tab = context.new_page()
    goto(tab, server["url"] + "/")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password", exact=True).fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    session_cookie(context)
    return tab


def session_cookie(context) -> dict:
    """The sign-in cookie, once the tab has claimed it from /api/session/claim in the background
    (ui/session.py post_behind)."""
    deadline = time.time() + 30
    while time.time() < deadline and not [c for c in context.cookies() if c["name"] == "uptake_session"]:
        time.sleep(0.2)
    (cookie,) = [c for c in context.cookies() if c["name"] == "uptake_session"]
    return cookie


@pytest.fixture(scope="module")
def page(browser, server):
    tab = signed_in(browser, server, "admin@provider.test")
    yield tab
    tab.context.close()


def shoot(page, name):
    folder = os.environ.get("UPTAKE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_page_url_on_a_fresh_server_asks_for_sign_in(server, browser):
    """The first request a server ever gets, for a page URL, still goes through app.py's sign-in."""
    context = browser.new_context()
    tab = context.new_page()
    for path in ("/account", "/admin", "/setup", "/data"):
        goto(tab, server["url"] + path)
        tab.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
        assert tab.get_by_text("Set up Uptake").count() == 0
    context.close()


def test_sign_in_draws_the_page_once_and_sets_the_cookie_without_a_reload(server, browser):
    """The tab is signed in through its session: it claims the cookie for reloads and new tabs in
    the background (ui/session.py post_behind) instead of posting a form and loading the app again."""
    context = browser.new_context()
    tab = context.new_page()
    goto(tab, server["url"] + "/")
    tab.get_by_label("Email").fill("admin@provider.test")
    tab.get_by_label("Password", exact=True).fill(PASSWORD)
    loads = []
    tab.on("load", lambda loaded: loads.append(loaded.url))  # documents loaded, not the URL's ?org= set in place
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    cookie = session_cookie(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    settled(tab)
    assert loads == []  # the form post's way loaded the app a second time: /api/session/claim, then /
    tab.reload()
    tab.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    assert tab.get_by_role("button", name="Sign in").count() == 0
    context.close()


def test_the_sign_in_page_loads_the_first_pages_element_scripts_while_the_person_types(server, browser):
    """The Overview after sign-in finds its charts', tables' and cards' scripts loaded (ui/preload.py):
    a browser new to the app drew them as grey boxes for about 1.2 s more without it."""
    from ui.preload import element_scripts

    context = browser.new_context()
    tab = context.new_page()
    goto(tab, server["url"] + "/")
    tab.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    loaded = "names => names.every(n => performance.getEntriesByType('resource').some(e => e.name.endsWith('/' + n)))"
    tab.wait_for_function(loaded, arg=element_scripts(), timeout=30_000)
    tab.get_by_label("Email").fill("admin@provider.test")
    tab.get_by_label("Password", exact=True).fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    settled(tab)
    tab.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=30_000)
    fetched = tab.evaluate("() => performance.getEntriesByType('resource').map(e => e.name.split('/').pop())")
    assert all(fetched.count(name) == 1 for name in element_scripts())  # fetched once: Streamlit's import found them
    context.close()


def test_no_page_asks_another_host(server, browser):
    """Everything a page needs comes from the app itself: nothing tells a third party of a visit,
    and nothing breaks offline. The tab's icon was a Material icon, which the browser fetched from
    fonts.gstatic.com on every visit (app.py now gives an emoji, drawn as an inline image)."""
    from urllib.parse import unquote, urlsplit

    context = browser.new_context()
    tab = context.new_page()
    asked = []
    tab.on("request", lambda request: asked.append(request.url))
    goto(tab, server["url"] + "/")
    tab.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    tab.get_by_label("Email").fill("admin@provider.test")
    tab.get_by_label("Password", exact=True).fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    settled(tab)
    titles = nav_links(tab)
    assert len(titles) == 9  # an admin: every page
    for title in titles[1:]:
        tab.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        tab.get_by_role("heading", name=title, exact=True).wait_for(timeout=60_000)
        settled(tab)
    ours = urlsplit(server["url"]).netloc
    elsewhere = {url for url in asked if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != ours}
    assert asked and elsewhere == set()
    icon = tab.evaluate("() => document.querySelector(\"link[rel='shortcut icon']\").href")
    assert icon.startswith("data:image/svg+xml") and "📈" in unquote(icon)  # the tab still has its icon
    context.close()


def test_overview_shows_kpi_cards_and_charts(server, page):
    page.reload()  # the sign-in survives a reload (HttpOnly cookie set by the app's route)
    page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    settled(page)
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert len(values) == 17  # 4 cards for champion, wider and all; 5 at a glance
    assert values[3] == "25"  # licensed champions in the demo
    page.locator(".js-plotly-plot").nth(2).wait_for(timeout=60_000)
    assert page.locator(".js-plotly-plot").count() == 3  # two adoption charts and the demo's uptime series
    assert page.get_by_text("Synthetic demo data.").is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    shoot(page, "overview")


def test_adoption_and_support_pages_draw_every_chart(server, page):
    for path, heading, charts in (("/adoption", "Adoption", 5), ("/support", "Support", 3)):
        goto(page, server["url"] + path)
        page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
        page.locator(".js-plotly-plot").nth(charts - 1).wait_for(timeout=60_000)
        assert page.locator(".js-plotly-plot").count() == charts
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.get_by_text("newest usage 15 Nov 2026").is_visible()
        if heading == "Adoption":  # the weakest department heads the heatmap
            assert page.locator(".js-plotly-plot").nth(4).evaluate("plot => plot.data[0].y[0]") == "Warehouse"
        # the time charts' margins are set as wide as their labels need (analysis.charts.base.MARGIN):
        # Plotly widened none, which would have drawn the chart a second time
        sizes = page.locator(".js-plotly-plot").evaluate_all(
            "plots => plots.map(p => [p.layout.margin.l, Math.round(p._fullLayout._size.l),"
            " p.layout.margin.b, Math.round(p._fullLayout._size.b)])"
        )
        assert [s[0] == s[1] and s[2] == s[3] for s in sizes if s[0] >= MARGIN["l"]] == [True] * (
            4 if heading == "Adoption" else 2  # Adoption's funnel too, with margins of its own
        )
        shoot(page, heading.lower())


def test_upload_preview_load_in_the_browser(server, page, tmp_path):
    goto(page, server["url"] + "/data")
    page.get_by_role("heading", name="Data").wait_for(timeout=60_000)
    usage = tmp_path / "more-usage.csv"
    usage.write_bytes(
        (TINY / "usage.csv").read_bytes().replace(b"acme.test", b"democo.example")
        + b"x@democo.example,2025-02-31,mfa_approval,1\n"
    )
    page.locator('input[type="file"]').set_input_files(str(usage))
    page.get_by_text("9 rows read → 8 new").wait_for(timeout=30_000)
    shoot(page, "data-preview")
    page.get_by_role("button", name="Load 1 file").click()
    # load 7: after the demo's six (its data and its record, analysis/demo_record.py)
    page.get_by_text("more-usage.csv: load 7 stored 8 new rows").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Load history").click()
    page.get_by_role("button", name="Download the rejected rows (1)").wait_for(timeout=30_000)
    shoot(page, "data-history")


def test_inbox_file_is_loaded_by_the_running_app(server):
    inbox = server["tmp"] / "inbox" / "Demo Co" / "tickets"
    inbox.mkdir(parents=True)
    target = inbox / "nightly.csv"
    target.write_text("ticket_id,created_at,status\nNIGHT-1,2026-11-16 08:00,open\n")
    os.utime(target, (time.time() - 60, time.time() - 60))  # settled: not being written any more
    processed = server["tmp"] / "inbox" / ".processed"
    deadline = time.time() + 30
    while time.time() < deadline and not list(processed.glob("*.json")):
        time.sleep(0.5)
    results = list(processed.glob("*.json"))
    assert len(results) == 1 and '"rows_loaded": 1' in results[0].read_text()
    assert not target.exists()


def nav_links(tab):
    return [text.split("\n")[-1] for text in tab.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]


def test_client_viewer_walks_every_page_and_sees_only_its_organisation(browser, server):
    tab = signed_in(browser, server, "lead@democo.example")
    assert nav_links(tab) == ["Overview", "Adoption", "Support", "Red flags", "Your account"]
    tab.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    shoot(tab, "viewer-overview")
    seen = tab.content()
    assert "Demo Co" in seen and "SENTINEL-GLOBEX" not in seen
    tab.locator('[data-testid="stSidebarNav"] a', has_text="Your account").click()
    tab.get_by_text("Change your password").wait_for(timeout=30_000)
    shoot(tab, "viewer-account")
    assert "SENTINEL-GLOBEX" not in tab.content()
    for path in ("/data", "/admin"):  # not listed, and by URL it says whose page it is
        goto(tab, server["url"] + path)
        tab.get_by_text("This page is for your provider's team.").wait_for(timeout=60_000)
        assert tab.get_by_role("heading", name="Data").count() == 0
        assert tab.get_by_role("heading", name="Administration").count() == 0
    # the other client sees its own (empty) organisation and nothing of Demo Co
    other = signed_in(browser, server, "boss@globex.test")
    other.get_by_text("has no rollout yet").first.wait_for(timeout=30_000)
    assert "Demo Co" not in other.content() and "democo" not in other.content()
    other.context.close()
    tab.context.close()


def test_an_api_token_made_on_your_account_reads_only_its_organisation_until_revoked(browser, server):
    """Made in the browser, shown once, used by a script against the same server, revoked."""
    import httpx

    tab = signed_in(browser, server, "lead@democo.example")
    tab.locator('[data-testid="stSidebarNav"] a', has_text="Your account").click()
    tab.get_by_text("API tokens").first.wait_for(timeout=30_000)
    tab.get_by_role("textbox", name="Name", exact=True).fill("browser test script")
    tab.get_by_role("textbox", name="Your password, to confirm").last.fill(PASSWORD)
    tab.get_by_role("button", name="Make a token").click()
    tab.get_by_text("copy it now").wait_for(timeout=30_000)
    token = tab.locator('[data-testid="stCode"]').last.inner_text().strip()
    assert token.startswith("uptake_")
    api = httpx.Client(base_url=server["url"] + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert [o["name"] for o in api.get("/orgs").json()] == ["Demo Co"]
    assert api.get("/orgs/Globex SENTINEL-GLOBEX/rollouts").status_code == 404
    tab.get_by_role("button", name="Revoke").click()
    tab.get_by_text("You have no API tokens.").wait_for(timeout=30_000)
    assert api.get("/orgs").status_code == 401
    tab.context.close()


def test_sign_out_ends_the_session_everywhere(browser, server):
    tab = signed_in(browser, server, "lead@democo.example")
    tab.get_by_role("heading", name="Overview").wait_for()
    cookie = [c for c in tab.context.cookies() if c["name"] == "uptake_session"]
    deadline = time.time() + 10
    while not cookie and time.time() < deadline:
        time.sleep(0.2)
        cookie = [c for c in tab.context.cookies() if c["name"] == "uptake_session"]
    assert cookie and cookie[0]["httpOnly"] and cookie[0]["sameSite"] == "Strict"
    second = tab.context.new_page()  # a new tab is signed in too
    goto(second, server["url"] + "/")
    second.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    tab.get_by_role("button", name="Sign out").click()
    tab.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    tab.reload()
    tab.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    second.reload()  # the other tab is signed out as well
    second.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    # replaying the old cookie in a fresh browser does not sign anyone in
    thief = browser.new_context()
    thief.add_cookies([{**cookie[0]}])
    stolen = thief.new_page()
    goto(stolen, server["url"] + "/")
    stolen.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    thief.close()
    tab.context.close()


def test_red_flags_and_portfolio_read_clearly(server, page):
    goto(page, server["url"] + "/red_flags")
    page.get_by_role("heading", name="Red flags").wait_for(timeout=60_000)
    page.get_by_text("Next step:").first.wait_for(timeout=60_000)
    settled(page)
    assert page.get_by_text("Low Adoption · 6 places").count() == 1  # one card per rule, worst first
    worst = page.locator("table").first.locator("tbody tr").first
    assert worst.locator("th").inner_text().strip() == "Warehouse"  # the demo's worst department leads
    shoot(page, "red-flags")
    goto(page, server["url"] + "/portfolio")
    page.get_by_role("heading", name="Portfolio").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    assert page.get_by_text("MFA rollout").count() >= 1
    shoot(page, "portfolio")
    goto(page, server["url"] + "/")
    page.get_by_text("KPIs: baseline, now and target").wait_for(timeout=60_000)
    shoot(page, "overview-kpis")
