"""Scheduled checks and notifications (issue 15, analysis/schedule.py and analysis/notify/).

One world for most tests: Acme (the tiny roster and usage, tests/data/tiny, whose people have
names) and Other, an account manager of Acme with e-mail and a signed webhook, a client viewer of
Acme and one of Other, all asking for new high flags. The loads go through the one ingest path
with the app's hook (schedule.watch_loads), then one background pass (schedule.tick) delivers to
a real SMTP server (aiosmtpd) and a real HTTP receiver, both on loopback.

Hand-worked (as of 2025-02-10, the newest usage day; window 28 days: 2025-01-14 .. 02-10; target
80 % by day 30, high under 40 %): the champions (go-live 2025-01-06, 35 days old) are a, b (IT)
and c, d (Sales), all licensed; only c used it in the window (01-20). So LOW_ADOPTION fires high
for the champion cohort (1 of 4, 25 %) and, with min_department_people set to 1, high for IT
(0 of 2) and medium for Sales (1 of 2, 50 %). The wider cohort is 7 days old: not judged.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import io
import json
import re
import socket
import threading
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from analysis import alerts, auth, orgs, schedule
from analysis.access import OPERATOR
from analysis.alerts import actions as flag_actions
from analysis.ingest import load_file
from analysis.notify import outbox, packs, webhooks
from analysis.notify.mail import SmtpSettings, smtp_settings
from analysis.notify.outbox import Note
from analysis.notify.prefs import Prefs, save_prefs
from analysis.scope import open_scope
from analysis.store import Store
from tests.conftest import TINY

NAMES = ("Ann Archer", "Archer", "Ben Brook", "Cat Cole", "Dan Dale", "Eve East", "Fay Fox", "Gus Gale", "@acme.test")
USER, PASSWORD = "uptake-relay", "relay-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """What the loopback SMTP server received: (envelope recipients, parsed message, login used)."""

    def __init__(self):
        self.messages: list[tuple[list[str], EmailMessage, str | None]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        parsed = email.message_from_bytes(envelope.content, _class=EmailMessage, policy=email.policy.default)
        login = session.auth_data.login.decode() if session.auth_data else None
        self.messages.append((list(envelope.rcpt_tos), parsed, login))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m, _ in self.messages if address in rcpts]


def _authenticate(server, session, envelope, mechanism, auth_data):  # noqa: ARG001
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, auth_data=auth_data)


@pytest.fixture(scope="module")
def mailbox():
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=_authenticate, auth_require_tls=False)
    controller.start()
    box.settings = SmtpSettings("127.0.0.1", port, starttls=False, user=USER, password=PASSWORD, sender="u@msp.test")
    yield box
    controller.stop()


class Receiver:
    """A local webhook receiver: records every POST (headers, body); answers `status`."""

    def __init__(self):
        self.posts: list[tuple[dict, bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def receiver():
    found = Receiver()
    yield found
    found.server.shutdown()


@pytest.fixture(scope="module")
def world(tmp_path_factory, mailbox, receiver):
    mp = pytest.MonkeyPatch()
    mp.setenv("UPTAKE_WEBHOOK_ALLOW_HTTP", "1")  # the receiver is plain http on loopback
    path = tmp_path_factory.mktemp("notify")
    store = schedule.watch_loads(Store(path / "notify.duckdb", staging_dir=path / "staging"))
    acme_id = orgs.add_organisation(store, OPERATOR, "Acme", email_domains=["acme.test"])
    other_id = orgs.add_organisation(store, OPERATOR, "Other", email_domains=["other.test"])
    scope = open_scope(store, OPERATOR, acme_id, "upload")
    orgs.add_rollout(scope, "MFA", {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3)}, legacy=["sms"])
    rollout = orgs.rollout(scope, "MFA")
    alerts.set_threshold(scope, rollout, "LOW_ADOPTION", "min_department_people", 1)
    am = auth.add_account(store, OPERATOR, "am@msp.test", "account_manager", [acme_id])
    viewer = auth.add_account(store, OPERATOR, "viewer@acme.test", "client_viewer", [acme_id])
    stranger = auth.add_account(store, OPERATOR, "viewer@other.test", "client_viewer", [other_id])
    save_prefs(store, am.account_id, Prefs(new_high=True, weekly_digest=True, overdue_actions=True))
    for who in (viewer, stranger):
        save_prefs(store, who.account_id, Prefs(new_high=True, escalations=True, resolutions=True))
    _, secret = webhooks.add_webhook(store, am.account_id, "signed", receiver.url)
    before = store.cursor().execute("SELECT count(*) FROM alert_events").fetchall()[0][0]
    for kind in ("roster", "usage"):
        load_file(scope, kind, f"{kind}.csv", (TINY / f"{kind}.csv").read_bytes(), rollout="MFA")
    recorded = store.cursor().execute("SELECT count(*) FROM alert_events").fetchall()[0][0] - before
    flag_actions.add_action(scope, rollout, "LOW_ADOPTION", "Call Ann Archer", "Ann Archer", date(2025, 1, 31))
    packs.subscribe(
        open_scope(store, am.principal, acme_id, "configure"), rollout.rollout_id, viewer.account_id, "quarterly"
    )
    done = schedule.tick(store, settings=mailbox.settings)
    yield {"store": store, "secret": secret, "recorded": recorded, "done": done, "acme": acme_id, "scope": scope}
    store.close()
    mp.undo()


def flags(messages: list[EmailMessage]) -> list[EmailMessage]:
    return [m for m in messages if "red flag" in m["Subject"]]


def test_a_load_that_turns_a_flag_high_reaches_the_mailbox_and_the_webhook_in_one_pass(world, mailbox, receiver):
    assert world["recorded"] > 0  # the loads evaluated and recorded, before any background pass
    assert world["done"]["failed"] == 0
    mine = sorted(m["Subject"] for m in flags(mailbox.to("am@msp.test")))
    assert mine == [
        "[Uptake] High red flag: Low Adoption · Acme / MFA (IT)",
        "[Uptake] High red flag: Low Adoption · Acme / MFA (champion cohort)",
    ]
    body = next(m for m in flags(mailbox.to("am@msp.test")) if "champion" in m["Subject"]).get_content()
    assert "1 of 4 licensed people active in the last 28 days" in body and "Next step: Targeted training" in body
    # dates in the text as people read them (the tiny usage's newest day); the webhook's JSON keeps ISO
    assert re.search(r"^Data as of 10 Feb 2025; checked \d{1,2} \w{3} \d{4} \d\d:\d\d\.\r?$", body, re.M)
    assert all(login == USER for _, _, login in mailbox.messages)  # it signed in with the secrets' user
    hooked = [json.loads(b) for _, b in receiver.posts if json.loads(b).get("topic") == "new_high"]
    assert sorted(p["where"] for p in hooked) == ["IT", "champion cohort"]
    assert {(p["org"], p["rule"], p["severity"], p["as_of"]) for p in hooked} == {
        ("Acme", "LOW_ADOPTION", "high", "2025-02-10")
    }


def test_the_signed_webhook_carries_an_hmac_of_its_body(world, receiver):
    for headers, body in receiver.posts:
        stamp = headers["X-Uptake-Timestamp"]
        expected = hmac.new(world["secret"].encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        assert headers["X-Uptake-Signature"] == "sha256=" + expected
    assert receiver.posts and webhooks.signature("k", "1", b"{}") != webhooks.signature("other", "1", b"{}")


def test_a_client_viewer_gets_its_own_organisation_only_folded_as_its_pages(world, mailbox):
    assert mailbox.to("viewer@other.test") == []
    theirs = {m["Subject"]: m.get_content() for m in flags(mailbox.to("viewer@acme.test"))}
    assert sorted(theirs) == [
        "[Uptake] High red flag: Low Adoption · Acme / MFA (Other (small groups))",
        "[Uptake] High red flag: Low Adoption · Acme / MFA (champion cohort)",
    ]
    folded = theirs["[Uptake] High red flag: Low Adoption · Acme / MFA (Other (small groups))"]
    assert "IT" not in folded.split() and "0 of 2" not in folded and "fewer than 5 people" in folded


def test_no_notification_carries_a_persons_name(world, mailbox, receiver):
    texts = [m["Subject"] + m.get_body(("plain",)).get_content() for _, m, _ in mailbox.messages]
    texts += [b.decode() for _, b in receiver.posts]
    assert len(texts) >= 6
    assert [t for t in texts if any(n.lower() in t.lower() for n in NAMES)] == []


def test_the_weekly_digest_and_the_overdue_actions(world, mailbox):
    digest = [m for m in mailbox.to("am@msp.test") if "Weekly digest" in m["Subject"]]
    assert len(digest) == 1
    assert "- Acme / MFA: 2 high," in digest[0].get_content()  # the champion cohort and IT
    assert any(line.endswith("; 1 overdue action") for line in digest[0].get_content().splitlines())
    late = [m for m in mailbox.to("am@msp.test") if "overdue" in m["Subject"]]
    assert [m["Subject"] for m in late] == ["[Uptake] 1 overdue action · Acme"]
    assert "- MFA: Low Adoption, due 31 Jan 2025" in late[0].get_content()  # no title, no owner
    assert late[0].get_content().startswith("1 action on red flags in Acme past their due date (")


def test_the_quarterly_pack_arrives_by_email_as_of_the_newest_day(world, mailbox):
    from pypdf import PdfReader

    sent = [m for m in mailbox.to("viewer@acme.test") if "report pack" in m["Subject"]]
    assert [m["Subject"] for m in sent] == ["[Uptake] Quarterly report pack: Acme / MFA, as of 10 Feb 2025"]
    (pdf,) = [part for part in sent[0].iter_attachments() if part.get_content_type() == "application/pdf"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_content())).pages)
    assert "10 Feb 2025 (end of day)" in text and "Uptake (scheduled pack)" in text
    assert "viewer@acme.test" not in text
    again = schedule.tick(world["store"], settings=mailbox.settings)  # the same quarter: not again
    assert again["queued"] == 0 and len([m for m in mailbox.to("viewer@acme.test") if "pack" in m["Subject"]]) == 1
    nxt = packs.period_start("quarterly", date(2026, 5, 20)), packs.period_start("monthly", date(2026, 5, 20))
    assert nxt == (date(2026, 4, 1), date(2026, 5, 1))


def test_webhook_urls_and_secrets_are_stored_encrypted(world, receiver):
    stored = world["store"].cursor().execute("SELECT url, secret FROM webhooks").fetchall()
    assert stored and all(v.startswith("fernet:") for row in stored for v in row)
    assert receiver.url not in json.dumps(stored) and world["secret"] not in json.dumps(stored)


def test_an_escalation_and_a_resolution_reach_who_chose_them(world, mailbox, receiver):
    """Sales (LOW_ADOPTION medium, 1 of 2 = 50 %) acknowledged with a note naming a person; high
    under 70 % of the 80 % target (56 %) makes it high: escalated. Back to departments of 5 or more:
    IT and Sales are no longer evaluated: resolved. The Acme viewer chose both; the account manager
    neither (it chose new high flags only)."""
    store, scope = world["store"], world["scope"]
    rollout = orgs.rollout(scope, "MFA")
    held = {a.department: a for a in alerts.evaluate_alerts(scope, rollout, record=False) if a.department}
    assert (held["Sales"].severity, held["IT"].severity) == ("medium", "high")
    alerts.acknowledge_alert(scope, held["Sales"].alert_id, "Ann Archer is running a session")
    seen, posts = len(mailbox.messages), len(receiver.posts)
    alerts.set_threshold(scope, rollout, "LOW_ADOPTION", "high_share_of_target", 0.7)
    schedule.after_load(scope)  # what a load does: evaluate, record, queue
    schedule.tick(store, settings=mailbox.settings)
    alerts.set_threshold(scope, rollout, "LOW_ADOPTION", "min_department_people", None)
    schedule.after_load(scope)
    schedule.tick(store, settings=mailbox.settings)
    new = [(rcpts, m) for rcpts, m, _ in mailbox.messages[seen:]]
    assert sorted((r[0], m["Subject"]) for r, m in new) == [
        ("viewer@acme.test", "[Uptake] Red flag escalated to high: Low Adoption · Acme / MFA (Other (small groups))"),
        ("viewer@acme.test", "[Uptake] Red flag resolved: Low Adoption · Acme / MFA (Other (small groups))"),
        ("viewer@acme.test", "[Uptake] Red flag resolved: Low Adoption · Acme / MFA (Other (small groups))"),
    ]
    assert len(receiver.posts) == posts  # the account manager's webhook: nothing it chose
    assert not [m for _, m in new if "Archer" in m.get_content() or "session" in m.get_content()]


def test_a_failed_delivery_is_retried_with_back_off_then_given_up_and_listed(store, receiver, monkeypatch, tmp_path):
    monkeypatch.setenv("UPTAKE_WEBHOOK_ALLOW_HTTP", "1")
    monkeypatch.setenv("UPTAKE_SECRETS_FILE", str(tmp_path / "none.toml"))  # no [smtp]: e-mail fails too
    org_id = orgs.add_organisation(store, OPERATOR, "Acme")
    who = auth.add_account(store, OPERATOR, "am@msp.test", "account_manager", [org_id])
    webhooks.add_webhook(store, who.account_id, "slack", receiver.url)
    t0 = datetime(2026, 12, 4, 9, 0)
    with store.transaction() as cur:
        outbox.queue(cur, store, who, Prefs(), Note("new_high", "S", "B", {}, org_id), t0)
    receiver.status, sent = 500, len(receiver.posts)
    try:
        tries, now = [], t0
        for _ in range(outbox.MAX_ATTEMPTS):
            assert outbox.deliver_due(store, now) == {"delivered": 0, "failed": 2}
            assert outbox.deliver_due(store, now + timedelta(seconds=59)) == {"delivered": 0, "failed": 0}
            rows = store.cursor().execute("SELECT attempts, next_try_at FROM outbox ORDER BY channel").fetchall()
            tries.append(rows[0])
            now = rows[0][1]
    finally:
        receiver.status = 200
    # 1, 2, 4, ... minutes after each try
    assert [n for n, _ in tries] == list(range(1, 9))
    assert [(b - a) for (_, a), (_, b) in zip([(0, t0), *tries], tries)][:4] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]
    assert len(receiver.posts) - sent == 8
    assert outbox.deliver_due(store, now + timedelta(days=1)) == {"delivered": 0, "failed": 0}  # given up
    listed = outbox.failures(store)
    assert sorted(listed["channel"]) == ["e-mail", "webhook (127.0.0.1)"]
    assert listed["given_up"].notna().all() and (listed["attempts"] == 8).all()
    assert set(listed["error"]) == {
        "the webhook answered 500",
        "e-mail is not set up: add an [smtp] section to the app's secrets (docs/operations.md)",
    }


def test_slack_and_teams_payloads():
    assert webhooks.payload("slack", "S", "B", {"x": 1}) == {"text": "*S*\nB"}
    teams = webhooks.payload("teams", "S", "B", {"x": 1})
    card = teams["attachments"][0]
    assert teams["type"] == "message" and card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert [b["text"] for b in card["content"]["body"]] == ["S", "B"]
    assert webhooks.payload("signed", "S", "B", {"x": 1}) == {"subject": "S", "text": "B", "x": 1}


def test_webhook_addresses_are_https(store, monkeypatch):
    monkeypatch.delenv("UPTAKE_WEBHOOK_ALLOW_HTTP", raising=False)
    with pytest.raises(ValueError, match="https"):
        webhooks.add_webhook(store, 1, "slack", "http://hooks.example.test/x")
    with pytest.raises(ValueError, match="unknown webhook kind"):
        webhooks.add_webhook(store, 1, "pager", "https://hooks.example.test/x")


def test_smtp_settings_come_from_the_secrets_file(tmp_path):
    path = tmp_path / "secrets.toml"
    assert smtp_settings(path) is None
    path.write_text(
        '[smtp]\nhost = "smtp.example.test"\nport = 2525\nstarttls = false\nuser = "u"\npassword = "p"\n'
        'from = "Uptake <u@example.test>"\n'
    )
    assert smtp_settings(path) == SmtpSettings("smtp.example.test", 2525, False, "u", "p", "Uptake <u@example.test>")


# -- the command line: reads never write history ------------------------------------------------


def events(path) -> int:
    store = Store(path, staging_dir=path.parent / "staging")
    try:
        return store.cursor().execute("SELECT count(*) FROM alert_events").fetchall()[0][0]
    finally:
        store.close()


def test_kpis_and_alerts_only_read_without_record_and_a_load_records(cli):
    cli("org", "add", "Acme", "--domain", "acme.test")
    cli(
        "rollout",
        "add",
        "--org",
        "Acme",
        "--name",
        "MFA",
        "--cohort",
        "champion=2025-01-06",
        "--cohort",
        "wider=2025-02-03",
    )
    cli("load", "--org", "Acme", "--rollout", "MFA", "--kind", "roster", str(TINY / "roster.csv"))
    after_roster = events(cli.path)
    assert after_roster > 0  # the load evaluated the rules: every rule not_enough_data, recorded
    cli("load", "--org", "Acme", "--rollout", "MFA", "--kind", "usage", str(TINY / "usage.csv"))
    loaded = events(cli.path)
    assert loaded > after_roster
    cli("kpis", "--org", "Acme", "--rollout", "MFA", "--json")
    cli("alerts", "--org", "Acme", "--json")
    cli("alerts", "--org", "Acme", "--as-of", "2025-02-10")
    assert events(cli.path) == loaded
    listed = json.loads(cli("alerts", "--org", "Acme", "--json").stdout)
    high = [a for a in listed if a["rule"] == "LOW_ADOPTION" and a["cohort"] == "champion"]
    assert [(a["state"], a["severity"]) for a in high] == [("firing", "high")] and high[0]["id"]
    cli("alerts", "--org", "Acme", "--record")  # the same data, the same states: nothing new to record
    assert events(cli.path) == loaded
    cli("rollout", "set", "--org", "Acme", "--name", "MFA", "--target-adoption", "0.2")  # 25 % meets 20 %
    cli("kpis", "--org", "Acme", "--rollout", "MFA", "--json")
    cli("alerts", "--org", "Acme", "--json")
    assert events(cli.path) == loaded  # still only read
    cli("alerts", "--org", "Acme", "--record")
    history = json.loads(cli("alerts", "--org", "Acme", "--history", "--json").stdout)
    champion = [(h["event"], h["by_name"]) for h in history if h["alert_id"] == high[0]["id"]]
    assert champion[-1] == ("resolved", "system") and events(cli.path) > loaded


@pytest.mark.parametrize("command", ["kpis", "alerts"])
def test_an_as_of_outside_the_data_is_refused_with_the_range(cli, command):
    cli("org", "add", "Acme", "--domain", "acme.test")
    cli("rollout", "add", "--org", "Acme", "--name", "MFA", "--cohort", "champion=2025-01-06")
    cli("load", "--org", "Acme", "--rollout", "MFA", "--kind", "roster", str(TINY / "roster.csv"))
    cli("load", "--org", "Acme", "--rollout", "MFA", "--kind", "usage", str(TINY / "usage.csv"))
    extra = ["--rollout", "MFA", "--json"] if command == "kpis" else []
    for day in ("2025-01-02", "2025-02-11"):  # the usage runs from 2025-01-03 to 2025-02-10
        bad = cli(command, "--org", "Acme", *extra, "--as-of", day, ok=False)
        assert bad.returncode == 2
        assert f"--as-of {day} is outside the data: choose a day from 2025-01-03 to 2025-02-10" in bad.stderr
    cli(command, "--org", "Acme", *extra, "--as-of", "2025-01-03")


def test_only_a_provider_subscribes_only_the_organisations_own_client_accounts(store):
    from analysis.access import AccessDenied

    acme = orgs.add_organisation(store, OPERATOR, "Acme")
    other = orgs.add_organisation(store, OPERATOR, "Other")
    scope = open_scope(store, OPERATOR, acme, "configure")
    orgs.add_rollout(scope, "MFA", {"champion": date(2025, 1, 6)})
    rollout_id = orgs.rollout(scope, "MFA").rollout_id
    am = auth.add_account(store, OPERATOR, "am@msp.test", "account_manager", [acme])
    mine = auth.add_account(store, OPERATOR, "lead@acme.test", "client_viewer", [acme])
    theirs = auth.add_account(store, OPERATOR, "lead@other.test", "client_viewer", [other])
    as_am = open_scope(store, am.principal, acme, "configure")
    assert packs.client_accounts(as_am) == {mine.account_id: "lead@acme.test"}
    for account_id in (am.account_id, theirs.account_id):
        with pytest.raises(ValueError, match="client account of this organisation"):
            packs.subscribe(as_am, rollout_id, account_id, "monthly")
    with pytest.raises(ValueError, match="monthly or quarterly"):
        packs.subscribe(as_am, rollout_id, mine.account_id, "weekly")
    with pytest.raises(AccessDenied):
        packs.subscribe(open_scope(store, mine.principal, acme), rollout_id, mine.account_id, "monthly")
    packs.subscribe(as_am, rollout_id, mine.account_id, "monthly")
    packs.subscribe(as_am, rollout_id, mine.account_id, "quarterly")  # again: the cadence changes
    listed = packs.subscriptions(as_am)
    assert list(zip(listed["recipient"], listed["cadence"])) == [("lead@acme.test", "quarterly")]
    assert packs.subscriptions(open_scope(store, OPERATOR, other)).empty


def self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key (PEM files), made here: the STARTTLS test's server."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_file), str(key_file)


def test_email_goes_over_starttls_with_a_checked_certificate_and_signs_in(tmp_path, monkeypatch):
    import ssl

    from analysis.notify import mail

    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    box, port = Mailbox(), free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True, authenticator=_authenticate
    )  # AUTH only after STARTTLS (aiosmtpd's default)
    controller.start()
    try:
        settings = SmtpSettings("127.0.0.1", port, starttls=True, user=USER, password=PASSWORD, sender="u@msp.test")
        # the test's own certificate is the one trusted; the check of name and chain is the real one
        system = ssl.create_default_context  # mail.ssl is the ssl module: keep the real function
        monkeypatch.setattr(mail.ssl, "create_default_context", lambda: system(cafile=cert))
        mail.send(settings, mail.message(settings, "am@msp.test", "S", "B"))
        assert [(r, m["Subject"], login) for r, m, login in box.messages] == [(["am@msp.test"], "S", USER)]
        monkeypatch.setattr(mail.ssl, "create_default_context", system)  # the system's CAs only
        with pytest.raises(ssl.SSLCertVerificationError):
            mail.send(settings, mail.message(settings, "am@msp.test", "S", "B"))
    finally:
        controller.stop()


def test_a_load_through_the_inbox_is_evaluated_and_a_preview_is_not(acme, tmp_path):
    """The inbox and the Data page's preview go through the same load_file: a stored load evaluates
    (the roster alone: every rule of the rollout cannot be judged yet, recorded), a dry run does not."""
    import os

    from analysis.inbox import process_inbox

    store = schedule.watch_loads(acme.store)
    count = lambda: store.cursor().execute("SELECT count(*) FROM alert_events").fetchall()[0][0]  # noqa: E731
    load_file(acme, "roster", "r.csv", b"user_id,cohort\na@acme.test,champion\n", rollout="MFA", dry_run=True)
    assert count() == 0
    folder = tmp_path / "inbox" / "Acme" / "roster" / "MFA"
    folder.mkdir(parents=True)
    (folder / "people.csv").write_text("user_id,cohort\na@acme.test,champion\n")
    os.utime(folder / "people.csv", (1, 1))
    (record,) = process_inbox(store, tmp_path / "inbox", now=10**10)
    assert record["rows_loaded"] == 1
    states = store.cursor().execute("SELECT DISTINCT event, by_name FROM alert_events").fetchall()
    assert states == [("not_enough_data", "system")]


def test_webhook_secrets_rotate_with_the_key_and_another_key_stops(tmp_path, monkeypatch):
    from analysis import secretbox

    monkeypatch.delenv(secretbox.ENV, raising=False)
    path = tmp_path / "db.duckdb"
    store = Store(path, staging_dir=tmp_path / "staging")
    _, secret = webhooks.add_webhook(store, 1, "signed", "https://hooks.example.test/a")
    store.close()
    old = (tmp_path / "secrets" / "db.key").read_text().strip()
    new = "another-key-that-is-long-enough-0123456789"
    monkeypatch.setenv(secretbox.ENV, f"{new},{old}")  # the new key first: values move to it on open
    Store(path, staging_dir=tmp_path / "staging").close()
    monkeypatch.setenv(secretbox.ENV, new)
    store = Store(path, staging_dir=tmp_path / "staging")
    (hook,) = webhooks.webhooks(store, 1)
    assert (hook.url, hook.secret) == ("https://hooks.example.test/a", secret)
    store.close()
    monkeypatch.setenv(secretbox.ENV, old)  # the old key alone no longer opens them
    with pytest.raises(secretbox.SecretKeyError, match="does not open this database's secrets"):
        Store(path, staging_dir=tmp_path / "staging")
