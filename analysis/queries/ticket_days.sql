-- ticket_days: per day up to $as_of, the rollout's tickets in scope (macro scoped_tickets)
-- created that day, and the resolution times (hours, oldest resolution first) of those created
-- by $as_of that carry one, by the day they were resolved: what TICKET_SPIKE and SLOW_RESOLUTION
-- read (analysis/alerts/inputs.py), without a row per ticket in Python; and the rated and good
-- tickets by the day resolved, for SATISFACTION_DROP.
WITH scoped AS (
    SELECT CAST(created_at AS DATE) AS created_day, CAST(resolved_at AS DATE) AS resolved_day, resolution_hours,
           satisfaction
    FROM scoped_tickets($org_id, $rollout_id)
    WHERE CAST(created_at AS DATE) <= $as_of
),
created AS (
    SELECT created_day AS day, count(*) AS created FROM scoped GROUP BY created_day
),
resolved AS (
    SELECT resolved_day AS day, list(resolution_hours ORDER BY resolution_hours) AS hours
    FROM scoped
    WHERE resolution_hours IS NOT NULL
    GROUP BY resolved_day
),
rated AS (      -- SATISFACTION_DROP: rated tickets by the day resolved (approximate ones too)
    SELECT resolved_day AS day, count(satisfaction) AS rated, count(*) FILTER (WHERE satisfaction = 'good') AS good
    FROM scoped
    WHERE resolved_day IS NOT NULL
    GROUP BY resolved_day
),
final AS (
    SELECT day, coalesce(c.created, 0) AS created, coalesce(r.hours, []) AS hours,
           coalesce(s.rated, 0) AS rated, coalesce(s.good, 0) AS good
    FROM created AS c
    FULL JOIN resolved AS r USING (day)
    FULL JOIN rated AS s USING (day)
)
SELECT * FROM final ORDER BY day
