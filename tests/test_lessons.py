"""A rollout's post-mortem: written by the provider, read by the client, searched across clients
on the Portfolio, never across organisations a provider may not see; resolved flags are wins."""

from datetime import date, datetime

import pytest

from analysis import alerts, lessons, orgs
from analysis.access import AccessDenied, Principal
from analysis.ingest import load_file
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


def test_a_rule_that_could_not_be_judged_and_then_did_not_hold_is_no_win(store):
    # a roster loaded before its usage: LOW_ADOPTION and the others cannot be judged (no usage).
    # The usage then shows all ten champions active: those alerts close, but none was a red flag
    scope, rollout = build(store, {"champion": G}, team(10))
    alerts.evaluate_alerts(scope, rollout, as_of=date(2025, 2, 5), now=NOW)
    low = "SELECT state FROM alerts WHERE org_id = ? AND rule = 'LOW_ADOPTION'"
    assert store.cursor().execute(low, [scope.org_id]).fetchall() == [("not_enough_data",)]
    everyone = "".join(f"p{i}@{domain(store, scope)},2025-02-05,app,1\n" for i in range(10))
    load_file(scope, "usage", "usage.csv", ("user_id,date,activity,count\n" + everyone).encode(), rollout="R")
    alerts.evaluate_alerts(scope, rollout, as_of=date(2025, 2, 5), now=NOW)
    assert store.cursor().execute(low, [scope.org_id]).fetchall() == [("resolved",)]
    assert lessons.wins(scope, rollout).empty
    # a flag that fired and then stopped holding is a win: seven of ten active at age 30 fires
    # LOW_ADOPTION (under 80 %) for the cohort and its department; all ten a day later clears both
    fired, _ = build(store, {"champion": G}, team(10), [(f"p{i}", date(2025, 2, 5), "app") for i in range(7)])
    rollout = orgs.rollout(fired, "R")
    alerts.evaluate_alerts(fired, rollout, as_of=date(2025, 2, 5), now=NOW)
    rest = "".join(f"p{i}@{domain(store, fired)},2025-02-06,app,1\n" for i in range(10))
    load_file(fired, "usage", "more.csv", ("user_id,date,activity,count\n" + rest).encode(), rollout="R")
    alerts.evaluate_alerts(fired, rollout, as_of=date(2025, 2, 6), now=NOW)
    won = lessons.wins(fired, rollout)
    # the cohort's flag and its department's (IT: the same ten people)
    assert sorted(zip(won["rule"], won["cohort"].fillna("-"), won["department"].fillna("-"))) == [
        ("LOW_ADOPTION", "-", "IT"),
        ("LOW_ADOPTION", "champion", "-"),
    ]


def domain(store, scope) -> str:
    """The e-mail domain of the organisation's roster (build() makes one per organisation)."""
    found = "SELECT split_part(min(user_id), '@', 2) FROM roster WHERE org_id = ?"
    return store.cursor().execute(found, [scope.org_id]).fetchall()[0][0]
