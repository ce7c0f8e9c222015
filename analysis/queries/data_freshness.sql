-- How fresh the organisation's data is: newest usage day (of the rollout's counting or legacy
-- activities when $rollout_id is given), newest ticket date, last load.
WITH usage_days AS (
    SELECT max(day) AS newest_usage_day, min(day) AS oldest_usage_day
    FROM usage_daily AS d
    WHERE d.org_id = $org_id AND d.events > 0
      AND ($rollout_id IS NULL OR EXISTS (
          SELECT 1 FROM rollout_usage($org_id, $rollout_id) AS r
          WHERE r.user_id = d.user_id AND r.day = d.day AND r.activity = d.activity
            AND (r.is_counting OR r.is_legacy)))
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
    SELECT * FROM usage_days, ticket_days, loads
)
SELECT * FROM final
