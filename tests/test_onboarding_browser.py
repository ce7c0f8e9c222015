"""Issue 13 in Chromium: the organisation chosen in the sidebar stays chosen on every page, and
Settings shows and saves the chosen organisation's own values (tests/test_onboarding.py has the
same in AppTest). A real server on a free port, as tests/test_browser.py starts it; screenshots
go to $UPTAKE_SCREENSHOTS when set."""

import os
import subprocess
import sys
import time
import urllib.request
from datetime import date

import pytest

from tests.conftest import ROOT, TINY
from tests.test_browser import PASSWORD, free_port, shoot, signed_in

pytestmark = pytest.mark.browser
PAGES = ("Overview", "Adoption", "Support", "Red flags", "Settings", "Data")
DEMO, BIRCH = "Demo Co (synthetic demo)", "Birch"
DOMAINS = "Email domains of its people (comma-separated)"


def seed(db):
    """The demo and Birch (listed first, by name) with a rollout of its own on the tiny data set,
    its own time zone and e-mail domain; an admin. Returns Birch's id."""
    from analysis import auth, orgs
    from analysis.access import OPERATOR
    from analysis.ingest import load_file
    from analysis.scope import open_scope
    from analysis.seed import ensure_demo
    from analysis.store import Store

    handle = Store(db, staging_dir=db.parent / "staging")
    ensure_demo(handle, enabled=True)
    birch = orgs.add_organisation(handle, OPERATOR, "Birch", "America/Toronto", ["birch.test"])
    scope = open_scope(handle, OPERATOR, birch, "upload")
    orgs.add_rollout(scope, "Birch LMS", {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3)}, legacy=["sms"])
    for kind in ("roster", "usage"):
        load_file(
            scope,
            kind,
            f"{kind}.csv",
            (TINY / f"{kind}.csv").read_bytes().replace(b"acme.test", b"birch.test"),
            rollout="Birch LMS",
        )
    auth.add_account(handle, OPERATOR, "admin@provider.test", "admin", password=PASSWORD)
    handle.close()
    return birch


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("onboarding-browser")
    port = free_port()
    birch = seed(tmp / "b.duckdb")
    env = {**os.environ, "UPTAKE_DB": str(tmp / "b.duckdb"), "UPTAKE_DEMO": "1", "UPTAKE_INBOX": str(tmp / "inbox")}
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
    yield {"url": url, "tmp": tmp, "proc": proc, "db": tmp / "b.duckdb", "birch": birch}
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=20)
    log.close()


def shown(tab, label: str, where: str = "stSidebar") -> str:
    """The value a select box shows (its combobox's text)."""
    return tab.locator(f'[data-testid="{where}"]').get_by_role("combobox", name=label).input_value()


def choose(tab, label: str, option: str) -> None:
    tab.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label).click()
    tab.get_by_role("option", name=option, exact=True).click()
    wait_idle(tab)


def wait_idle(tab) -> None:
    """Until the app's run has finished (the app root says its script state)."""
    tab.wait_for_timeout(400)
    tab.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60_000)


def open_page(tab, title: str) -> None:
    tab.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    tab.get_by_role("heading", name=title, exact=True).wait_for(timeout=60_000)
    wait_idle(tab)


def main_text(tab) -> str:
    return tab.locator('[data-testid="stMain"]').inner_text()


def test_the_chosen_organisation_stays_chosen_on_every_page(browser, server):
    tab = signed_in(browser, server, "admin@provider.test")
    try:
        assert shown(tab, "Organisation") == BIRCH  # the first by name
        for org, rollout, other in ((DEMO, "MFA rollout", "Birch LMS"), (BIRCH, "Birch LMS", "MFA rollout")):
            choose(tab, "Organisation", org)
            for title in PAGES:
                open_page(tab, title)
                assert (shown(tab, "Organisation"), shown(tab, "Rollout")) == (org, rollout), title
                text = main_text(tab)
                assert rollout in text and other not in text, (org, title)
                assert tab.locator('[data-testid="stException"]').count() == 0, (org, title)
                if org == BIRCH:
                    shoot(tab, f"birch-{title.lower().replace(' ', '-')}")
                    assert tab.url.endswith(f"?org={server['birch']}"), tab.url  # a reload opens Birch
            if org == BIRCH:  # Birch's own figures: 4 licensed champions (the demo has 25)
                open_page(tab, "Overview")
                tab.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
                values = tab.locator('[data-testid="stMetricValue"]').all_inner_texts()
                assert values[3] == "4"
                open_page(tab, "Data")
                assert "Files load into the organisation Birch, rollout Birch LMS" in main_text(tab)
    finally:
        tab.context.close()


def settings_form(tab, expected: tuple[str, str]) -> tuple[str, str]:
    """The organisation form's time zone and e-mail domains, once they show `expected` (a field
    can fill a moment after the run ends) or after 20 seconds."""
    deadline = time.time() + 20
    while True:
        found = shown(tab, "Time zone", "stMain"), tab.get_by_role("textbox", name=DOMAINS, exact=True).input_value()
        if found == expected or time.time() > deadline:
            return found
        tab.wait_for_timeout(250)


def test_settings_show_and_save_the_chosen_organisation_s_values(browser, server):
    tab = signed_in(browser, server, "admin@provider.test")
    choose(tab, "Organisation", DEMO)
    open_page(tab, "Settings")
    tab.get_by_role("tab", name="Organisation").click()  # only the chosen tab runs (pages/settings.py)
    wait_idle(tab)
    assert settings_form(tab, ("Europe/London", "democo.example")) == ("Europe/London", "democo.example")
    choose(tab, "Organisation", BIRCH)  # the chosen tab stays chosen
    assert settings_form(tab, ("America/Toronto", "birch.test")) == ("America/Toronto", "birch.test")
    tab.get_by_role("textbox", name=DOMAINS, exact=True).fill("birch.test, staff.birch.test")
    tab.get_by_role("button", name="Save the organisation's settings").click()
    tab.get_by_text("Email domains: birch.test, staff.birch.test.").wait_for(timeout=30_000)
    shoot(tab, "birch-settings-saved")
    choose(tab, "Organisation", DEMO)
    assert settings_form(tab, ("Europe/London", "democo.example")) == ("Europe/London", "democo.example")
    tab.context.close()
    server["proc"].terminate()  # the server holds the database file: stop it to read it
    server["proc"].wait(timeout=20)
    from analysis import orgs, settings
    from analysis.access import OPERATOR
    from analysis.scope import open_scope
    from analysis.store import Store

    handle = Store(server["db"], staging_dir=server["tmp"] / "staging")
    try:
        stored = {
            name: settings.organisation_settings(
                open_scope(handle, OPERATOR, orgs.organisation_id(handle, OPERATOR, name))
            )
            for name in ("Demo Co", "Birch")
        }
    finally:
        handle.close()
    assert stored["Demo Co"] == settings.OrganisationSettings("Europe/London", ("democo.example",), False)
    assert stored["Birch"] == settings.OrganisationSettings(
        "America/Toronto", ("birch.test", "staff.birch.test"), False
    )
