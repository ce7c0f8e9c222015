-- tickets_per_100_users per ISO week (Monday start) from $start's week to $as_of's week: for
-- 'all', every ticket in scope over the rollout's people licensed that week; per cohort, the tickets
-- whose requester was on the roster in that cohort on the ticket's day over the cohort's people licensed that week (unmatched
-- requesters count in 'all' only). The last week counts up to $as_of.
WITH scoped AS (
    SELECT requester_cohort, CAST(date_trunc('week', created_at) AS DATE) AS week_start
    FROM rollout_tickets($org_id, $rollout_id)
    WHERE CAST(created_at AS DATE) BETWEEN CAST(date_trunc('week', CAST($start AS DATE)) AS DATE) AND $as_of
),
licensed AS (   -- the people licensed that week (macro weekly_licensed)
    SELECT week_start, coalesce(cohort, 'all') AS cohort, count(*) AS licensed_users
    FROM weekly_licensed($org_id, $rollout_id, $start, $as_of) GROUP BY GROUPING SETS ((week_start, cohort), (week_start))
),
counted AS (
    SELECT week_start, requester_cohort AS cohort, count(*) AS tickets
    FROM scoped WHERE requester_cohort IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT week_start, 'all', count(*) FROM scoped GROUP BY ALL
),
final AS (
    SELECT c.cohort, c.go_live, w.week_start, w.week_start + 6 <= CAST($as_of AS DATE) AS complete,
           coalesce(n.tickets, 0) AS tickets, coalesce(l.licensed_users, 0) AS licensed_users,
           CASE WHEN l.licensed_users > 0 THEN 100 * coalesce(n.tickets, 0) / l.licensed_users END
               AS tickets_per_100_users
    FROM iso_weeks($start, $as_of) AS w
    CROSS JOIN rollout_cohorts($org_id, $rollout_id) AS c
    LEFT JOIN licensed AS l ON l.cohort = c.cohort AND l.week_start = w.week_start
    LEFT JOIN counted AS n ON n.week_start = w.week_start AND n.cohort = c.cohort
)
SELECT cohort, week_start, complete, tickets, licensed_users, tickets_per_100_users FROM final
ORDER BY cohort = 'all', cohort <> 'champion', go_live, cohort, week_start
