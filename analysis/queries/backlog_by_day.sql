-- backlog at the end of each day from $start to $as_of: tickets in scope created on or before the
-- day and not resolved by its end (approximate resolutions count as resolved). Counted as tickets
-- created by the day less tickets closed by it, a ticket closing on greatest(created, resolved)
-- (one resolved before it was created is never in the backlog): two running sums over days, not a
-- comparison of every day with every ticket.
WITH scoped AS (
    SELECT CAST(created_at AS DATE) AS created_day,
           CASE WHEN resolved_at IS NOT NULL   -- greatest() would skip a null: an open ticket never closes
                THEN greatest(CAST(created_at AS DATE), CAST(resolved_at AS DATE)) END AS closed_day
    FROM scoped_tickets($org_id, $rollout_id)
    WHERE CAST(created_at AS DATE) <= $as_of
),
moves AS (   -- +1 on the day a ticket is created, -1 on the day it is closed
    SELECT created_day AS day, 1 AS change FROM scoped
    UNION ALL
    SELECT closed_day, -1 FROM scoped WHERE closed_day IS NOT NULL
),
by_day AS (
    SELECT day, sum(change) AS change FROM moves GROUP BY day
),
days AS (
    SELECT CAST(d AS DATE) AS day
    FROM range(CAST($start AS DATE), CAST($as_of AS DATE) + 1, INTERVAL 1 DAY) AS t(d)
),
final AS (
    SELECT d.day,
           CAST((SELECT coalesce(sum(b.change), 0) FROM by_day AS b WHERE b.day <= d.day) AS BIGINT) AS backlog
    FROM days AS d
)
SELECT * FROM final ORDER BY day
