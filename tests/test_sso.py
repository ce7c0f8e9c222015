"""Single sign-on with st.login against a real local OIDC provider (oidc-provider-mock), in
Debian's Chromium: the identity provider's email picks the Uptake account; an unknown email gets
no access; sign-out ends the Uptake sign-in."""

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, as_shown
from tests.test_browser import free_port, shoot

pytestmark = pytest.mark.browser
MOCK = Path(sys.executable).parent / "oidc-provider-mock"


def wait_for(url: str, proc, log: Path) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.kill()
    pytest.fail(f"{url} did not come up: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def sso(tmp_path_factory):
    from analysis import auth, orgs
    from analysis.access import OPERATOR
    from analysis.seed import ensure_demo
    from analysis.store import Store

    tmp = tmp_path_factory.mktemp("sso")
    db = tmp / "sso.duckdb"
    handle = Store(db, staging_dir=tmp / "staging")
    ensure_demo(handle, enabled=True)
    demo = orgs.organisation_id(handle, OPERATOR, "Demo Co")
    auth.add_account(handle, OPERATOR, "lead@democo.example", "client_viewer", [demo])  # no password: SSO only
    handle.close()
    idp_port, app_port = free_port(), free_port()
    idp_log = tmp / "idp.log"
    idp = subprocess.Popen(
        [str(MOCK), "--host", "127.0.0.1", "--port", str(idp_port)], stdout=idp_log.open("w"), stderr=subprocess.STDOUT
    )
    wait_for(f"http://127.0.0.1:{idp_port}/.well-known/openid-configuration", idp, idp_log)
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "uptake-test"\n'
        f'client_secret = "{secrets.token_urlsafe(16)}"\n'
        f'server_metadata_url = "http://127.0.0.1:{idp_port}/.well-known/openid-configuration"\n'
    )
    app_log = tmp / "app.log"
    env = {**os.environ, "UPTAKE_DB": str(db), "UPTAKE_DEMO": "1", "UPTAKE_INBOX": str(tmp / "inbox")}
    app = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "server.py",
            "--server.port",
            str(app_port),
            "--server.address",
            "127.0.0.1",
            "--secrets.files",
            str(secrets_file),
        ],
        cwd=ROOT,
        env=env,
        stdout=app_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    wait_for(f"http://127.0.0.1:{app_port}/_stcore/health", app, app_log)
    yield f"http://127.0.0.1:{app_port}"
    for proc in (app, idp):
        proc.terminate()
        proc.wait(timeout=20)


def through_the_provider(browser, url, email):
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    tab = context.new_page()
    tab.goto(url + "/")
    tab.get_by_role("button", name="Sign in with single sign-on").click()
    tab.get_by_placeholder("sub").fill(email)
    tab.get_by_role("button", name="Authorize").click()
    return tab


def test_a_known_email_signs_in_with_its_role(browser, sso):
    tab = through_the_provider(browser, sso, "lead@democo.example")
    tab.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    deadline = time.time() + 30  # the Uptake cookie arrives through /api/session/claim
    while time.time() < deadline and not [c for c in tab.context.cookies() if c["name"] == "uptake_session"]:
        time.sleep(0.2)
    tab.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    links = [t.split("\n")[-1] for t in tab.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]
    assert "Data" not in links and "Administration" not in links  # a client viewer
    assert tab.get_by_text(as_shown("lead@democo.example")).first.is_visible()
    shoot(tab, "sso-signed-in")
    tab.reload()  # the Uptake cookie holds
    tab.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    tab.get_by_role("button", name="Sign out").click()
    tab.get_by_role("button", name="Sign in with single sign-on").wait_for(timeout=30_000)
    tab.reload()
    tab.get_by_role("button", name="Sign in with single sign-on").wait_for(timeout=30_000)
    assert tab.get_by_role("heading", name="Overview").count() == 0
    tab.context.close()


def test_an_unknown_email_gets_no_access(browser, sso):
    tab = through_the_provider(browser, sso, "stranger@elsewhere.test")
    tab.get_by_text(as_shown("There is no Uptake account for stranger@elsewhere.test")).wait_for(timeout=60_000)
    assert tab.get_by_role("heading", name="Overview").count() == 0
    shoot(tab, "sso-unknown")
    tab.context.close()
