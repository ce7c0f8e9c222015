"""The rollout_days summary (analysis/migrations/013_rollout_days.sql): per rollout, person and day,
whether the person had a counting and/or a legacy event. The adoption figures read it instead of
usage_daily, so their cost grows with people x days, not with events or activities.

Every writer of what it derives from keeps it current, inside the same transaction: loads and undo
(refresh, from refresh_daily), a new rollout and a change of a rollout's activities (rebuild).
"""

from __future__ import annotations

# The classification of the rollout_usage macro (analysis/queries/macros/2_usage.sql), folded over
# a person's activities of one day; {where} is one of the fixed filters below, never input.
ROWS = """
INSERT INTO rollout_days
SELECT d.org_id, r.rollout_id, d.user_id, d.day,
       bool_or(CASE WHEN len(r.activities) > 0 THEN list_contains(r.activities, d.activity)
                    ELSE NOT list_contains(r.legacy_activities, d.activity) END) AS counting,
       bool_or(list_contains(r.legacy_activities, d.activity)) AS legacy
FROM usage_daily AS d
JOIN rollouts AS r ON r.org_id = d.org_id
WHERE d.org_id = $org AND d.events > 0 AND {where}
GROUP BY d.org_id, r.rollout_id, d.user_id, d.day
HAVING counting OR legacy
"""
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


def rebuild(cur, org_id: int, rollout_id: int) -> None:
    """Rewrite one rollout's rows from usage_daily (a new rollout, or its activities changed)."""
    params = {"org": org_id, "rollout": rollout_id}
    cur.execute("DELETE FROM rollout_days WHERE org_id = $org AND rollout_id = $rollout", params)
    cur.execute(ROWS.format(where=ONE_ROLLOUT), params)
