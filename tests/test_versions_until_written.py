"""The cache keys' version reads are kept until the next write to the database (ui/cached.py
until_written, analysis/store.py Store.writes): read once while nothing is written, read afresh
after any committed write by any Store on the same file, never shared between databases."""

from __future__ import annotations

from datetime import date

import pytest

from analysis import orgs, settings, uploads
from analysis.access import OPERATOR
from analysis.alerts import alerts_version
from analysis.scope import open_scope
from analysis.store import Store
from tests.conftest import TINY
from ui import cached


@pytest.fixture
def reads(monkeypatch):
    """The data-version reads that reached the database."""
    calls = []
    real = uploads.data_version
    monkeypatch.setattr(uploads, "data_version", lambda scope: calls.append(scope.org_id) or real(scope))
    return calls


def test_read_once_until_a_write(acme, load, reads):
    first = cached.versions(acme)
    assert cached.versions(acme) == first and reads == [acme.org_id]  # the second from memory
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    after_load = cached.versions(acme)
    assert after_load[0] != first[0] and len(reads) == 2  # a load: a new data version at once
    settings.set_rollout(acme, "MFA", cohorts={"champion": date(2025, 1, 13)})
    moved = cached.versions(acme)
    assert moved[0] == after_load[0] and moved[1] != after_load[1]  # a go-live moved: a new settings version


def test_a_failed_write_keeps_the_versions(acme, reads):
    before = cached.versions(acme)
    with pytest.raises(ZeroDivisionError), acme.store.transaction(housekeeping="a test's rollback") as cur:
        cur.execute("DELETE FROM uploads")
        raise ZeroDivisionError("the write fails")
    assert cached.versions(acme) == before and len(reads) == 1


def test_the_alerts_version_follows_an_acknowledgement(acme, load):
    from analysis import alerts

    for kind in ("roster", "usage"):
        load(acme, kind, (TINY / f"{kind}.csv").read_bytes())
    rollout = orgs.rollout(acme, "MFA")
    firing = [a for a in alerts.evaluate_alerts(acme, rollout, record=True) if a.state == "firing"]
    before = cached.until_written(acme, "alerts_version", alerts_version)
    alerts.acknowledge_alert(acme, firing[0].alert_id, "drop-ins booked")
    after = cached.until_written(acme, "alerts_version", alerts_version)
    assert after == alerts_version(acme) != before


def test_two_databases_never_share_an_entry(store, tmp_path):
    one = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Acme"), "configure")
    second = Store(":memory:", staging_dir=tmp_path / "second")
    try:
        two = open_scope(second, OPERATOR, orgs.add_organisation(second, OPERATOR, "Acme"), "configure")
        orgs.add_rollout(two, "MFA", {"champion": date(2025, 1, 6)})
        assert one.org_id == two.org_id  # the same organisation id, in two databases
        assert cached.versions(one) != cached.versions(two)
        assert cached.versions(two) == (uploads.data_version(two), settings.settings_version(two))
    finally:
        second.close()


def test_the_kept_organisations_are_filtered_for_each_principal(store):
    from analysis.access import Principal

    a = orgs.add_organisation(store, OPERATOR, "Acme")
    b = orgs.add_organisation(store, OPERATOR, "Birch")
    assert list(cached.organisations(store, OPERATOR)["name"]) == ["Acme", "Birch"]  # read and kept
    viewer = Principal("viewer@birch.test", "client_viewer", frozenset({b}))
    assert list(cached.organisations(store, viewer)["org_id"]) == [b]  # from the kept read, filtered
    c = orgs.add_organisation(store, OPERATOR, "Cedar")  # a write: read again
    assert list(cached.organisations(store, OPERATOR)["org_id"]) == [a, b, c]


def test_a_kept_rollout_changed_by_its_caller_is_not_changed_for_the_next(acme):
    mine = cached.rollouts(acme)
    mine[0].target_adoption = 0.5  # as analysis/kpis/goals.py does to the one it holds
    assert cached.rollouts(acme)[0].target_adoption == orgs.rollout(acme, "MFA").target_adoption == 0.8


def test_two_step_sign_in_required_takes_effect_at_the_next_run(acme, monkeypatch):
    """The setting every run asks for is read once while nothing is written, and at once after."""
    from analysis import auth
    from analysis.auth import app_settings
    from tests.test_auth import PASSWORD

    read = []
    real = app_settings._read
    monkeypatch.setattr(app_settings, "_read", lambda store, key: read.append(key) or real(store, key))
    manager = auth.add_account(
        acme.store, OPERATOR, "am@provider.test", "account_manager", [acme.org_id], password=PASSWORD
    )
    assert not auth.needs_totp_setup(acme.store, manager) and not auth.needs_totp_setup(acme.store, manager)
    assert read == ["require_totp_for_providers"]  # the second run from memory
    auth.set_totp_required_for_providers(acme.store, OPERATOR, True)
    assert auth.needs_totp_setup(acme.store, manager)  # the admin's change: the very next run
    assert read == ["require_totp_for_providers"] * 2


def test_a_deleted_organisation_is_not_opened_from_a_kept_read(acme, monkeypatch):
    from analysis import scope as scope_module
    from analysis.access import AccessDenied
    from analysis.care.offboard import delete_organisation

    asked = []
    real = scope_module._exists
    monkeypatch.setattr(scope_module, "_exists", lambda store, org_id: asked.append(org_id) or real(store, org_id))
    admin = open_scope(acme.store, OPERATOR, acme.org_id, "manage_organisations")
    open_scope(acme.store, OPERATOR, acme.org_id)
    assert asked == [acme.org_id]  # the second from memory
    delete_organisation(admin)
    with pytest.raises(AccessDenied):
        open_scope(acme.store, OPERATOR, acme.org_id)


def test_the_demo_label_follows_the_organisation(store):
    demo = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Demo Co", synthetic=True))
    client = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Acme"))
    assert cached.is_synthetic(demo) and not cached.is_synthetic(client)
    assert cached.is_synthetic(demo) and not cached.is_synthetic(client)  # kept: per organisation
