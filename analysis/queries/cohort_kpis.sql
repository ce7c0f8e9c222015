-- Per cohort of the rollout, and for all its licensed people: licensed, active, activated and
-- days to first use, as of $as_of with an active window of $window_days (METRICS.md section 2).
WITH people AS (
    SELECT user_id, cohort, go_live FROM licensed_people($org_id, $rollout_id)
),
counting AS (
    SELECT user_id, day FROM rollout_usage($org_id, $rollout_id)
    WHERE is_counting AND day <= $as_of
),
per_person AS (
    SELECT p.user_id, p.cohort, p.go_live,
           coalesce(bool_or(u.day > $as_of - $window_days), false) AS active,
           min(u.day) FILTER (WHERE u.day >= p.go_live) AS first_use
    FROM people AS p
    LEFT JOIN counting AS u USING (user_id)
    GROUP BY p.user_id, p.cohort, p.go_live
),
cohort_list AS (
    SELECT c.cohort, c.go_live FROM cohorts AS c
    JOIN rollouts AS r USING (rollout_id)
    WHERE r.org_id = $org_id AND c.rollout_id = $rollout_id
),
grouped AS (
    SELECT coalesce(cohort, 'all') AS cohort,
           count(*) AS licensed_users,
           count(*) FILTER (WHERE active) AS active_users,
           count(first_use) AS activated_users,
           median(first_use - go_live) AS median_days_to_first_use
    FROM per_person
    GROUP BY GROUPING SETS ((cohort), ())
),
final AS (
    SELECT l.cohort, l.go_live,
           coalesce(g.licensed_users, 0) AS licensed_users,
           coalesce(g.active_users, 0) AS active_users,
           coalesce(g.activated_users, 0) AS activated_users,
           g.median_days_to_first_use
    FROM (SELECT cohort, go_live FROM cohort_list UNION ALL SELECT 'all', NULL) AS l
    LEFT JOIN grouped AS g USING (cohort)
)
SELECT * FROM final
ORDER BY cohort = 'all', cohort <> 'champion', go_live, cohort
