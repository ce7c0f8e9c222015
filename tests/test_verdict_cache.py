"""The red-flag verdict cache (analysis/alerts/verdict_cache.py, migration 027): a recording
evaluation keeps its verdicts; a read at the same key gives the same JSON without recomputing; a
load, an undo, a threshold change, another as-of day and an erasure all compute afresh; reads never
write; a scope reads only its own organisation's entries; states and STALE_DATA are read live.

The tiny organisation (tests/data/tiny) as of its newest usage day, 2025-02-10, judged on
2025-02-12: LOW_ADOPTION (high) and DECLINING_USAGE hold for the champions, seven rules cannot be
judged for want of data."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from analysis import alerts, orgs, uploads
from analysis.access import OPERATOR, Principal
from analysis.alerts import state, verdict_cache
from analysis.care.erasure import erase_person
from analysis.scope import open_scope
from tests.conftest import TINY

NOW = datetime(2025, 2, 12, 9)


@pytest.fixture
def tiny(acme, load):
    for kind in ("roster", "usage", "tickets"):
        load(acme, kind, (TINY / f"{kind}.csv").read_bytes())
    return acme, orgs.rollout(acme, "MFA")


@pytest.fixture
def computed(monkeypatch):
    """The evaluations that computed the verdicts (rather than read them from the cache)."""
    calls = []
    real = state.evaluated

    def counting(*args, **kwargs):
        calls.append(args[2] if len(args) > 2 else kwargs.get("as_of"))
        return real(*args, **kwargs)

    monkeypatch.setattr(state, "evaluated", counting)
    return calls


def as_json(found) -> str:
    return json.dumps([a.as_json() for a in found], sort_keys=True)


def read(scope, rollout, as_of=None, now=NOW):
    return alerts.evaluate_alerts(scope, rollout, as_of=as_of, now=now, record=False)


def entries(scope) -> int:
    sql = "SELECT count(*) FROM alert_verdicts WHERE org_id = ?"
    return scope.store.cursor().execute(sql, [scope.org_id]).fetchall()[0][0]


def test_a_read_after_the_recording_gives_the_computed_json_without_computing(tiny, computed):
    scope, rollout = tiny
    recorded = alerts.evaluate_alerts(scope, rollout, now=NOW, record=True)
    assert computed == [None] and entries(scope) == 1
    cached = read(scope, rollout)
    assert computed == [None]  # read from the cache
    assert [(a.rule, a.cohort, a.state, a.severity, a.since) for a in cached if a.state == "firing"] == [
        ("LOW_ADOPTION", "champion", "firing", "high", date(2025, 2, 5)),
        ("DECLINING_USAGE", "champion", "firing", "medium", date(2025, 2, 2)),
    ]
    # the same day named (as the pages do): the same entry
    assert as_json(read(scope, rollout, date(2025, 2, 10))) == as_json(cached)
    assert computed == [None]
    scope.store.cursor().execute("DELETE FROM alert_verdicts")
    assert as_json(read(scope, rollout)) == as_json(cached) == as_json(recorded)
    assert computed == [None, None]  # computed this time: identical JSON


def test_reads_never_write_the_cache(tiny, computed):
    scope, rollout = tiny
    read(scope, rollout)
    read(scope, rollout)
    assert entries(scope) == 0 and computed == [None, None]


def test_the_kpis_document_is_the_same_from_the_cache(tiny):
    from analysis.api.documents import kpis_document

    scope, rollout = tiny
    alerts.evaluate_alerts(scope, rollout, record=True)
    cached = kpis_document(scope, "Acme", rollout, None, None, record=False)
    scope.store.cursor().execute("DELETE FROM alert_verdicts")
    assert kpis_document(scope, "Acme", rollout, None, None, record=False) == cached


def test_a_new_load_computes_afresh(tiny, load, computed):
    scope, rollout = tiny
    alerts.evaluate_alerts(scope, rollout, now=NOW, record=True)
    load(scope, "usage", "user_id,date,activity,count\nd@acme.test,2025-02-04,mfa,1\n", name="more.csv")
    found = read(scope, rollout, now=NOW)
    assert computed == [None, None]
    assert found[0].alert_id is not None  # the stored alert's state and id, the new data's verdict
    assert entries(scope) == 1  # the read kept nothing


def test_an_undo_computes_afresh(tiny, load, computed):
    scope, rollout = tiny
    extra = load(scope, "usage", "user_id,date,activity,count\nd@acme.test,2025-02-04,mfa,1\n", name="more.csv")
    alerts.evaluate_alerts(scope, rollout, now=NOW, record=True)
    uploads.undo(scope, extra.upload_id)
    assert as_json(read(scope, rollout)) != "[]"
    assert computed == [None, None]


def test_a_threshold_change_computes_afresh_and_changing_it_back_reads_the_entry(tiny, computed):
    scope, rollout = tiny
    alerts.evaluate_alerts(scope, rollout, now=NOW, record=True)
    alerts.set_threshold(scope, rollout, "DECLINING_USAGE", "min_full_weeks", 20)
    assert "DECLINING_USAGE" not in {a.rule for a in read(scope, rollout) if a.state == "firing"}
    assert computed == [None, None]
    alerts.set_threshold(scope, rollout, "DECLINING_USAGE", "min_full_weeks", None)  # the same inputs again
    assert "DECLINING_USAGE" in {a.rule for a in read(scope, rollout) if a.state == "firing"}
    assert computed == [None, None]


def test_another_as_of_day_a_moved_go_live_or_window_computes_afresh(tiny, computed):
    from analysis import settings

    scope, rollout = tiny
    alerts.evaluate_alerts(scope, rollout, now=NOW, record=True)
    read(scope, rollout, date(2025, 1, 31))
    assert computed == [None, date(2025, 1, 31)]
    settings.set_rollout(scope, "MFA", cohorts={"wider": date(2025, 2, 2)})
    read(scope, orgs.rollout(scope, "MFA"))
    assert computed == [None, date(2025, 1, 31), None]
    settings.set_rollout(scope, "MFA", cohorts={"wider": date(2025, 2, 3)}, window_days=7)
    read(scope, orgs.rollout(scope, "MFA"))
    assert computed == [None, date(2025, 1, 31), None, None]


def test_states_and_stale_data_are_read_live(tiny, computed):
    scope, rollout = tiny
    alerts.evaluate_alerts(scope, rollout, now=NOW, record=True)
    low = next(a for a in read(scope, rollout) if a.rule == "LOW_ADOPTION" and a.state == "firing")
    alerts.acknowledge_alert(scope, low.alert_id, "Training on Monday", now=NOW)
    shown = next(a for a in read(scope, rollout) if a.rule == "LOW_ADOPTION" and a.cohort == "champion")
    assert (shown.state, shown.note) == ("acknowledged", "Training on Monday")
    # four weeks on, no new data: the usage (2025-02-10) is 28 days old and the tickets (2025-02-05)
    # 33, over STALE_DATA's 14 (judged against today when no as-of day is given)
    later = datetime(2025, 3, 10, 9)
    cached = read(scope, rollout, now=later)
    assert computed == [None]  # all of it from the cache
    stale = [(a.kind, a.since, a.evidence["days_old"]) for a in cached if a.rule == "STALE_DATA"]
    assert stale == [("tickets", date(2025, 2, 20), 33), ("usage", date(2025, 2, 25), 28)]
    scope.store.cursor().execute("DELETE FROM alert_verdicts")
    assert as_json(read(scope, rollout, now=later)) == as_json(cached)
    assert computed == [None, None]


def test_a_scope_reads_only_its_own_organisations_entries(tiny, store, load):
    scope, rollout = tiny
    alerts.evaluate_alerts(scope, rollout, now=NOW, record=True)
    other_id = orgs.add_organisation(store, OPERATOR, "Other", email_domains=["other.test"])
    other = open_scope(store, OPERATOR, other_id, "upload")
    orgs.add_rollout(other, "MFA", {"champion": date(2025, 1, 6)})
    # Acme's own key and rollout, asked through the other organisation's scope: nothing
    assert verdict_cache.read(other, rollout, verdict_cache.key(scope), None, NOW) is None
    # a client of Acme reads Acme's entry through its own scope
    viewer = open_scope(
        store, Principal("viewer@client.test", "client_viewer", frozenset({scope.org_id})), scope.org_id
    )
    assert verdict_cache.read(viewer, rollout, verdict_cache.key(viewer), None, NOW) is not None


def test_an_erasure_drops_the_organisations_entries(tiny):
    scope, rollout = tiny
    alerts.evaluate_alerts(scope, rollout, now=NOW, record=True)
    assert entries(scope) == 1
    erase_person(scope, "c@acme.test")
    assert entries(scope) == 0


def test_new_code_is_evaluated_by_the_next_pass_not_the_next_day(tiny, computed, monkeypatch):
    """After an upgrade the kept verdicts are under the old code's key: the background pass
    (analysis/schedule.py tick) evaluates at once, on the same day, so reads use the cache again."""
    from analysis import schedule

    scope, rollout = tiny
    morning, noon, evening = (datetime(2025, 2, 12, h) for h in (9, 12, 18))
    schedule.tick(scope.store, morning)
    assert computed == [None] and entries(scope) == 1
    schedule.tick(scope.store, noon)  # the same day, the same code: nothing to do
    assert computed == [None]

    monkeypatch.setattr(verdict_cache, "code_version", lambda: "0123456789abcdef")  # the upgrade
    read(scope, rollout)
    assert computed == [None, None]  # the old entry is not read by the new code
    schedule.tick(scope.store, noon)
    assert computed == [None, None, None] and entries(scope) == 2  # evaluated and kept under the new key
    read(scope, rollout)
    schedule.tick(scope.store, evening)
    assert computed == [None, None, None]  # read from the new entry; the pass had nothing to do
