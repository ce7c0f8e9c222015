"""Erasing one person (analysis/care/erasure.py): their rows go, every mention is replaced, the
daily summaries stay equal to a recomputation, the audit entry holds no trace of them, and no
other person or organisation is touched."""

from datetime import date

import pytest

from analysis import orgs, rollout_days
from analysis.access import OPERATOR, AccessDenied, Principal
from analysis.annotations import add_annotation
from analysis.care.checksums import columns, quoted, user_tables
from analysis.care.erasure import erase_person
from analysis.scope import open_scope
from analysis.store import Store
from tests.conftest import TINY, counts

NAMES = ("c@acme.test", "cat cole")  # Cat Cole's user id and the name the roster gives it


OWNED = {
    "org_id": "org_id = ? AND ",
    "upload_id": "upload_id IN (SELECT upload_id FROM uploads WHERE org_id = ?) AND ",
    "rollout_id": "rollout_id IN (SELECT rollout_id FROM rollouts WHERE org_id = ?) AND ",
}


def mentions(store, org_id: int) -> list[tuple[str, str]]:
    """(table, column) of every text cell that names Cat Cole: every table's text columns, the
    organisation's rows where the table has an org_id (or the upload or rollout of one), all
    rows otherwise."""
    cur = store.cursor()
    found = []
    for table in user_tables(cur):
        cols = columns(cur, table)
        names = {c for c, _ in cols}
        scoped = next((where for key, where in OWNED.items() if key in names), "")
        for column, kind in cols:
            if kind not in ("VARCHAR", "VARCHAR[]"):
                continue
            text = f"lower(CAST({quoted(column)} AS VARCHAR))"
            for name in NAMES:
                sql = f"SELECT count(*) FROM {quoted(table)} WHERE {scoped}contains({text}, ?)"  # noqa: S608
                if cur.execute(sql, [org_id, name] if scoped else [name]).fetchall()[0][0]:
                    found.append((table, column))
    return found


@pytest.fixture
def acme_with_cat(acme, load):
    store = acme.store
    cur = store.cursor()
    load(acme, "roster", (TINY / "roster.csv").read_bytes())  # c@acme.test is Cat Cole, champion
    load(acme, "usage", (TINY / "usage.csv").read_bytes())  # one row of c's: 2025-01-20
    extra = load(
        acme,
        "usage",
        """
        user_id,date,activity,count
        a@acme.test,2025-03-01,mfa,1
        b@acme.test,2025-03-01,mfa,1
        d@acme.test,2025-03-02,mfa,2
        c@acme.test,2025-13-45,mfa,1
        """,
        name="march.csv",
    )
    assert extra.rows_rejected == 1  # the bad date: a rejected row that names c
    load(
        acme,
        "tickets",
        """
        ticket_id,created_at,requester,subject,status,category,resolved_at,reopened
        T1,2025-01-06 09:00,a@acme.test,New phone for c@acme.test,solved,MFA,2025-01-06 13:00,0
        T2,2025-01-08 10:00,Cat Cole,Authenticator app,solved,MFA,2025-01-09 10:00,0
        T3,2025-01-20 14:00,b@acme.test,New phone,solved,MFA,2025-01-21 08:00,1
        """,
        rollout=None,
    )
    add_annotation(acme, "MFA", date(2025, 1, 21), "other", "Cat Cole showed the Sales team")
    cur.execute(
        "INSERT INTO out_of_scope_people (org_id, rollout_id, user_id, marked_by) VALUES (?, 1, ?, 'x')",
        [acme.org_id, "c@acme.test"],
    )
    # another organisation's Cat Cole is another person: untouched
    beta_id = orgs.add_organisation(store, OPERATOR, "Beta", email_domains=["acme.test"])
    beta = open_scope(store, OPERATOR, beta_id, "upload")
    orgs.add_rollout(beta, "MFA", {"champion": date(2025, 1, 6)})
    load(beta, "roster", "user_id,display_name,cohort\nc@acme.test,Cat Cole,champion\nz@acme.test,Zed,champion\n")
    return acme, beta


def test_erasing_a_person_leaves_no_row_that_names_them(acme_with_cat):
    acme, beta = acme_with_cat
    store = acme.store
    assert len(mentions(store, acme.org_id)) >= 8  # roster, usage, daily, days, ticket, rejected, note, mark, messages
    beta_before = mentions(store, beta.org_id)
    before = {t: counts(store, t) for t in ("roster", "usage_events", "tickets", "rejected_rows")}

    done = erase_person(open_scope(store, OPERATOR, acme.org_id, "manage_organisations"), "c@acme.test")

    assert mentions(store, acme.org_id) == []
    assert mentions(store, beta.org_id) == beta_before  # Beta's roster still names its Cat Cole
    after = {t: counts(store, t) for t in ("roster", "usage_events", "tickets", "rejected_rows")}
    # by hand: one roster row of 7 (Beta's 2 stay), c's one usage row of 11, ticket T2 (requested
    # by Cat Cole) of 3, the one rejected row (c's bad date)
    assert before == {"roster": 9, "usage_events": 11, "tickets": 3, "rejected_rows": 1}
    assert after == {"roster": 8, "usage_events": 10, "tickets": 2, "rejected_rows": 0}
    assert (done.deleted["roster"], done.deleted["usage_events"], done.deleted["tickets"]) == (1, 1, 1)
    cur = store.cursor()
    # T1 stays (a@acme.test asked): the mention in its subject is replaced
    assert cur.execute("SELECT subject FROM tickets WHERE ticket_id = 'T1'").fetchall() == [("New phone for [erased]",)]
    assert cur.execute("SELECT note FROM annotations").fetchall() == [("[erased] showed the Sales team",)]
    # the summaries equal a recomputation from the events that remain
    assert (
        cur.execute(
            "SELECT user_id, day, activity, sum(events) FROM usage_events WHERE org_id = ? GROUP BY ALL "
            "EXCEPT SELECT user_id, day, activity, events FROM usage_daily WHERE org_id = ?",
            [acme.org_id, acme.org_id],
        ).fetchall()
        == []
    )
    kept = sorted(cur.execute("SELECT * FROM rollout_days WHERE org_id = ?", [acme.org_id]).fetchall())
    with store.transaction() as tx:
        rollout_days.rebuild(tx, acme.org_id, 1)
    assert sorted(cur.execute("SELECT * FROM rollout_days WHERE org_id = ?", [acme.org_id]).fetchall()) == kept
    # the audit entry says what went, not who
    (detail,) = cur.execute("SELECT detail FROM care_log WHERE action = 'erase-person'").fetchall()[0]
    assert "roster 1" in detail and "usage_events 1" in detail and "tickets 1" in detail
    assert not any(name in detail.lower() for name in NAMES)


def test_erasing_by_name_finds_the_user_id_and_only_an_admin_may(acme_with_cat):
    acme, _ = acme_with_cat
    manager = Principal("am@msp.test", "account_manager", frozenset({acme.org_id}))
    with pytest.raises(AccessDenied):
        erase_person(open_scope(acme.store, manager, acme.org_id), "Cat Cole")
    erase_person(open_scope(acme.store, OPERATOR, acme.org_id, "manage_organisations"), "Cat Cole")
    assert mentions(acme.store, acme.org_id) == []
    with pytest.raises(ValueError, match="at least 3"):
        erase_person(open_scope(acme.store, OPERATOR, acme.org_id, "manage_organisations"), "c")


def test_erase_person_on_the_command_line_asks_first(cli):
    cli("org", "add", "Acme", "--domain", "acme.test")
    cli("load", "--org", "Acme", "--kind", "usage", TINY / "usage.csv")
    refused = cli("erase-person", "--org", "Acme", "c@acme.test", stdin="no\n", ok=False)
    assert refused.returncode == 2 and "not erased" in refused.stderr
    done = cli("erase-person", "--org", "Acme", "c@acme.test", stdin="yes\n").stdout
    assert "erased from Acme: rows removed: usage_events 1, usage_daily 1" in done
    assert "mentions replaced in 1 other cells" in done  # the load's message
    again = cli("erase-person", "--org", "Acme", "--yes", "c@acme.test").stdout
    assert "rows removed: no rows" in again
    # the load's message listed c among the people not on the roster: the mention is replaced
    store = Store(cli.path)
    try:
        (messages,) = store.cursor().execute("SELECT messages FROM uploads").fetchall()[0]
    finally:
        store.close()
    assert messages == [
        "6 people in this file are not on the roster (e.g. a@acme.test, b@acme.test, [erased]): their use is "
        "stored and reported as unknown people, not counted as licensed"
    ]
