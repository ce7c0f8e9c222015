-- The per-row formulation of analysis/queries/activity_kpis.sql before it classified each activity
-- once (tests/test_breakdowns.py checks both give the same table); rollout_usage classifies each row.
-- Per activity and cohort (cohort 'all': every cohort): the licensed people (the cohort's, the same
-- for every activity), those with use of the activity in the window (as_of - window, as_of], and
-- adoption = active / licensed. Activities: those the licensed people ever used up to as_of.
-- counted: the rollout counts the activity for adoption; legacy: one of its legacy activities.
WITH people AS (
    SELECT user_id, cohort FROM licensed_people($org_id, $rollout_id)
),
used AS (
    SELECT u.user_id, u.activity, u.is_counting, u.is_legacy,
           u.day > CAST($as_of AS DATE) - $window_days AS in_window
    FROM rollout_usage($org_id, $rollout_id) AS u
    WHERE u.day <= CAST($as_of AS DATE) AND u.user_id IN (SELECT user_id FROM people)
),
activities AS (
    SELECT activity, bool_or(is_counting) AS counted, bool_or(is_legacy) AS legacy FROM used GROUP BY activity
),
sizes AS (
    SELECT coalesce(cohort, 'all') AS cohort, count(*) AS licensed_users
    FROM people GROUP BY GROUPING SETS ((cohort), ())
),
active AS (
    SELECT u.activity, coalesce(p.cohort, 'all') AS cohort, count(DISTINCT u.user_id) AS active_users
    FROM used AS u JOIN people AS p USING (user_id)
    WHERE u.in_window
    GROUP BY GROUPING SETS ((u.activity, p.cohort), (u.activity))
),
final AS (
    SELECT a.activity, s.cohort, a.counted, a.legacy, s.licensed_users,
           coalesce(x.active_users, 0) AS active_users,
           coalesce(x.active_users, 0) / s.licensed_users AS adoption_rate
    FROM activities AS a
    CROSS JOIN sizes AS s
    LEFT JOIN active AS x ON x.activity = a.activity AND x.cohort = s.cohort
)
SELECT * FROM final
ORDER BY cohort = 'all' DESC, cohort, adoption_rate DESC, activity
