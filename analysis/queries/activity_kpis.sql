-- Per activity and cohort (cohort 'all': every cohort): the people licensed on $as_of (the cohort's, the same
-- for every activity), those with use of the activity in the window (as_of - window, as_of], and
-- adoption = active / licensed. Activities: those the licensed people ever used up to as_of.
-- counted: the rollout counts the activity for adoption; legacy: one of its legacy activities.
-- (As rollout_usage classifies them, but once per activity, not on every daily row: the rollout's
-- lists copied onto each of 20 M rows took 18 s; only the window's rows are grouped per person.)
WITH people AS (
    SELECT user_id, cohort FROM licensed_people($org_id, $rollout_id, on_day := CAST($as_of AS DATE))
),
in_window AS (
    SELECT DISTINCT d.user_id, d.activity
    FROM usage_daily AS d
    WHERE d.org_id = $org_id AND d.events > 0
      AND d.day > CAST($as_of AS DATE) - $window_days AND d.day <= CAST($as_of AS DATE)
      AND d.user_id IN (SELECT user_id FROM people)
),
ever AS (
    SELECT DISTINCT activity
    FROM usage_daily
    WHERE org_id = $org_id AND events > 0 AND day <= CAST($as_of AS DATE)
),
-- the activities licensed people used: those of the window, and the others checked on their own
-- rows alone (most often none are left, and no row's person is looked up)
used AS (
    SELECT DISTINCT activity FROM in_window
    UNION
    SELECT DISTINCT d.activity
    FROM usage_daily AS d
    WHERE d.org_id = $org_id AND d.events > 0 AND d.day <= CAST($as_of AS DATE)
      AND d.activity IN (SELECT activity FROM ever EXCEPT SELECT activity FROM in_window)
      AND d.user_id IN (SELECT user_id FROM people)
),
activities AS (
    SELECT a.activity,
           CASE WHEN len(r.activities) > 0 THEN list_contains(r.activities, a.activity)
                ELSE NOT list_contains(r.legacy_activities, a.activity) END AS counted,
           list_contains(r.legacy_activities, a.activity) AS legacy
    FROM used AS a
    CROSS JOIN (SELECT activities, legacy_activities FROM rollouts WHERE org_id = $org_id AND rollout_id = $rollout_id) AS r
),
sizes AS (
    SELECT coalesce(cohort, 'all') AS cohort, count(*) AS licensed_users
    FROM people GROUP BY GROUPING SETS ((cohort), ())
),
active AS (
    SELECT u.activity, coalesce(p.cohort, 'all') AS cohort, count(DISTINCT u.user_id) AS active_users
    FROM in_window AS u JOIN people AS p USING (user_id)
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
