-- Per activity of the usage (a Microsoft 365 product, a Moodle component, an app) and cohort (cohort
-- 'all': every cohort): the rollout's licensed people who used it at least once in the window
-- ($as_of - $window_days + 1 to $as_of), out of the licensed people, and whether the activity counts
-- as use of the rollout, is its old way (legacy), or neither.
WITH people AS (
    SELECT user_id, cohort FROM licensed_people($org_id, $rollout_id)
),
used AS (
    SELECT DISTINCT u.user_id, u.activity, u.is_counting, u.is_legacy
    FROM rollout_usage($org_id, $rollout_id) AS u
    WHERE u.day <= CAST($as_of AS DATE) AND u.day > CAST($as_of AS DATE) - $window_days
),
sizes AS (
    SELECT coalesce(cohort, 'all') AS cohort, count(*) AS licensed_users
    FROM people GROUP BY GROUPING SETS ((cohort), ())
),
grouped AS (
    SELECT u.activity, coalesce(p.cohort, 'all') AS cohort, count(*) AS active_users,
           any_value(CASE WHEN u.is_counting THEN 'counts as use' WHEN u.is_legacy THEN 'old way' ELSE 'other' END)
               AS kind
    FROM used AS u JOIN people AS p USING (user_id)
    GROUP BY GROUPING SETS ((u.activity, p.cohort), (u.activity))
)
SELECT g.activity, g.kind, g.cohort, s.licensed_users, g.active_users,
       g.active_users / s.licensed_users AS adoption_rate
FROM grouped AS g JOIN sizes AS s USING (cohort)
ORDER BY g.kind <> 'counts as use', g.kind = 'other', g.activity, g.cohort = 'all', g.cohort <> 'champion', g.cohort
