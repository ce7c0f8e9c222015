"""Issue 15's "done when", end to end on the real server (`streamlit run server.py`, as `make run`
starts it): a usage file posted to the API turns flags high; the account manager's mailbox (a real
SMTP server on loopback) and webhook receiver get them within one pass of the app's own schedule;
a client viewer of the organisation gets its own, folded; one of another organisation gets nothing;
and `kpis` from a script reads through the app while it holds the database."""

import json
import os
import subprocess
import sys
import time
from datetime import date

import httpx
import pytest

from analysis import alerts, auth, orgs
from analysis.access import OPERATOR
from analysis.api import tokens
from analysis.ingest import load_file
from analysis.notify import webhooks
from analysis.notify.prefs import Prefs, save_prefs
from analysis.scope import open_scope
from analysis.store import Store
from tests.conftest import ROOT, TINY
from tests.servers import running_app
from tests.test_notify import NAMES, flags, mailbox, receiver  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def app(tmp_path_factory, mailbox, receiver):  # noqa: F811
    tmp = tmp_path_factory.mktemp("swift")
    mp = pytest.MonkeyPatch()
    mp.setenv("UPTAKE_WEBHOOK_ALLOW_HTTP", "1")  # the receiver is plain http on loopback
    store = Store(tmp / "swift.duckdb", staging_dir=tmp / "staging")
    acme = orgs.add_organisation(store, OPERATOR, "Acme", email_domains=["acme.test"])
    other = orgs.add_organisation(store, OPERATOR, "Other", email_domains=["other.test"])
    scope = open_scope(store, OPERATOR, acme, "upload")
    orgs.add_rollout(scope, "MFA", {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3)}, legacy=["sms"])
    alerts.set_threshold(scope, orgs.rollout(scope, "MFA"), "LOW_ADOPTION", "min_department_people", 1)
    load_file(scope, "roster", "roster.csv", (TINY / "roster.csv").read_bytes(), rollout="MFA")
    am = auth.add_account(store, OPERATOR, "am@msp.test", "account_manager", [acme], password="a long swift password")
    viewer = auth.add_account(
        store, OPERATOR, "viewer@acme.test", "client_viewer", [acme], password="a long password one"
    )
    stranger = auth.add_account(
        store, OPERATOR, "viewer@other.test", "client_viewer", [other], password="a long password two"
    )
    save_prefs(store, am.account_id, Prefs(new_high=True))
    for who in (viewer, stranger):
        save_prefs(store, who.account_id, Prefs(new_high=True))
    _, secret = webhooks.add_webhook(store, am.account_id, "signed", receiver.url)
    token = tokens.new_token(store, am.account_id, "swift script")
    store.close()
    s = mailbox.settings
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        f'[smtp]\nhost = "{s.host}"\nport = {s.port}\nstarttls = false\nuser = "{s.user}"\n'
        f'password = "{s.password}"\nfrom = "{s.sender}"\n'
    )
    env = {
        "UPTAKE_DB": str(tmp / "swift.duckdb"),
        "UPTAKE_DEMO": "0",
        "UPTAKE_INBOX": str(tmp / "inbox"),
        "UPTAKE_SECRETS_FILE": str(secrets),
        "UPTAKE_SCHEDULE_SECONDS": "1",
        "UPTAKE_WEBHOOK_ALLOW_HTTP": "1",  # the receiver is plain http on loopback
        "UPTAKE_BACKUP_KEEP": "0",
    }
    with running_app(tmp, env) as url:
        yield {"url": url, "token": token, "secret": secret, "db": tmp / "swift.duckdb", "log": tmp / "server.log"}
    mp.undo()


def test_a_load_through_the_api_reaches_the_mailbox_and_the_webhook(app, mailbox, receiver):  # noqa: F811
    posted = httpx.post(
        app["url"] + "/api/v1/orgs/Acme/loads",
        headers={"Authorization": f"Bearer {app['token']}"},
        data={"kind": "usage"},
        files={"file": ("usage.csv", (TINY / "usage.csv").read_bytes(), "text/csv")},
        timeout=120,
    )
    assert posted.status_code == 200, posted.text
    assert posted.json()["rows_loaded"] == 8
    deadline = time.time() + 90  # the schedule passes every second; the machine may be busy
    while time.time() < deadline and len(flags(mailbox.to("am@msp.test"))) < 2:
        time.sleep(0.5)
    # the tiny set as of 2025-02-10: champions 1 of 4 active, IT 0 of 2 (tests/test_notify.py)
    assert sorted(m["Subject"] for m in flags(mailbox.to("am@msp.test"))) == [
        "[Uptake] High red flag: Low Adoption · Acme / MFA (IT)",
        "[Uptake] High red flag: Low Adoption · Acme / MFA (champion cohort)",
    ]

    def hooked() -> list[dict]:
        return [json.loads(b) for _, b in receiver.posts if json.loads(b).get("topic") == "new_high"]

    deadline = time.time() + 30  # the webhook is its own outbox entry: it may land after the mail
    while time.time() < deadline and len(hooked()) < 2:
        time.sleep(0.5)
    assert sorted(p["where"] for p in hooked()) == ["IT", "champion cohort"]
    assert mailbox.to("viewer@other.test") == []
    deadline = time.time() + 30
    while time.time() < deadline and len(flags(mailbox.to("viewer@acme.test"))) < 2:
        time.sleep(0.5)
    assert sorted(m["Subject"] for m in flags(mailbox.to("viewer@acme.test"))) == [
        "[Uptake] High red flag: Low Adoption · Acme / MFA (Other (small groups))",
        "[Uptake] High red flag: Low Adoption · Acme / MFA (champion cohort)",
    ]
    texts = [m["Subject"] + m.get_body(("plain",)).get_content() for _, m, _ in mailbox.messages]
    assert [t for t in texts if any(n.lower() in t.lower() for n in NAMES)] == []


def test_kpis_from_a_script_while_the_app_runs(app):
    env = {**os.environ, "UPTAKE_DB": str(app["db"]), "UPTAKE_URL": app["url"], "UPTAKE_TOKEN": app["token"]}
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "kpis", "--org", "Acme", "--rollout", "MFA", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert (found["as_of"], found["cohorts"]["champion"]["active_users"]) == ("2025-02-10", 1)
