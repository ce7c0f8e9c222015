"""A rollout's phases: the plan its go-lives suggest, a saved plan with targets read per phase
(baseline the day before the phase, value on its last day), a recovery after a failed landing.
Hand-worked on tests/data/tiny (docs/metrics.md#worked-example-the-tiny-set)."""

from datetime import date

import pytest

from analysis import orgs, phases
from analysis.access import AccessDenied, Principal
from analysis.scope import open_scope
from tests.conftest import TINY

D = date


@pytest.fixture
def tiny(acme, load):
    for kind in ("roster", "usage"):
        load(acme, kind, (TINY / f"{kind}.csv").read_bytes())
    return acme, orgs.rollout(acme, "MFA")


def test_the_go_lives_suggest_the_plan(tiny):
    scope, rollout = tiny
    plan = phases.phases(scope, rollout)
    assert [(p.name, p.starts, p.ends, p.suggested) for p in plan] == [
        ("plan", D(2024, 12, 9), D(2025, 1, 5), True),  # the 28 days before the champions' go-live
        ("champion pilot", D(2025, 1, 6), D(2025, 2, 2), True),
        ("wider rollout", D(2025, 2, 3), D(2025, 3, 2), True),
        ("hypercare", D(2025, 3, 3), D(2025, 3, 30), True),
    ]


def test_each_phase_says_whether_its_targets_were_met(tiny):
    scope, rollout = tiny
    plan = phases.phases(scope, rollout)
    plan[1].targets = {"adoption_rate": 0.5}
    plan[2].targets = {"adoption_rate": 0.8}
    phases.save_plan(scope, rollout, plan)
    found = {r["phase"].name: r for r in phases.results(scope, rollout, D(2025, 2, 10), 28)}
    assert list(found) == ["plan", "champion pilot", "wider rollout"]  # hypercare has not started
    pilot = found["champion pilot"]
    # as of 02-02 (window 01-06 .. 02-02): b, c and f of the 6 licensed used it: 50 %, the target: met.
    # The baseline, as of 01-05 (window 12-09 .. 01-05): a alone, 1 of 6
    [reading] = pilot["readings"]
    assert reading["value"] == pytest.approx(0.5) and reading["baseline"] == pytest.approx(1 / 6)
    assert (pilot["status"], reading["met"]) == ("met", True)
    # the wider rollout runs: as of 02-10, 3 of 6 active (50 %) against 80 %: off track
    assert found["wider rollout"]["status"] == "off track"
    assert found["wider rollout"]["readings"][0]["value"] == pytest.approx(0.5)
    assert found["plan"]["status"] == "no targets"
    json = phases.as_json(scope, rollout, D(2025, 2, 10), 28)
    assert [(p["name"], p["status"], p["suggested"]) for p in json] == [
        ("plan", "no targets", False),
        ("champion pilot", "met", False),
        ("wider rollout", "off track", False),
        ("hypercare", "not started", False),
    ]


def test_a_recovery_follows_a_failed_landing(tiny):
    scope, rollout = tiny
    plan = phases.start_recovery(scope, rollout, D(2025, 2, 10))
    assert [(p.name, p.kind, p.starts, p.ends) for p in plan] == [
        ("plan", "plan", D(2024, 12, 9), D(2025, 1, 5)),
        ("champion pilot", "plan", D(2025, 1, 6), D(2025, 2, 2)),
        ("wider rollout", "plan", D(2025, 2, 3), D(2025, 2, 9)),  # ended the day before the recovery
        ("stabilise", "recovery", D(2025, 2, 10), D(2025, 2, 23)),  # 2 weeks
        ("re-design", "recovery", D(2025, 2, 24), D(2025, 3, 23)),  # 4 weeks
        ("re-enable", "recovery", D(2025, 3, 24), D(2025, 4, 6)),  # 2 weeks
        ("monitor", "recovery", D(2025, 4, 7), D(2025, 5, 4)),  # 4 weeks; hypercare gave way
    ]


def test_a_plan_is_the_providers_and_its_phases_follow_each_other(tiny):
    scope, rollout = tiny
    plan = phases.phases(scope, rollout)
    plan[2].starts = D(2025, 2, 1)  # before the champion pilot ends on 02-02
    with pytest.raises(ValueError, match="wider rollout starts before champion pilot ends"):
        phases.save_plan(scope, rollout, plan)
    plan = phases.suggested_plan(rollout)
    plan[1].targets = {"adoption_rate": 80}
    with pytest.raises(ValueError, match="between 0 and 1"):
        phases.save_plan(scope, rollout, plan)
    viewer = open_scope(
        scope.store, Principal("boss@acme.test", "client_viewer", frozenset({scope.org_id})), scope.org_id
    )
    with pytest.raises(AccessDenied):
        phases.save_plan(viewer, rollout, phases.suggested_plan(rollout))
    assert all(p.suggested for p in phases.phases(viewer, rollout))  # nothing was saved
