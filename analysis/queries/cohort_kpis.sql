-- Per cohort of the rollout, and for all its licensed people: the COHORT figures of
-- docs/metrics.md#adoption-metrics as of $as_of with an active window of $window_days. Rates are computed in Python.
WITH people AS (
    SELECT * FROM adoption_facts($org_id, $rollout_id, CAST($as_of AS DATE), $window_days, $kept)
),
cohort_list AS (
    SELECT c.cohort, c.go_live, CAST($as_of AS DATE) - c.go_live >= 84 AS habit_computable
    FROM cohorts AS c
    JOIN rollouts AS r USING (rollout_id)
    WHERE r.org_id = $org_id AND c.rollout_id = $rollout_id
),
grouped AS (
    SELECT coalesce(cohort, 'all') AS cohort,
           count(*) AS licensed_users,
           count(*) FILTER (WHERE active) AS active_users,
           count(*) FILTER (WHERE activated) AS activated_users,
           median(days_to_first_use) AS median_days_to_first_use,
           count(*) FILTER (WHERE lapsed) AS lapsed_users,
           count(*) FILTER (WHERE legacy) AS legacy_users,
           count(*) FILTER (WHERE never_used) AS never_used,
           count(*) FILTER (WHERE habitual) AS habitual_users,
           sum(active_days) AS active_person_days
    FROM people
    GROUP BY GROUPING SETS ((cohort), ())
),
listed AS (
    SELECT cohort, go_live, habit_computable FROM cohort_list
    UNION ALL
    -- 'all': habitual only once every cohort is 84 days past its go-live
    SELECT 'all', NULL, coalesce(bool_and(habit_computable), false) FROM cohort_list
),
final AS (
    SELECT l.cohort, l.go_live,
           coalesce(g.licensed_users, 0) AS licensed_users,
           coalesce(g.active_users, 0) AS active_users,
           coalesce(g.activated_users, 0) AS activated_users,
           g.median_days_to_first_use,
           coalesce(g.lapsed_users, 0) AS lapsed_users,
           coalesce(g.legacy_users, 0) AS legacy_users,
           coalesce(g.never_used, 0) AS never_used,
           CASE WHEN l.habit_computable THEN coalesce(g.habitual_users, 0) END AS habitual_users,
           -- stickiness: mean daily active people over the window's days / active_users
           CASE WHEN coalesce(g.active_users, 0) > 0
                THEN g.active_person_days / $window_days / g.active_users END AS stickiness
    FROM listed AS l
    LEFT JOIN grouped AS g USING (cohort)
)
SELECT * FROM final
ORDER BY cohort = 'all', cohort <> 'champion', go_live, cohort
