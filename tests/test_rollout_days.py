"""The rollout_days summary (analysis/rollout_days.py, migration 013) gives the same figures as the
raw usage rows, through loads, an undo, a re-load, a change of activities and a new rollout."""

from __future__ import annotations

from datetime import date

from analysis import metrics, orgs, settings
from analysis import store as store_module
from analysis.store import Store
from analysis.uploads import undo

ROSTER = """
user_id,display_name,department,cohort,licensed
a@acme.test,Ann,IT,champion,yes
b@acme.test,Ben,IT,champion,yes
c@acme.test,Cat,Sales,wider,yes
d@acme.test,Dan,Sales,wider,yes
"""
# a: counting and legacy on 01-07 (two activities, one day); b: legacy only; c: another activity
# (teams, counting by default) and a zero count; d: nothing yet.
FIRST = """
user_id,date,activity,count
a@acme.test,2025-01-07 09:00,mfa,1
a@acme.test,2025-01-07 10:00,sms,1
a@acme.test,2025-01-14,mfa,2
b@acme.test,2025-01-08,sms,1
c@acme.test,2025-02-04,teams,1
c@acme.test,2025-02-05,mfa,0
"""
# adds events to a day already stored (a 01-14), a new day for b and d's first use
SECOND = """
user_id,date,activity,count
a@acme.test,2025-01-14 15:00,mfa,1
b@acme.test,2025-01-20,mfa,1
d@acme.test,2025-02-10,mfa,1
"""

# The oracle: the rollout's counting and legacy days straight from the stored events.
RAW = """
SELECT e.user_id, e.day,
       bool_or(CASE WHEN len(r.activities) > 0 THEN list_contains(r.activities, e.activity)
                    ELSE NOT list_contains(r.legacy_activities, e.activity) END) AS counting,
       bool_or(list_contains(r.legacy_activities, e.activity)) AS legacy
FROM usage_events AS e JOIN rollouts AS r ON r.org_id = e.org_id
WHERE e.org_id = $org AND r.rollout_id = $rollout AND e.events > 0
GROUP BY ALL HAVING counting OR legacy ORDER BY ALL
"""
SUMMARY = (
    "SELECT user_id, day, counting, legacy FROM rollout_days WHERE org_id = $org AND rollout_id = $rollout ORDER BY ALL"
)


def rows(scope, sql: str, rollout_id: int) -> list[tuple]:
    return scope.store.cursor().execute(sql, {"org": scope.org_id, "rollout": rollout_id}).fetchall()


def weekly_from_events(scope, rollout_id: int) -> dict:
    """Weekly active licensed people of 'all', by week, counted from usage_events directly."""
    found = (
        scope.store.cursor()
        .execute(
            "SELECT CAST(date_trunc('week', e.day) AS DATE), count(DISTINCT e.user_id) FROM usage_events e "
            "JOIN rollouts r ON r.org_id = e.org_id WHERE e.org_id = $org AND r.rollout_id = $rollout "
            "AND e.events > 0 AND NOT list_contains(r.legacy_activities, e.activity) "
            "AND (len(r.activities) = 0 OR list_contains(r.activities, e.activity)) GROUP BY 1",
            {"org": scope.org_id, "rollout": rollout_id},
        )
        .fetchall()
    )
    return dict(found)


def check_against_events(scope, rollout) -> None:
    assert rows(scope, SUMMARY, rollout.rollout_id) == rows(scope, RAW, rollout.rollout_id)
    weekly = metrics.weekly_active_users(scope, rollout, date(2025, 2, 16), start=date(2025, 1, 6))
    weekly = weekly[weekly["cohort"] == "all"]
    expected = weekly_from_events(scope, rollout.rollout_id)
    assert {w.date(): n for w, n in zip(weekly["week_start"], weekly["active_users"]) if n} == expected


def test_summary_matches_the_events_through_loads_undo_and_reload(acme, load):
    load(acme, "roster", ROSTER)
    rollout = orgs.rollout(acme, "MFA")
    load(acme, "usage", FIRST)
    check_against_events(acme, rollout)
    # by hand: a counting (and legacy) 01-07, counting 01-14; b legacy 01-08; c counting 02-04
    assert rows(acme, SUMMARY, rollout.rollout_id) == [
        ("a@acme.test", date(2025, 1, 7), True, True),
        ("a@acme.test", date(2025, 1, 14), True, False),
        ("b@acme.test", date(2025, 1, 8), False, True),
        ("c@acme.test", date(2025, 2, 4), True, False),
    ]
    second = load(acme, "usage", SECOND)
    check_against_events(acme, rollout)
    assert len(rows(acme, SUMMARY, rollout.rollout_id)) == 6  # b 01-20 and d 02-10 added
    # window 01-20..02-16: b, c, d active (a's last use 01-14); all four activated; no legacy since 02-03
    kpis = metrics.cohort_figures(acme, rollout, date(2025, 2, 16), 28)
    assert (kpis["all"]["active_users"], kpis["all"]["activated_users"], kpis["all"]["legacy_users"]) == (3, 4, 0)
    undo(acme, second.upload_id)
    check_against_events(acme, rollout)
    kpis = metrics.cohort_figures(acme, rollout, date(2025, 2, 16), 28)
    # only c active; a and c activated; b (legacy only) and d never used
    assert (kpis["all"]["active_users"], kpis["all"]["activated_users"], kpis["all"]["never_used"]) == (1, 2, 2)
    load(acme, "usage", SECOND)
    check_against_events(acme, rollout)


def test_a_change_of_activities_and_a_new_rollout_reclassify_stored_days(acme, load):
    load(acme, "roster", ROSTER)
    load(acme, "usage", FIRST)
    settings.set_rollout(acme, "MFA", activities=["teams"])
    rollout = orgs.rollout(acme, "MFA")
    check_against_events(acme, rollout)
    # only c's teams day counts now; a's 01-07 and b's 01-08 stay legacy days
    assert [r for r in rows(acme, SUMMARY, rollout.rollout_id) if r[2]] == [
        ("c@acme.test", date(2025, 2, 4), True, False)
    ]
    orgs.add_rollout(acme, "Teams", {"everyone": date(2025, 1, 6)}, activities=["teams", "sms"])
    teams = orgs.rollout(acme, "Teams")
    assert rows(acme, SUMMARY, teams.rollout_id) == rows(acme, RAW, teams.rollout_id)
    assert len(rows(acme, SUMMARY, teams.rollout_id)) == 3  # a 01-07 (sms), b 01-08 (sms), c 02-04


def test_migration_13_builds_the_summary_of_data_stored_before(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    every = store_module.migrations()
    monkeypatch.setattr(store_module, "migrations", lambda: [m for m in every if m[0] != 13])
    old = Store(path, staging_dir=tmp_path / "s")
    old.cursor().execute(
        "INSERT INTO rollouts (org_id, name, legacy_activities) VALUES (1, 'MFA', ['sms']);"
        "INSERT INTO usage_daily VALUES (1, 'ann', '2025-01-07', 'mfa', 2), (1, 'ann', '2025-01-07', 'sms', 1), "
        "(1, 'ben', '2025-01-08', 'sms', 1), (1, 'cat', '2025-01-09', 'mfa', 0)"
    )
    old.close()
    monkeypatch.setattr(store_module, "migrations", lambda: every)
    new = Store(path, staging_dir=tmp_path / "s")  # 013 runs though 018 is applied
    assert new.cursor().execute("SELECT * FROM rollout_days ORDER BY user_id").fetchall() == [
        (1, 1, "ann", date(2025, 1, 7), True, True),
        (1, 1, "ben", date(2025, 1, 8), False, True),
    ]
    new.close()


def test_rolling_adoption_counts_each_person_once_a_day_as_the_events_say(acme, load):
    # a's 7-day spans from 01-07, 01-10 and 01-14 overlap, b's from 01-20 overlaps a's last one;
    # every day's count is checked against the events
    load(acme, "roster", ROSTER)
    load(acme, "usage", FIRST)
    load(acme, "usage", SECOND)
    load(acme, "usage", "user_id,date,activity,count\na@acme.test,2025-01-10,mfa,1\n")
    rollout = orgs.rollout(acme, "MFA")
    frame = metrics.rolling_adoption(acme, rollout, date(2025, 2, 16))
    days = rows(acme, RAW, rollout.rollout_id)
    cohort_of = {"a@acme.test": "champion", "b@acme.test": "champion", "c@acme.test": "wider", "d@acme.test": "wider"}
    for r in frame.itertuples():
        day = r.day.date()
        expected = {
            u for u, d, counting, _ in days if counting and cohort_of[u] == r.cohort and 0 <= (day - d).days < 7
        }
        assert r.active_7d == len(expected), (r.cohort, day)
    champion = frame[frame["cohort"] == "champion"].set_index("day")["active_7d"]
    assert [champion[date(2025, 1, n).isoformat()] for n in (13, 14, 20, 21, 26, 27)] == [1, 1, 2, 1, 1, 0]
