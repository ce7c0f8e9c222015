-- Tickets created each ISO week (Monday start) across the organisation's whole ticket range,
-- whatever rollout; weeks with none count 0.
WITH created AS (
    SELECT CAST(date_trunc('week', created_at) AS DATE) AS week_start, count(*) AS tickets
    FROM tickets WHERE org_id = $org_id GROUP BY ALL
),
weeks AS (
    SELECT CAST(unnest(generate_series(min(week_start), max(week_start), INTERVAL 7 DAY)) AS DATE) AS week_start
    FROM created
),
final AS (
    SELECT w.week_start, coalesce(c.tickets, 0) AS tickets
    FROM weeks AS w LEFT JOIN created AS c USING (week_start)
)
SELECT * FROM final ORDER BY week_start
