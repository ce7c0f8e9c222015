"""A rollout's post-mortem: written by the provider, read by the client, searched across clients
on the Portfolio, never across organisations a provider may not see; resolved flags are wins."""

from datetime import datetime

import pytest

from analysis import alerts, lessons
from analysis.access import AccessDenied, Principal
from analysis.scope import open_scope
from tests.test_alerts import G, build, team, three_rule_world

NOW = datetime(2025, 3, 31, 9)


def test_a_post_mortem_is_written_by_the_provider_and_read_by_the_client(store):
    scope, rollout = three_rule_world(store)
    lessons.save(
        scope,
        rollout,
        {"went_wrong": "Wider rollout stalled in Warehouse", "learned": "Train before go-live, not after", "why": " "},
        now=NOW,
    )
    viewer = open_scope(store, Principal("boss@client.test", "client_viewer", frozenset({scope.org_id})), scope.org_id)
    found = lessons.post_mortem(viewer, rollout)
    assert (found["went_wrong"], found["why"], found["learned"]) == (
        "Wider rollout stalled in Warehouse",
        None,  # a blank heading is empty
        "Train before go-live, not after",
    )
    assert lessons.as_json(viewer, rollout)["learned"] == "Train before go-live, not after"
    with pytest.raises(AccessDenied):
        lessons.save(viewer, rollout, {"learned": "mine"})
    with pytest.raises(ValueError, match="at least one heading"):
        lessons.save(scope, rollout, {"went_wrong": "  "})
    assert lessons.post_mortem(scope, rollout)["went_wrong"] == "Wider rollout stalled in Warehouse"  # kept


def test_the_portfolio_searches_lessons_across_the_organisations_given(store):
    one, r1 = three_rule_world(store)
    two, r2 = build(store, {"champion": G}, team(3))
    three, r3 = build(store, {"champion": G}, team(3))
    lessons.save(one, r1, {"learned": "Champions need a week of hypercare"}, now=NOW)
    lessons.save(two, r2, {"recommend": "Book hypercare before the wider go-live", "went_wrong": "Tokens late"})
    lessons.save(three, r3, {"learned": "Hypercare in another client nobody may see here"})
    both = {"One": one, "Two": two}
    assert lessons.search(both, "hypercare")["organisation"].tolist() == ["One", "Two"]
    assert lessons.search(both, "HYPERCARE wider")["organisation"].tolist() == ["Two"]
    assert lessons.search(both, "nobody").empty  # the third organisation is not searched


def test_resolved_flags_are_the_rollouts_wins(store):
    scope, rollout = three_rule_world(store)
    alerts.evaluate_alerts(scope, rollout, now=NOW)
    store.cursor().execute("UPDATE alerts SET state = 'resolved', resolved_at = ? WHERE rule = 'LAPSING'", [NOW])
    assert lessons.wins(scope, rollout)["rule"].tolist() == ["LAPSING"]
