"""Onboarding a new organisation from its checklist in Chromium: the Overview of an empty
organisation shows the five steps, the rollout step's button opens Settings with the organisation
still chosen, a rollout added there ticks the step. Screenshots go to $UPTAKE_SCREENSHOTS."""

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT
from tests.test_browser import free_port, seed, shoot, signed_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """As tests/test_browser.py's server, with the organisation this test onboards."""
    from analysis import orgs
    from analysis.access import OPERATOR
    from analysis.store import Store

    tmp = tmp_path_factory.mktemp("onboarding")
    seed(tmp / "b.duckdb")
    handle = Store(tmp / "b.duckdb", staging_dir=tmp / "staging")
    orgs.add_organisation(handle, OPERATOR, "Uni of Newtown", email_domains=["newtown.test"])
    handle.close()
    port = free_port()
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
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "UPTAKE_DB": str(tmp / "b.duckdb"), "UPTAKE_DEMO": "1"},
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


def shown(selectbox) -> str:
    """What a selectbox shows: its text and its input's value (where the chosen option is written)."""
    return selectbox.evaluate(
        "box => box.innerText + ' ' + Array.from(box.querySelectorAll('input')).map(i => i.value).join(' ')"
    )


def choose(tab, selectbox) -> None:
    selectbox.click()
    tab.get_by_role("option", name="Uni of Newtown").click()


def test_a_new_organisation_is_onboarded_from_its_checklist(browser, server):
    tab = signed_in(browser, server, "admin@provider.test")
    organisation = tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    choose(tab, organisation)
    tab.get_by_text("This organisation has no rollout yet: the steps below set it up.").wait_for(timeout=60_000)
    tab.get_by_text("Getting started: 0 of 5 steps done").wait_for(timeout=30_000)
    assert "python -m" not in tab.content()
    shoot(tab, "onboarding-checklist-empty")

    tab.get_by_role("button", name="Open Settings").click()
    tab.get_by_role("heading", name="Settings").wait_for(timeout=60_000)
    assert "Uni of Newtown" in shown(organisation)  # still the organisation chosen
    tab.get_by_label("Name", exact=True).fill("Moodle rollout")
    tab.get_by_role("spinbutton", name="year, Champion group goes live").click()
    tab.keyboard.type("20260907")  # year, month, day: each segment moves on to the next
    tab.get_by_label("Name", exact=True).click()
    tab.get_by_role("button", name="Add rollout").click()
    tab.get_by_text("Added the rollout Moodle rollout.").wait_for(timeout=60_000)

    tab.keyboard.press("Escape")  # a date picker left open makes the rest of the page inert (a busy machine)
    tab.locator('[data-testid="stSidebarNav"] a', has_text="Overview").click()
    tab.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    tab.wait_for_timeout(2_000)
    if "Uni of Newtown" not in shown(organisation):  # the menu keeping the choice is issue 13 item 1, not this test's
        choose(tab, organisation)
    tab.get_by_text("Getting started: 1 of 5 steps done").wait_for(timeout=60_000)
    tab.get_by_text("No usage or tickets for Moodle rollout yet").wait_for(timeout=30_000)
    assert "Uni of Newtown" in shown(organisation)
    tab.get_by_role("button", name="Open Data").first.wait_for(timeout=30_000)
    tab.wait_for_timeout(3_000)  # the previous organisation's elements fade out
    assert tab.locator('[data-testid="stMetric"]').count() == 0
    shoot(tab, "onboarding-checklist-rollout-done")
    assert tab.locator('[data-testid="stException"]').count() == 0
    tab.context.close()
