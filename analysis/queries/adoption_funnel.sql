-- The adoption funnel per cohort and for 'all', as of $as_of with a window of $window_days:
-- licensed -> activated -> activated and active -> activated, active and habitual. The last
-- step is null while habitual_users is (a cohort under 84 days past go-live; for 'all', any).
WITH people AS (
    SELECT * FROM adoption_facts($org_id, $rollout_id, CAST($as_of AS DATE), $window_days, $kept)
),
cohort_list AS (
    SELECT c.cohort, c.go_live, CAST($as_of AS DATE) - c.go_live >= 84 AS habit_computable
    FROM cohorts AS c
    JOIN rollouts AS r USING (rollout_id)
    WHERE r.org_id = $org_id AND c.rollout_id = $rollout_id
),
listed AS (
    SELECT cohort, go_live, habit_computable FROM cohort_list
    UNION ALL
    SELECT 'all', NULL, coalesce(bool_and(habit_computable), false) FROM cohort_list
),
grouped AS (
    SELECT coalesce(cohort, 'all') AS cohort,
           count(*) AS licensed,
           count(*) FILTER (WHERE activated) AS activated,
           count(*) FILTER (WHERE activated AND active) AS active,
           count(*) FILTER (WHERE activated AND active AND habitual) AS habitual
    FROM people
    GROUP BY GROUPING SETS ((cohort), ())
),
counts AS (
    SELECT l.cohort, l.go_live,
           coalesce(g.licensed, 0) AS licensed, coalesce(g.activated, 0) AS activated,
           coalesce(g.active, 0) AS active,
           CASE WHEN l.habit_computable THEN coalesce(g.habitual, 0) END AS habitual
    FROM listed AS l LEFT JOIN grouped AS g USING (cohort)
),
steps AS (
    SELECT cohort, go_live, 1 AS step, 'licensed' AS stage, licensed AS people, licensed FROM counts
    UNION ALL SELECT cohort, go_live, 2, 'activated', activated, licensed FROM counts
    UNION ALL SELECT cohort, go_live, 3, 'active', active, licensed FROM counts
    UNION ALL SELECT cohort, go_live, 4, 'habitual', habitual, licensed FROM counts
),
final AS (
    SELECT cohort, step, stage, people,
           CASE WHEN licensed > 0 THEN people / licensed END AS share_of_licensed, go_live
    FROM steps
)
SELECT cohort, step, stage, people, share_of_licensed FROM final
ORDER BY cohort = 'all', cohort <> 'champion', go_live, cohort, step
