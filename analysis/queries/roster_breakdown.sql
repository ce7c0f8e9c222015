-- Adoption per value of one of the roster's other columns ($column, migration 024) and cohort
-- (cohort 'all': every cohort), as of $as_of with a window of $window_days: the department table's
-- figures (department_kpis.sql) grouped by that column instead. A licensed person with no value is
-- under '(not given)'.
WITH people AS (
    SELECT p.*, coalesce(a.value, '(not given)') AS grp
    FROM person_adoption($org_id, $rollout_id, CAST($as_of AS DATE), $window_days) AS p
    LEFT JOIN roster_attributes AS a
      ON a.org_id = $org_id AND a.rollout_id = $rollout_id AND a.user_id = p.user_id AND a.name = $column
     AND a.upload_id = (SELECT max(upload_id) FROM current_roster($org_id, $rollout_id))
),
grouped AS (
    SELECT grp AS "group", coalesce(cohort, 'all') AS cohort,
           count(*) AS licensed_users,
           count(*) FILTER (WHERE active) AS active_users,
           count(*) FILTER (WHERE activated) AS activated_users,
           count(*) FILTER (WHERE legacy) AS legacy_users
    FROM people
    GROUP BY GROUPING SETS ((grp, cohort), (grp))
)
SELECT "group", cohort, licensed_users, active_users, active_users / licensed_users AS adoption_rate,
       activated_users, activated_users / licensed_users AS activation_rate, legacy_users
FROM grouped
ORDER BY "group" = '(not given)', "group", cohort = 'all', cohort <> 'champion', cohort
