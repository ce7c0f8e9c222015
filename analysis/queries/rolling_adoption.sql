-- Per cohort and calendar day from $start to $as_of: licensed people of the cohort with a
-- counting event in the 7 days ending that day. adoption_by_age is this series read from each
-- cohort's own go-live (age = day - go_live).
WITH people AS (
    SELECT user_id, cohort, go_live FROM licensed_people($org_id, $rollout_id)
),
counting AS (
    SELECT user_id, day FROM rollout_person_days($org_id, $rollout_id)
    WHERE counting AND day <= $as_of
),
days AS (
    SELECT CAST(d AS DATE) AS day FROM range(CAST($start AS DATE), CAST($as_of AS DATE) + 1, INTERVAL 1 DAY) AS t(d)
),
licensed AS (
    SELECT cohort, any_value(go_live) AS go_live, count(*) AS licensed_users FROM people GROUP BY cohort
),
-- a counting day makes its person active on it and the 6 days after; cut each such span at the
-- person's next counting day, so a person's spans never overlap and summing +1 at a span's start and
-- -1 after its end counts each person once a day (people x days, no range join); changes before
-- $start count from $start
spans AS (
    SELECT user_id, day AS first_day,
           least(day + 6, coalesce(lead(day) OVER (PARTITION BY user_id ORDER BY day) - 1, day + 6)) AS last_day
    FROM counting
),
changes AS (
    SELECT p.cohort, greatest(s.first_day, CAST($start AS DATE)) AS day, 1 AS delta
    FROM spans AS s JOIN people AS p USING (user_id)
    UNION ALL
    SELECT p.cohort, greatest(s.last_day + 1, CAST($start AS DATE)), -1
    FROM spans AS s JOIN people AS p USING (user_id)
),
per_day AS (
    SELECT cohort, day, sum(delta) AS delta FROM changes GROUP BY cohort, day
),
active AS (
    SELECT d.day, l.cohort,
           sum(coalesce(c.delta, 0)) OVER (PARTITION BY l.cohort ORDER BY d.day ROWS UNBOUNDED PRECEDING)::BIGINT
               AS active_7d
    FROM days AS d
    CROSS JOIN licensed AS l
    LEFT JOIN per_day AS c ON c.day = d.day AND c.cohort = l.cohort
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
