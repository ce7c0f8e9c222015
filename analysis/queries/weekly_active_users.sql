-- weekly_active_users: per ISO week (Monday start) from $start's week to $as_of's week, per cohort
-- and for 'all': people licensed that week (macro weekly_licensed) with >= 1 counting event in the
-- week (the last week counts up to $as_of, so `complete` is false for it unless $as_of is a Sunday).
WITH people AS (
    SELECT week_start, user_id, cohort FROM weekly_licensed($org_id, $rollout_id, $start, $as_of)
),
licensed AS (
    SELECT week_start, coalesce(cohort, 'all') AS cohort, count(*) AS licensed_users
    FROM people GROUP BY GROUPING SETS ((week_start, cohort), (week_start))
),
active AS (
    SELECT u.week_start, coalesce(p.cohort, 'all') AS cohort, count(*) AS active_users
    FROM counting_weeks($org_id, $rollout_id, CAST($as_of AS DATE)) AS u
    JOIN people AS p USING (week_start, user_id)
    GROUP BY GROUPING SETS ((u.week_start, p.cohort), (u.week_start))
),
final AS (
    SELECT c.cohort, c.go_live, w.week_start, w.week_start + 6 AS week_end,
           w.week_start + 6 <= CAST($as_of AS DATE) AS complete,
           coalesce(a.active_users, 0) AS active_users,
           coalesce(l.licensed_users, 0) AS licensed_users,
           CASE WHEN coalesce(l.licensed_users, 0) > 0
                THEN coalesce(a.active_users, 0) / l.licensed_users END AS active_share
    FROM iso_weeks($start, $as_of) AS w
    CROSS JOIN rollout_cohorts($org_id, $rollout_id) AS c
    LEFT JOIN licensed AS l ON l.cohort = c.cohort AND l.week_start = w.week_start
    LEFT JOIN active AS a ON a.week_start = w.week_start AND a.cohort = c.cohort
)
SELECT * FROM final
ORDER BY cohort = 'all', cohort <> 'champion', go_live, cohort, week_start
