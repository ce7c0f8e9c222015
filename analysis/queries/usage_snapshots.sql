-- The refresh dates of the snapshot exports (Microsoft 365 reports) behind the rollout's counting
-- activities, oldest first; none for event-level data. Read from the loads' snapshot records, so a
-- snapshot whose rows were all stored before (a quiet week) still counts.
WITH counted AS (
    SELECT DISTINCT s.snapshot
    FROM usage_snapshot_loads AS s
    JOIN uploads AS u ON u.upload_id = s.upload_id AND u.org_id = s.org_id
    JOIN rollouts AS r ON r.org_id = s.org_id
    WHERE s.org_id = $org_id AND r.rollout_id = $rollout_id AND u.undone_at IS NULL
      AND CASE WHEN len(r.activities) > 0 THEN list_contains(r.activities, s.activity)
               ELSE NOT list_contains(r.legacy_activities, s.activity) END
),
final AS (
    SELECT snapshot FROM counted
)
SELECT * FROM final ORDER BY snapshot
