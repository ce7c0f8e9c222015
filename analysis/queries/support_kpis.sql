-- The rollout's support figures as of the end of $as_of with a window of $window_days
-- (docs/metrics.md#support-metrics). Tickets created after $as_of are ignored.
WITH scoped AS (
    SELECT * FROM scoped_tickets($org_id, $rollout_id)
    WHERE CAST(created_at AS DATE) <= $as_of
),
licensed AS (
    SELECT count(*) AS licensed_users FROM licensed_people($org_id, $rollout_id, on_day := CAST($as_of AS DATE))
),
resolved AS (   -- resolved in the window (approximate resolutions included)
    SELECT * FROM scoped
    WHERE resolved_at IS NOT NULL
      AND CAST(resolved_at AS DATE) BETWEEN CAST($as_of AS DATE) - $window_days + 1 AND $as_of
),
responded AS (  -- first responded in the window
    SELECT * FROM scoped
    WHERE first_response_at IS NOT NULL
      AND CAST(first_response_at AS DATE) BETWEEN CAST($as_of AS DATE) - $window_days + 1 AND $as_of
),
created AS (
    SELECT count(*) FILTER (WHERE CAST(created_at AS DATE) > CAST($as_of AS DATE) - $window_days) AS tickets,
           count(*) FILTER (WHERE CAST(created_at AS DATE) > CAST($as_of AS DATE) - 7) AS tickets_7d,
           count(*) FILTER (WHERE resolved_at IS NULL OR CAST(resolved_at AS DATE) > $as_of) AS backlog
    FROM scoped
),
resolution AS (
    SELECT count(*) AS resolved_tickets,
           count(resolution_hours) AS timed_resolutions,
           quantile_cont(resolution_hours, 0.5) AS median_resolution_hours,
           quantile_cont(resolution_hours, 0.9) AS p90_resolution_hours,
           count(*) FILTER (WHERE reopened > 0) AS reopened_tickets,
           count(satisfaction) AS rated_tickets,
           count(*) FILTER (WHERE satisfaction = 'good') AS good_tickets,
           count(sla_met) AS sla_tickets,
           count(*) FILTER (WHERE sla_met) AS sla_met_tickets,
           count(business_resolution_hours) AS business_timed_resolutions,
           quantile_cont(business_resolution_hours, 0.5) AS median_business_resolution_hours
    FROM resolved
),
response AS (
    SELECT count(*) AS responded_tickets,
           quantile_cont(first_response_hours, 0.5) AS median_first_response_hours,
           quantile_cont(first_response_hours, 0.9) AS p90_first_response_hours
    FROM responded
),
final AS (
    SELECT c.tickets, c.tickets_7d, l.licensed_users,
           CASE WHEN l.licensed_users > 0 THEN 100 * c.tickets_7d / l.licensed_users END
               AS tickets_per_100_users_7d,
           r.resolved_tickets, r.timed_resolutions, r.median_resolution_hours, r.p90_resolution_hours,
           c.backlog,
           r.reopened_tickets,
           CASE WHEN r.resolved_tickets > 0 THEN r.reopened_tickets / r.resolved_tickets END AS reopen_rate,
           p.responded_tickets, p.median_first_response_hours,
           r.rated_tickets,
           CASE WHEN r.rated_tickets > 0 THEN r.good_tickets / r.rated_tickets END AS satisfaction,
           p.p90_first_response_hours,
           -- resolved in the window per ticket created in it (those resolved may be older)
           CASE WHEN c.tickets > 0 THEN r.resolved_tickets / c.tickets END AS resolved_per_opened,
           r.sla_tickets,
           CASE WHEN r.sla_tickets > 0 THEN r.sla_met_tickets / r.sla_tickets END AS sla_met_share,
           r.business_timed_resolutions, r.median_business_resolution_hours
    FROM created AS c, licensed AS l, resolution AS r, response AS p
)
SELECT * FROM final
