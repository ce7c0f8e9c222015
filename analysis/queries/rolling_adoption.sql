-- Per cohort and calendar day from $start to $as_of: licensed people of the cohort with a
-- counting event in the 7 days ending that day. adoption_by_age is this series read from each
-- cohort's own go-live (age = day - go_live).
WITH people AS (
    SELECT user_id, cohort, go_live FROM licensed_people($org_id, $rollout_id)
),
counting AS (
    SELECT DISTINCT user_id, day FROM rollout_usage($org_id, $rollout_id)
    WHERE is_counting AND day <= $as_of
),
days AS (
    SELECT CAST(d AS DATE) AS day FROM range(CAST($start AS DATE), CAST($as_of AS DATE) + 1, INTERVAL 1 DAY) AS t(d)
),
licensed AS (
    SELECT cohort, any_value(go_live) AS go_live, count(*) AS licensed_users FROM people GROUP BY cohort
),
active AS (
    SELECT d.day, p.cohort, count(DISTINCT p.user_id) AS active_7d
    FROM days AS d
    JOIN counting AS u ON u.day BETWEEN d.day - 6 AND d.day
    JOIN people AS p USING (user_id)
    GROUP BY d.day, p.cohort
),
final AS (
    SELECT l.cohort, d.day, l.go_live, d.day - l.go_live AS age_days,
           coalesce(a.active_7d, 0) AS active_7d, l.licensed_users,
           coalesce(a.active_7d, 0) / l.licensed_users AS adoption
    FROM days AS d
    CROSS JOIN licensed AS l
    LEFT JOIN active AS a ON a.day = d.day AND a.cohort = l.cohort
)
SELECT * FROM final ORDER BY cohort, day
