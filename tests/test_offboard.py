"""Off-boarding (analysis/care/offboard.py): one zip of documented CSV files with everything of
the organisation, then the organisation deleted; no row of it remains in any table, and no other
organisation's row moves."""

import csv
import io
import zipfile
from datetime import date

import pytest

from analysis import orgs
from analysis.access import OPERATOR
from analysis.annotations import add_annotation
from analysis.care.checksums import columns, quoted, user_tables
from analysis.care.offboard import delete_organisation, export_zip
from analysis.scope import open_scope
from tests.conftest import TINY


def rows_of(store, org_id, uploads, rollouts, whole=False) -> dict:
    """Every table's rows belonging to the organisation, by org_id or by one of its loads or
    rollouts: their count (whole: the rows themselves, sorted)."""
    cur = store.cursor()
    found = {}
    for table in user_tables(cur):
        names = {c for c, _ in columns(cur, table)}
        if "org_id" in names:
            where, value = "org_id = ?", org_id
        elif "upload_id" in names:
            where, value = "list_contains(?, upload_id)", uploads
        elif "rollout_id" in names:
            where, value = "list_contains(?, rollout_id)", rollouts
        else:
            continue
        rows = sorted(map(repr, cur.execute(f"SELECT * FROM {quoted(table)} WHERE {where}", [value]).fetchall()))  # noqa: S608
        if rows:
            found[table] = rows if whole else len(rows)
    return found


@pytest.fixture
def two_orgs(acme, load):
    store = acme.store
    cur = store.cursor()
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(acme, "usage", (TINY / "usage.csv").read_bytes())
    load(
        acme,
        "tickets",
        "ticket_id,created_at,requester,subject,status\n"
        'T1,2025-01-06 09:00,a@acme.test,=HYPERLINK("http://x.test"),open\n'
        "T2,2025-01-07 09:00,b@acme.test,New phone,open\n"
        "T3,2025-01-08 09:00,b@acme.test,bad date,open\n",
        rollout=None,
    )
    load(
        acme,
        "tickets",
        "ticket_id,created_at,requester,subject,status\nT2,2025-01-07 09:00,b@acme.test,New phone,solved\n",
        rollout=None,
    )
    add_annotation(acme, "MFA", date(2025, 1, 21), "other", "Town hall demo")
    cur.execute(
        "INSERT INTO alerts (alert_id, org_id, rollout_id, rule, kind, state, severity, message, evidence, action, "
        "opened_at, evaluated_at, note) VALUES (1, ?, 1, 'stalled', 'rollout', 'acknowledged', 'high', 'Stalled', "
        "'{}', 'Call them', now(), now(), 'Spoke to the IT lead')",
        [acme.org_id],
    )
    cur.execute(
        "INSERT INTO alert_events (event_id, alert_id, org_id, event_at, event, to_state, by_name, note) "
        "VALUES (1, 1, ?, now(), 'acknowledged', 'acknowledged', 'am', 'Spoke to the IT lead')",
        [acme.org_id],
    )
    cur.execute(
        "INSERT INTO flag_actions (action_id, org_id, rollout_id, rule, title, owner, due, created_by, created_at, "
        "updated_at) VALUES (1, ?, 1, 'stalled', 'Run a drop-in', 'am', DATE '2025-03-01', 'am', now(), now())",
        [acme.org_id],
    )
    beta = open_scope(
        store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Beta", email_domains=["beta.test"]), "upload"
    )
    orgs.add_rollout(beta, "MFA", {"champion": date(2025, 1, 6)})
    load(beta, "roster", "user_id,display_name,cohort\nz@beta.test,Zed,champion\n")
    load(beta, "usage", "user_id,date,activity,count\nz@beta.test,2025-01-03,mfa,1\n")
    return acme, beta


def ids(store, org_id):
    cur = store.cursor()
    uploads = [u for (u,) in cur.execute("SELECT upload_id FROM uploads WHERE org_id = ?", [org_id]).fetchall()]
    rollouts = [r for (r,) in cur.execute("SELECT rollout_id FROM rollouts WHERE org_id = ?", [org_id]).fetchall()]
    return uploads, rollouts


def test_offboarding_exports_everything_then_leaves_no_row(two_orgs):
    acme, beta = two_orgs
    store = acme.store
    admin = open_scope(store, OPERATOR, acme.org_id, "manage_organisations")
    uploads, rollouts = ids(store, acme.org_id)
    held = rows_of(store, acme.org_id, uploads, rollouts)
    # by hand: 7 roster rows, 8 usage events, 3 tickets (T2 changed by the 4th load: 1 earlier
    # version), one rollout with 2 cohorts, 4 loads, the annotation, the alert, its event, the action
    for table, n in {
        "roster": 7, "usage_events": 8, "tickets": 3, "ticket_history": 1, "rollouts": 1, "cohorts": 2,
        "uploads": 4, "annotations": 1, "alerts": 1, "alert_events": 1, "flag_actions": 1, "organisations": 1,
    }.items():  # fmt: skip
        assert held[table] == n, table
    beta_before = rows_of(store, beta.org_id, *ids(store, beta.org_id))
    beta_rows = rows_of(store, beta.org_id, *ids(store, beta.org_id), whole=True)

    out = io.BytesIO()
    exported = export_zip(admin, out)
    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    assert {t: n for t, n in exported.rows.items() if n} == held
    readme = archive.read("README.md").decode()
    assert "## tickets.csv: 3 rows" in readme and "the tickets as they stand" in readme
    for table, n in held.items():
        text = archive.read(f"{table}.csv").decode("utf-8-sig")
        assert len(list(csv.DictReader(io.StringIO(text)))) == n, table
    tickets = list(csv.DictReader(io.StringIO(archive.read("tickets.csv").decode("utf-8-sig"))))
    assert sorted(t["subject"] for t in tickets) == ['\'=HYPERLINK("http://x.test")', "New phone", "bad date"]
    alerts = next(csv.DictReader(io.StringIO(archive.read("alerts.csv").decode("utf-8-sig"))))
    assert alerts["note"] == "Spoke to the IT lead"

    done = delete_organisation(admin, expected=exported.rows)
    assert sum(done.rows.values()) == sum(held.values())
    assert rows_of(store, acme.org_id, uploads, rollouts) == {}
    assert rows_of(store, beta.org_id, *ids(store, beta.org_id)) == beta_before
    assert rows_of(store, beta.org_id, *ids(store, beta.org_id), whole=True) == beta_rows  # not one changed
    (entry,) = store.cursor().execute("SELECT detail FROM care_log WHERE action = 'offboard'").fetchall()[0]
    assert entry.startswith(f"organisation 'Acme' (id {acme.org_id}) deleted: {sum(held.values())} rows")


def test_a_change_after_the_export_stops_the_deletion(two_orgs, load):
    acme, _ = two_orgs
    admin = open_scope(acme.store, OPERATOR, acme.org_id, "manage_organisations")
    exported = export_zip(admin, io.BytesIO())
    load(acme, "usage", "user_id,date,activity,count\na@acme.test,2025-04-01,mfa,1\n")
    with pytest.raises(RuntimeError, match="differ from those exported"):
        delete_organisation(admin, expected=exported.rows)
    assert acme.store.cursor().execute("SELECT count(*) FROM organisations WHERE name = 'Acme'").fetchall() == [(1,)]


def test_offboard_on_the_command_line(cli, tmp_path):
    cli("org", "add", "Acme", "--domain", "acme.test")
    cli("load", "--org", "Acme", "--kind", "usage", TINY / "usage.csv")
    zip_path = tmp_path / "acme.zip"
    wrong = cli("offboard", "--org", "Acme", "--export", zip_path, stdin="acme\n", ok=False)
    assert wrong.returncode == 2 and "not deleted: the name did not match" in wrong.stderr
    assert zipfile.ZipFile(zip_path).read("usage_events.csv").decode("utf-8-sig").count("\n") == 9  # header + 8
    again = cli("offboard", "--org", "Acme", "--export", zip_path, ok=False)
    assert "exists already" in again.stderr
    done = cli("offboard", "--org", "Acme", "--export", tmp_path / "acme2.zip", stdin="Acme\n").stdout
    assert "deleted Acme" in done and "none of its rows remain" in done
    assert cli("uploads", "--org", "Acme", ok=False).returncode == 2  # Acme is no more
