"""The audit log (analysis/audit.py, analysis/audit_log.py): every write path names an action or
why it is housekeeping; an entry is in the write's transaction; who/where per entry point."""

from __future__ import annotations

import ast
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from analysis import audit, audit_log, orgs, schedule
from analysis.access import OPERATOR
from analysis.scope import open_scope
from analysis.store import Store
from tests.conftest import ROOT


def _calls():
    for folder in ("analysis", "ui", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "transaction":
                    yield path, node


def test_every_transaction_names_an_action_or_why_it_is_housekeeping():
    found = 0
    for path, call in _calls():
        found += 1
        named = bool(call.args) or {k.arg for k in call.keywords} & {"action", "housekeeping"}
        assert named, f"{Path(path).relative_to(ROOT)}:{call.lineno}: Store.transaction() names no action"
    assert found > 60  # the sweep sees the write paths


@pytest.fixture
def store():
    opened = Store(":memory:")
    yield opened
    opened.close()


def _entries(store):
    return (
        store.cursor()
        .execute("SELECT who, place, org_name, action, detail FROM audit_log ORDER BY entry_id")
        .fetchall()
    )


def test_an_entry_names_the_actor_and_the_organisation(store):
    with audit.acting("ann@msp.test", "Administration"):
        orgs.add_organisation(store, OPERATOR, "Acme", "UTC", ["acme.test"])
    assert _entries(store) == [("ann@msp.test", "Administration", "Acme", "add an organisation", "")]


def test_a_write_with_no_actor_is_unknown(store):
    orgs.add_organisation(store, OPERATOR, "Acme", "UTC", ["acme.test"])
    assert _entries(store)[0][:2] == ("unknown", "unknown")


def test_a_rolled_back_write_leaves_no_entry(store):
    with pytest.raises(RuntimeError), store.transaction("add an organisation") as cur:
        cur.execute("INSERT INTO organisations (name, time_zone) VALUES ('Acme', 'UTC')")
        raise RuntimeError("cut off")
    assert _entries(store) == []
    orgs.add_organisation(store, OPERATOR, "Acme", "UTC", [])
    with pytest.raises(ValueError):  # refused inside its transaction: a second Acme
        orgs.add_organisation(store, OPERATOR, "Acme", "UTC", [])
    assert len(_entries(store)) == 1


def test_the_command_line_is_the_os_user(store):
    who = audit.command_line()
    assert who.where == "command line" and who.who.startswith("command line (")
    with audit.acting(*who):
        orgs.add_organisation(store, OPERATOR, "Acme", "UTC", [])
    assert _entries(store)[0][:2] == tuple(who)


def test_retention_removes_old_entries_and_records_it(store):
    with audit.acting("ann@msp.test", "Administration"):
        orgs.add_organisation(store, OPERATOR, "Acme", "UTC", [])
        audit_log.set_keep_days(store, 30)
    store.cursor().execute(
        "UPDATE audit_log SET logged_at = logged_at - INTERVAL 40 DAY WHERE action = 'add an organisation'"
    )
    with audit.acting(*audit.SCHEDULE):
        assert audit_log.remove_old_entries(store, datetime.now()) == 1
        assert audit_log.remove_old_entries(store, datetime.now()) == 0  # nothing removed: no entry
    assert [e[3] for e in _entries(store)] == ["set the audit log's retention", "remove old audit entries"]
    assert _entries(store)[-1][:2] == ("schedule", "schedule")
    assert _entries(store)[-1][4] == "1 entries older than 30 days"


def test_zero_keeps_for_ever(store):
    audit_log.set_keep_days(store, 0)
    store.cursor().execute("UPDATE audit_log SET logged_at = logged_at - INTERVAL 4000 DAY")
    assert audit_log.remove_old_entries(store, datetime.now()) == 0
    assert len(_entries(store)) == 1


def test_the_daily_pass_is_the_schedule(store):
    orgs.add_organisation(store, OPERATOR, "Acme", "UTC", [])
    audit_log.set_keep_days(store, 1)
    store.cursor().execute("UPDATE audit_log SET logged_at = logged_at - INTERVAL 3 DAY")
    schedule.tick(store, datetime.now() + timedelta(seconds=1))
    last = _entries(store)[-1]
    assert last[:2] == ("schedule", "schedule") and last[3] == "remove old audit entries"


def test_filters_newest_first(store):
    with audit.acting("ann@msp.test", "Settings"):
        orgs.add_organisation(store, OPERATOR, "Acme", "UTC", [])
    with audit.acting(*audit.INBOX):
        orgs.add_organisation(store, OPERATOR, "Bolt", "UTC", [])
    assert list(audit_log.entries(store)["org_name"]) == ["Bolt", "Acme"]
    assert list(audit_log.entries(store, org="acme")["who"]) == ["ann@msp.test"]
    assert list(audit_log.entries(store, where="inbox")["org_name"]) == ["Bolt"]
    assert len(audit_log.entries(store, since=datetime.now().date() + timedelta(days=1))) == 0


def test_a_command_line_write_and_the_audit_command(tmp_path, monkeypatch, capsys):
    import getpass
    import json

    from analysis.cli import main

    monkeypatch.setenv("UPTAKE_DB", str(tmp_path / "cli.duckdb"))
    assert main(["org", "add", "Acme"]) == 0
    capsys.readouterr()
    assert main(["audit", "--org", "acme", "--since", "2000-01-01", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["who"], entry["place"], entry["org_name"], entry["action"]) == (
        f"command line ({getpass.getuser()})",
        "command line",
        "Acme",
        "add an organisation",
    )


def test_load_undo_inbox_and_erase_each_make_one_entry_naming_no_person(store, tmp_path):
    import os

    from analysis import inbox, uploads
    from analysis.care.erasure import erase_person
    from analysis.ingest import load_file
    from analysis.scope import open_scope
    from tests.conftest import TINY

    org_id = orgs.add_organisation(store, OPERATOR, "Acme", "UTC", ["acme.test"])
    scope = open_scope(store, OPERATOR, org_id, "upload")
    data = (TINY / "usage.csv").read_bytes()
    with audit.acting("ann@msp.test", "Data"):
        loaded = load_file(scope, "usage", "usage.csv", data)
        uploads.undo(scope, loaded.upload_id)
    folder = tmp_path / "inbox" / "Acme" / "usage"
    folder.mkdir(parents=True)
    (folder / "usage.csv").write_bytes(data)
    os.utime(folder / "usage.csv", (0, 0))  # settled
    (record,) = inbox.process_inbox(store, tmp_path / "inbox")
    assert not record.get("refused"), record
    with audit.acting("ann@msp.test", "Administration"):
        erase_person(scope, "e@acme.test")
    rows = _entries(store)[1:]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("ann@msp.test", "Data", "load a file"),
        ("ann@msp.test", "Data", "undo a load"),
        ("inbox", "inbox", "load a file"),
        ("ann@msp.test", "Administration", "erase a person"),
    ]
    assert not any("e@acme.test" in " ".join(map(str, r)) for r in _entries(store))


def test_a_load_through_the_api_is_the_tokens_account_from_the_api_its_evaluation_the_schedule(tmp_path, monkeypatch):
    import asyncio

    import httpx
    from starlette.applications import Starlette

    from analysis import auth
    from analysis.api import tokens
    from analysis.store import shared_store
    from ui.api_routes import ROUTES

    db = tmp_path / "api.duckdb"
    monkeypatch.setenv("UPTAKE_DB", str(db))
    store = schedule.watch_loads(shared_store(str(db)))  # as the app: an evaluation after each load
    org_id = orgs.add_organisation(store, OPERATOR, "Acme", "UTC", ["acme.test"])
    orgs.add_rollout(open_scope(store, OPERATOR, org_id, "configure"), "MFA", {"champion": date(2025, 1, 6)})
    ula = auth.add_account(
        store, OPERATOR, "ula@acme.test", "client_uploader", [org_id], password="a long api password"
    )
    token = tokens.new_token(store, ula.account_id, "nightly")
    before = len(_entries(store))

    async def post():
        transport = httpx.ASGITransport(app=Starlette(routes=ROUTES))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.post(
                "/api/v1/orgs/Acme/loads",
                headers={"Authorization": f"Bearer {token}"},
                data={"kind": "roster", "rollout": "MFA"},
                files={"file": ("roster.csv", b"user_id,cohort\na@acme.test,champion\n", "text/csv")},
            )

    answer = asyncio.run(post())
    assert answer.status_code == 200, answer.text
    made = _entries(store)[before:]
    load = [e for e in made if e[3] == "load a file"]
    assert [e[:3] for e in load] == [("ula@acme.test", "API", "Acme")]
    assert "roster file 'roster.csv'" in load[0][4]
    evaluated = [e for e in made if e[3] != "load a file"]
    assert evaluated and all(e[:2] == ("schedule", "schedule") for e in evaluated), evaluated
