-- For a heatmap: per department and ISO week (Monday start) from $start's week to $as_of's
-- week, the share of the department's licensed people (of cohort $cohort; null = every cohort)
-- with a counting event in that week (the last week counts up to $as_of).
WITH people AS (
    SELECT user_id, department FROM licensed_people($org_id, $rollout_id)
    WHERE $cohort IS NULL OR cohort = $cohort
),
licensed AS (
    SELECT department, count(*) AS licensed_users FROM people GROUP BY department
),
active AS (
    SELECT p.department, u.week_start, count(*) AS active_users
    FROM counting_weeks($org_id, $rollout_id, CAST($as_of AS DATE)) AS u JOIN people AS p USING (user_id)
    GROUP BY p.department, u.week_start
),
final AS (
    SELECT l.department, w.week_start, coalesce(a.active_users, 0) AS active_users, l.licensed_users,
           coalesce(a.active_users, 0) / l.licensed_users AS adoption
    FROM iso_weeks($start, $as_of) AS w
    CROSS JOIN licensed AS l
    LEFT JOIN active AS a ON a.department = l.department AND a.week_start = w.week_start
)
SELECT * FROM final ORDER BY department, week_start
