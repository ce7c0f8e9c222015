-- backlog at the end of each day from $start to $as_of: tickets in scope created on or before the
-- day and not resolved by its end (approximate resolutions count as resolved).
WITH scoped AS (
    SELECT CAST(created_at AS DATE) AS created_day, CAST(resolved_at AS DATE) AS resolved_day
    FROM rollout_tickets($org_id, $rollout_id)
    WHERE CAST(created_at AS DATE) <= $as_of
),
days AS (
    SELECT CAST(d AS DATE) AS day
    FROM range(CAST($start AS DATE), CAST($as_of AS DATE) + 1, INTERVAL 1 DAY) AS t(d)
),
final AS (
    SELECT d.day,
           count(s.created_day) AS backlog
    FROM days AS d
    LEFT JOIN scoped AS s
      ON s.created_day <= d.day AND (s.resolved_day IS NULL OR s.resolved_day > d.day)
    GROUP BY d.day
)
SELECT * FROM final ORDER BY day
