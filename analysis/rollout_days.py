"""The rollout_days summary (analysis/migrations/013_rollout_days.sql): per rollout, person and day,
whether the person had a counting and/or a legacy event. The adoption figures read it instead of
usage_daily, so their cost grows with people x days, not with events or activities.

Every writer of what it derives from keeps it current, inside the same transaction: loads and undo
(refresh, from refresh_daily), a new rollout and a change of a rollout's activities (rebuild).
"""

from __future__ import annotations

# The classification of the rollout_usage macro (analysis/queries/macros/2_usage.sql), folded over
# a person's activities of one day; {where} is one of the fixed filters below, never input.
COUNTING = """CASE WHEN len(r.activities) > 0 THEN list_contains(r.activities, {activity})
                    ELSE NOT list_contains(r.legacy_activities, {activity}) END"""
LEGACY = "list_contains(r.legacy_activities, {activity})"
ROWS = f"""
INSERT INTO rollout_days
SELECT d.org_id, r.rollout_id, d.user_id, d.day,
       bool_or({COUNTING.format(activity="d.activity")}) AS counting,
       bool_or({LEGACY.format(activity="d.activity")}) AS legacy
FROM usage_daily AS d
JOIN rollouts AS r ON r.org_id = d.org_id
WHERE d.org_id = $org AND d.events > 0 AND {{where}}
GROUP BY d.org_id, r.rollout_id, d.user_id, d.day
HAVING counting OR legacy
"""  # noqa: S608 (built from this module's constants)
# A load's new rows as keys (analysis/ingest/usage.py): each activity of the file classified once
# per rollout, then the rows grouped by integer keys; the person's text joined to the few groups.
ADDED_ROWS = f"""
INSERT INTO rollout_days
WITH kinds AS (
    SELECT r.rollout_id, a.key, {COUNTING.format(activity="a.activity")} AS counting,
           {LEGACY.format(activity="a.activity")} AS legacy
    FROM activities AS a, rollouts AS r WHERE r.org_id = $org
)
SELECT $org, d.rollout_id, p.user_id, d.day, d.counting, d.legacy
FROM (
    SELECT k.rollout_id, a.user_key, a.day, bool_or(k.counting) AS counting, bool_or(k.legacy) AS legacy
    FROM added AS a JOIN kinds AS k ON k.key = a.activity_key
    WHERE a.events > 0
    GROUP BY k.rollout_id, a.user_key, a.day
    HAVING counting OR legacy
) AS d
JOIN people AS p ON p.key = d.user_key
"""  # noqa: S608 (built from this module's constants)
TOUCHED_KEYS = "EXISTS (SELECT 1 FROM touched AS t WHERE t.user_id = d.user_id AND t.day = d.day)"
ONE_ROLLOUT = "r.rollout_id = $rollout"


def refresh(cur, org_id: int) -> None:
    """Rewrite the rows of the (person, day) keys in the temp table touched(user_id, day, activity),
    for every rollout of the organisation, after usage_daily was brought up to date for them."""
    cur.execute(
        "DELETE FROM rollout_days AS s WHERE s.org_id = $org "
        "AND EXISTS (SELECT 1 FROM touched AS t WHERE t.user_id = s.user_id AND t.day = s.day)",
        {"org": org_id},
    )
    cur.execute(ROWS.format(where=TOUCHED_KEYS), {"org": org_id})


def add_new(cur, org_id: int) -> None:
    """Add the rows of a load's new usage, the temp table added(user_key, day, activity_key,
    events) with people(key, user_id) and activities(key, activity), when usage_daily held nothing
    of the organisation on those days before (analysis/ingest/merge.py add_to_daily): the added
    rows are then all the usage of their days and rollout_days has no row of them to rewrite."""
    cur.execute(ADDED_ROWS, {"org": org_id})


def rebuild(cur, org_id: int, rollout_id: int) -> None:
    """Rewrite one rollout's rows from usage_daily (a new rollout, or its activities changed)."""
    params = {"org": org_id, "rollout": rollout_id}
    cur.execute("DELETE FROM rollout_days WHERE org_id = $org AND rollout_id = $rollout", params)
    cur.execute(ROWS.format(where=ONE_ROLLOUT), params)
