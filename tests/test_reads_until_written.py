"""Small reads of what people write are kept until the next write to the database (analysis/scope.py
UNTIL_WRITTEN, analysis/store.py Store.writes): read once while nothing is written, read afresh after
any committed write, never handed to another organisation or database, and each caller's copy is its own."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from analysis import orgs
from analysis.access import OPERATOR
from analysis.alerts import actions
from analysis.scope import Scope, open_scope
from analysis.store import Store

NOW = datetime(2025, 3, 1, 9)


@pytest.fixture
def ran(monkeypatch):
    """The queries that reached the database, by name."""
    names: list[str] = []
    real = Scope._run

    def counting(self, query, params):
        names.append(query)
        return real(self, query, params)

    monkeypatch.setattr(Scope, "_run", counting)
    return names


def test_read_once_until_a_write_and_a_write_shows_at_once(acme, ran):
    rollout = orgs.rollout(acme, "MFA")
    assert actions.actions(acme, rollout, today=date(2025, 3, 1)).empty
    assert actions.actions(acme, rollout, today=date(2025, 3, 1)).empty
    assert ran.count("flag_actions") == 1  # the second from memory
    actions.add_action(acme, rollout, "LAPSING", "Call the six who stopped", "Sam", date(2025, 2, 20), now=NOW)
    found = actions.actions(acme, rollout, today=date(2025, 3, 1))
    assert list(found["title"]) == ["Call the six who stopped"] and bool(found["overdue"].iloc[0])
    assert ran.count("flag_actions") == 2
    # another day is another read: overdue is judged on the day asked
    assert not actions.actions(acme, rollout, today=date(2025, 2, 1))["overdue"].iloc[0]


def test_a_rolled_back_write_keeps_what_was_read(acme, ran):
    rollout = orgs.rollout(acme, "MFA")
    before = orgs.rollouts(acme)
    with pytest.raises(ZeroDivisionError), acme.store.transaction(housekeeping="a test's rollback") as cur:
        cur.execute("UPDATE rollouts SET name = 'Renamed' WHERE rollout_id = ?", [rollout.rollout_id])
        raise ZeroDivisionError("the write fails")
    assert orgs.rollouts(acme) == before and ran.count("rollouts") == 1


def test_another_organisation_never_gets_the_kept_result(acme, store, ran):
    orgs.rollouts(acme)
    other = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Globex", email_domains=["globex.test"]))
    assert orgs.rollouts(other) == [] and [r.name for r in orgs.rollouts(acme)] == ["MFA"]


def test_two_databases_never_share_one(tmp_path, acme):
    second = Store(":memory:", staging_dir=tmp_path / "second")
    try:
        org = orgs.add_organisation(second, OPERATOR, "Acme", email_domains=["acme.test"])
        scope = open_scope(second, OPERATOR, org)
        assert org == acme.org_id  # the same organisation id in both
        assert orgs.rollouts(scope) == [] and [r.name for r in orgs.rollouts(acme)] == ["MFA"]
    finally:
        second.close()


def test_a_callers_changes_stay_its_own(acme):
    rollout = orgs.rollout(acme, "MFA")
    actions.add_action(acme, rollout, "LAPSING", "Call the six who stopped", "Sam", date(2025, 2, 20), now=NOW)
    mine = actions.actions(acme, rollout, today=date(2025, 3, 1))
    mine.loc[0, "title"] = "changed by one caller"
    assert actions.actions(acme, rollout, today=date(2025, 3, 1)).loc[0, "title"] == "Call the six who stopped"
