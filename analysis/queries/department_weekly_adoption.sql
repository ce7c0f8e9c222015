-- For a heatmap: per department and ISO week (Monday start) from $start's week to $as_of's
-- week, the share of the department's people licensed that week (macro weekly_licensed; of cohort
-- $cohort, null = every cohort) with a counting event in that week (the last week counts up to
-- $as_of). A department with nobody licensed in a week has no share that week.
WITH people AS (
    SELECT week_start, user_id, department FROM weekly_licensed($org_id, $rollout_id, $start, $as_of)
    WHERE $cohort IS NULL OR cohort = $cohort
),
departments AS (
    SELECT DISTINCT department FROM people
),
licensed AS (
    SELECT department, week_start, count(*) AS licensed_users FROM people GROUP BY department, week_start
),
active AS (
    SELECT p.department, u.week_start, count(*) AS active_users
    FROM counting_weeks($org_id, $rollout_id, CAST($as_of AS DATE)) AS u
    JOIN people AS p USING (week_start, user_id)
    GROUP BY p.department, u.week_start
),
final AS (
    SELECT d.department, w.week_start, coalesce(a.active_users, 0) AS active_users,
           coalesce(l.licensed_users, 0) AS licensed_users,
           CASE WHEN coalesce(l.licensed_users, 0) > 0 THEN coalesce(a.active_users, 0) / l.licensed_users END
               AS adoption
    FROM iso_weeks($start, $as_of) AS w
    CROSS JOIN departments AS d
    LEFT JOIN licensed AS l ON l.department IS NOT DISTINCT FROM d.department AND l.week_start = w.week_start
    LEFT JOIN active AS a ON a.department IS NOT DISTINCT FROM d.department AND a.week_start = w.week_start
)
SELECT * FROM final ORDER BY department, week_start
