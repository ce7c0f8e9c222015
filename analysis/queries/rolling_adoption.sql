-- Per cohort and calendar day from $start to $as_of: people of the cohort licensed that day with a
-- counting event in the 7 days ending that day, over the cohort's people licensed that day (the
-- roster in effect each day: macro licensed_spans). adoption_by_age is this series read from each
-- cohort's own go-live (age = day - go_live).
WITH people AS (   -- each licensed stretch of a person that reaches into [$start, $as_of]
    SELECT user_id, cohort, go_live, greatest(valid_from, CAST($start AS DATE)) AS valid_from, valid_to
    FROM licensed_spans($org_id, $rollout_id)
    WHERE valid_to > CAST($start AS DATE) AND valid_from <= CAST($as_of AS DATE)
),
counting AS (
    SELECT user_id, day FROM rollout_person_days($org_id, $rollout_id)
    WHERE counting AND day <= $as_of
),
days AS (
    SELECT CAST(d AS DATE) AS day FROM range(CAST($start AS DATE), CAST($as_of AS DATE) + 1, INTERVAL 1 DAY) AS t(d)
),
cohorts AS (
    SELECT cohort, any_value(go_live) AS go_live FROM people GROUP BY cohort
),
-- a counting day makes its person active on it and the 6 days after; cut each such span at the
-- person's next counting day, so a person's spans never overlap; then cut it to each stretch in
-- which the person is licensed in a cohort. Summing +1 at a span's start and -1 after its end
-- counts each person once a day (people x days, no range join); the licensed people likewise
spans AS (
    SELECT user_id, day AS first_day,
           least(day + 6, coalesce(lead(day) OVER (PARTITION BY user_id ORDER BY day) - 1, day + 6)) AS last_day
    FROM counting
),
active_spans AS (
    SELECT p.cohort, greatest(s.first_day, p.valid_from) AS first_day, least(s.last_day, p.valid_to - 1) AS last_day
    FROM spans AS s JOIN people AS p USING (user_id)
    WHERE s.last_day >= p.valid_from AND s.first_day < p.valid_to
),
changes AS (
    SELECT cohort, first_day AS day, 1 AS active, 0 AS licensed FROM active_spans
    UNION ALL
    SELECT cohort, last_day + 1, -1, 0 FROM active_spans
    UNION ALL
    SELECT cohort, valid_from, 0, 1 FROM people
    UNION ALL
    SELECT cohort, valid_to, 0, -1 FROM people WHERE valid_to <= CAST($as_of AS DATE)
),
per_day AS (
    SELECT cohort, day, sum(active) AS active, sum(licensed) AS licensed FROM changes GROUP BY cohort, day
),
running AS (
    SELECT d.day, l.cohort, l.go_live,
           CAST(sum(coalesce(c.active, 0)) OVER per_cohort AS BIGINT) AS active_7d,
           CAST(sum(coalesce(c.licensed, 0)) OVER per_cohort AS BIGINT) AS licensed_users
    FROM days AS d
    CROSS JOIN cohorts AS l
    LEFT JOIN per_day AS c ON c.day = d.day AND c.cohort = l.cohort
    WINDOW per_cohort AS (PARTITION BY l.cohort ORDER BY d.day ROWS UNBOUNDED PRECEDING)
),
final AS (
    SELECT cohort, day, go_live, day - go_live AS age_days, active_7d, licensed_users,
           CASE WHEN licensed_users > 0 THEN active_7d / licensed_users END AS adoption
    FROM running
)
SELECT * FROM final ORDER BY cohort, day
