-- How fresh the organisation's data is: newest usage day (of the rollout's counting or legacy
-- activities when $rollout_id is given), newest ticket date, last load. Snapshot exports (Microsoft
-- 365 reports) are known up to their refresh date, even when nobody used it on the last days
-- before it, so the newest refresh date counts as a usage day.
WITH usage_days AS (
    SELECT max(day) AS newest_usage_day, min(day) AS oldest_usage_day
    FROM usage_daily AS d
    WHERE d.org_id = $org_id AND d.events > 0
      AND ($rollout_id IS NULL OR EXISTS (
          SELECT 1 FROM rollout_usage($org_id, $rollout_id) AS r
          WHERE r.user_id = d.user_id AND r.day = d.day AND r.activity = d.activity
            AND (r.is_counting OR r.is_legacy)))
),
snapshot_days AS (
    SELECT max(s.snapshot) AS newest_snapshot
    FROM usage_snapshot_loads AS s
    JOIN uploads AS u ON u.upload_id = s.upload_id AND u.org_id = s.org_id
    WHERE s.org_id = $org_id AND u.undone_at IS NULL
      AND ($rollout_id IS NULL OR EXISTS (
          SELECT 1 FROM rollouts AS r
          WHERE r.org_id = $org_id AND r.rollout_id = $rollout_id
            AND (len(r.activities) = 0 OR list_contains(r.activities, s.activity)
                 OR list_contains(r.legacy_activities, s.activity))))
),
ticket_days AS (
    SELECT max(greatest(CAST(created_at AS DATE), CAST(coalesce(updated_at, created_at) AS DATE)))
           AS newest_ticket_day
    FROM tickets WHERE org_id = $org_id
),
loads AS (
    SELECT max(loaded_at) AS last_load FROM uploads WHERE org_id = $org_id AND undone_at IS NULL
),
final AS (
    SELECT greatest(newest_usage_day, newest_snapshot) AS newest_usage_day, oldest_usage_day,
           newest_ticket_day, last_load
    FROM usage_days, snapshot_days, ticket_days, loads
)
SELECT * FROM final
