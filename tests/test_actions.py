"""Root causes and actions on red flags: a provider writes them, a client reads them, another
organisation sees none; overdue actions; every change in the history; a high flag's snooze needs a
note and lasts at most 30 days."""

import json
from datetime import date, datetime

import pytest

from analysis import alerts
from analysis.access import AccessDenied, Principal
from analysis.alerts import actions
from analysis.scope import open_scope
from tests.test_alerts import G, build, day, team, three_rule_world

NOW = datetime(2025, 3, 31, 9)


def test_a_provider_records_why_a_flag_holds_and_what_is_done(store):
    scope, rollout = three_rule_world(store)
    manager = open_scope(store, Principal("am@msp.test", "account_manager", frozenset({scope.org_id})), scope.org_id)
    actions.save_root_cause(
        manager,
        rollout,
        "TICKET_SPIKE",
        ["Push prompts time out", "The authenticator app is outdated", "", "No update policy on phones"],
        ["technology", "process"],
        "Phones never received the app update",
        now=NOW,
    )
    late = actions.add_action(
        manager, rollout, "TICKET_SPIKE", "Push the app update", "Dana (MSP)", day("2025-03-28"), now=NOW
    )
    actions.add_action(
        manager, rollout, "TICKET_SPIKE", "Desk guide for push prompts", "Lee", day("2025-04-10"), now=NOW
    )
    [cause] = actions.root_causes(scope, rollout).to_dict("records")
    # the empty why is left out; categories are kept in order
    assert list(cause["whys"]) == [
        "Push prompts time out",
        "The authenticator app is outdated",
        "No update policy on phones",
    ]
    assert list(cause["categories"]) == ["process", "technology"] and cause["updated_by"] == "am@msp.test"
    # on 31 March the first action (due 28 March, still open) is overdue; the second is not due yet
    overdue = actions.overdue_actions(scope, rollout, today=date(2025, 3, 31))
    assert overdue[["title", "owner"]].values.tolist() == [["Push the app update", "Dana (MSP)"]]
    actions.update_action(manager, late, "done", "Update pushed to 48 of 50 phones", now=NOW)
    assert actions.overdue_actions(scope, rollout, today=date(2025, 3, 31)).empty
    history = actions.action_history(scope, rollout)
    assert history[["event", "by_name"]].values.tolist() == [
        ["root cause", "am@msp.test"],
        ["added", "am@msp.test"],
        ["added", "am@msp.test"],
        ["done", "am@msp.test"],
    ]
    assert history["note"].tolist()[-1] == "Update pushed to 48 of 50 phones"
    contract = actions.as_json(scope, rollout, today=date(2025, 3, 31))
    assert [a["status"] for a in contract["actions"]] == ["done", "open"]
    assert contract["root_causes"][0]["summary"] == "Phones never received the app update"
    # the open action has no outcome: null in the JSON, never NaN (the API's JSON refused NaN: a 500)
    assert [a["outcome"] for a in contract["actions"]] == ["Update pushed to 48 of 50 phones", None]
    json.dumps(contract, allow_nan=False)


def test_a_client_reads_but_never_writes_and_another_organisation_sees_nothing(store):
    scope, rollout = three_rule_world(store)
    actions.add_action(scope, rollout, "LAPSING", "Call the six who stopped", "Sam", day("2025-04-04"), now=NOW)
    viewer = open_scope(store, Principal("boss@client.test", "client_viewer", frozenset({scope.org_id})), scope.org_id)
    assert actions.actions(viewer, rollout)["title"].tolist() == ["Call the six who stopped"]
    with pytest.raises(AccessDenied):
        actions.add_action(viewer, rollout, "LAPSING", "Mine", "Me", day("2025-04-04"))
    with pytest.raises(AccessDenied):
        actions.save_root_cause(viewer, rollout, "LAPSING", ["why"], [], None)
    [action_id] = actions.actions(scope, rollout)["action_id"].tolist()
    with pytest.raises(AccessDenied):
        actions.update_action(viewer, action_id, "done", "closed by the client")
    other, other_rollout = build(store, {"champion": G}, team(1))
    assert actions.actions(other).empty and actions.root_causes(other).empty
    with pytest.raises(LookupError):  # another organisation's action id is not found through this scope
        actions.update_action(other, action_id, "done", "not mine")


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda s, r: actions.save_root_cause(s, r, "LAPSING", ["a"], ["weather"], None), "unknown categories weather"),
        (lambda s, r: actions.save_root_cause(s, r, "LAPSING", ["", " "], [], " "), "at least one why"),
        (lambda s, r: actions.save_root_cause(s, r, "LAPSING", list("abcdef"), [], None), "at most 5 whys"),
        (lambda s, r: actions.add_action(s, r, "NO_SUCH_RULE", "x", "y", day("2025-04-01")), "unknown rule"),
        (lambda s, r: actions.add_action(s, r, "LAPSING", " ", "y", day("2025-04-01")), "the action is empty"),
        (lambda s, r: actions.add_action(s, r, "LAPSING", "x", "", day("2025-04-01")), "the owner is empty"),
        (
            lambda s, r: actions.add_action(s, r, "LAPSING", "x", "y", day("2025-04-01"), alert_id=99999),
            "no LAPSING alert",
        ),
    ],
)
def test_bad_root_causes_and_actions_are_refused(store, call, message):
    scope, rollout = three_rule_world(store)
    with pytest.raises((ValueError, LookupError), match=message):
        call(scope, rollout)
    assert actions.actions(scope, rollout).empty and actions.root_causes(scope, rollout).empty


def test_an_action_is_closed_only_with_its_outcome(store):
    scope, rollout = three_rule_world(store)
    action_id = actions.add_action(scope, rollout, "LAPSING", "Call them", "Sam", day("2025-04-04"), now=NOW)
    with pytest.raises(ValueError, match="the outcome is empty"):
        actions.update_action(scope, action_id, "dropped", "  ")
    actions.update_action(scope, action_id, "in progress", now=NOW)
    assert actions.actions(scope, rollout)["status"].tolist() == ["in progress"]


def test_a_high_flag_is_snoozed_only_with_a_note_and_for_30_days_at_most(store):
    scope, rollout = three_rule_world(store)
    [alert, *_] = alerts.evaluate_alerts(scope, rollout, now=NOW)
    # the rule set of this world gives medium flags; make this one high as a rule would
    store.cursor().execute("UPDATE alerts SET severity = 'high' WHERE alert_id = ?", [alert.alert_id])
    with pytest.raises(ValueError, match="needs a note"):
        alerts.snooze_alert(scope, alert.alert_id, day("2025-04-10"), None, now=NOW)
    with pytest.raises(ValueError, match="at most 30 days"):
        alerts.snooze_alert(scope, alert.alert_id, day("2025-05-01"), "after the holidays", now=NOW)
    # 30 days from 31 March is 30 April: allowed, with the note in the history
    snoozed = alerts.snooze_alert(scope, alert.alert_id, day("2025-04-30"), "waiting for the phone refresh", now=NOW)
    assert snoozed["state"] == "snoozed"
    assert (
        alerts.alert_history(scope, rollout)["note"].tolist()[-1] == "until 2025-04-30: waiting for the phone refresh"
    )


def test_a_rollout_without_a_champion_cohort_says_so(store):
    from analysis.kpis import kpi_table

    scope, rollout = build(store, {"pilot": G, "wave 2": day("2025-02-03")}, team(6, cohort="pilot"))
    found = {a.rule: a for a in alerts.evaluate_alerts(scope, rollout, record=False)}
    for rule in ("CHAMPION_GAP", "PILOT_NOT_READY"):
        assert found[rule].state == "not_enough_data"
        assert found[rule].message.startswith("This rollout has no champion cohort")
    table = kpi_table(scope, rollout, day("2025-02-10"))
    [note] = table.loc[(table["kpi"] == "adoption_rate") & (table["cohort"] == "pilot"), "note"]
    assert "baseline: the baseline window (no champion cohort to compare with)" in note
