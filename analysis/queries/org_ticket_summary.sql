-- Every ticket of the organisation, whatever rollout (support before any rollout exists): how
-- many, the first and last day one was created, and the support figures over that whole span
-- (docs/metrics.md#support-metrics: its definitions with the window = the tickets' own range). The backlog is
-- counted at the end of the last creation day.
WITH org_tickets AS (
    SELECT *, CASE WHEN NOT resolved_approx THEN (epoch(resolved_at) - epoch(created_at)) / 3600 END
                  AS resolution_hours   -- as rollout_tickets (004_analytics.sql)
    FROM tickets WHERE org_id = $org_id
),
span AS (
    SELECT min(CAST(created_at AS DATE)) AS first_day, max(CAST(created_at AS DATE)) AS last_day
    FROM org_tickets
),
final AS (
    SELECT count(*) AS tickets, any_value(s.first_day) AS first_day, any_value(s.last_day) AS last_day,
           count(*) FILTER (WHERE t.resolved_at IS NOT NULL) AS resolved_tickets,
           quantile_cont(t.resolution_hours, 0.5) AS median_resolution_hours,
           quantile_cont(t.resolution_hours, 0.9) AS p90_resolution_hours,
           count(*) FILTER (WHERE t.resolved_at IS NULL OR CAST(t.resolved_at AS DATE) > s.last_day) AS backlog,
           count(*) FILTER (WHERE t.resolved_at IS NOT NULL AND t.reopened > 0) AS reopened_tickets
    FROM org_tickets AS t, span AS s
)
SELECT * FROM final
