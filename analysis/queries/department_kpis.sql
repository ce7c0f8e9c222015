-- Per department and cohort of the rollout (cohort 'all': the department's licensed people of
-- every cohort): licensed, active, activated, lapsed and never-used people as of $as_of with a
-- window of $window_days, with adoption and activation rates. Departments with no licensed
-- people in a cohort have no row for it.
WITH people AS (
    SELECT * FROM adoption_facts($org_id, $rollout_id, CAST($as_of AS DATE), $window_days, $kept)
),
grouped AS (
    SELECT department, coalesce(cohort, 'all') AS cohort,
           count(*) AS licensed_users,
           count(*) FILTER (WHERE active) AS active_users,
           count(*) FILTER (WHERE activated) AS activated_users,
           count(*) FILTER (WHERE lapsed) AS lapsed_users,
           count(*) FILTER (WHERE never_used) AS never_used
    FROM people
    GROUP BY GROUPING SETS ((department, cohort), (department))
),
final AS (
    SELECT department, cohort, licensed_users, active_users,
           active_users / licensed_users AS adoption_rate,
           activated_users, activated_users / licensed_users AS activation_rate,
           lapsed_users, never_used
    FROM grouped
)
SELECT * FROM final
ORDER BY department, cohort = 'all', cohort <> 'champion', cohort
