-- The per-person-per-day summary the adoption figures read (issue 12: pages at 20 M events): one
-- row per (organisation, rollout, person, day) on which the person had a counting or a legacy event
-- of that rollout (the rollout_usage macro's classification, folded over the day's activities).
-- Its size is people x days, whatever the number of events or activities. Kept up to date by
-- analysis/rollout_days.py: at every load and undo (refresh_daily in analysis/ingest/merge.py), when a
-- rollout is made (analysis/orgs.py) and when its activities change (analysis/settings.py).
-- One row per key: every writer deletes the keys it rewrites first.
CREATE TABLE rollout_days (
    org_id     INTEGER NOT NULL,
    rollout_id INTEGER NOT NULL,
    user_id    VARCHAR NOT NULL,
    day        DATE NOT NULL,
    counting   BOOLEAN NOT NULL,
    legacy     BOOLEAN NOT NULL
);

-- backfill: the same statement as analysis/rollout_days.py's ROWS, over everything stored
INSERT INTO rollout_days
SELECT d.org_id, r.rollout_id, d.user_id, d.day,
       bool_or(CASE WHEN len(r.activities) > 0 THEN list_contains(r.activities, d.activity)
                    ELSE NOT list_contains(r.legacy_activities, d.activity) END) AS counting,
       bool_or(list_contains(r.legacy_activities, d.activity)) AS legacy
FROM usage_daily AS d
JOIN rollouts AS r ON r.org_id = d.org_id
WHERE d.events > 0
GROUP BY d.org_id, r.rollout_id, d.user_id, d.day
HAVING bool_or(CASE WHEN len(r.activities) > 0 THEN list_contains(r.activities, d.activity)
                    ELSE NOT list_contains(r.legacy_activities, d.activity) END)
    OR bool_or(list_contains(r.legacy_activities, d.activity));
