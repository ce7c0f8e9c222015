-- Per cohort and calendar day from $start to $as_of: people of the cohort licensed that day with a
-- counting event in the 7 days ending that day, over the cohort's people licensed that day (the
-- roster in effect each day: macro licensed_spans). adoption_by_age is this series read from each
-- cohort's own go-live (age = day - go_live).
--
-- Each person's counting days from $start - 6 to $as_of are one bitstring (bit k: day origin + k),
-- OR-ed with itself shifted by 1 .. 6 days: bit k is then set when the person used it in the 7 days
-- ending origin + k. One aggregate per person and a bit read per licensed person and day, where
-- ordering every person-day (a window over people x days) was most of the query's time.
WITH bounds AS (
    SELECT CAST($start AS DATE) - 6 AS origin
),
people AS (   -- each licensed stretch of a person that reaches into [$start, $as_of]
    SELECT user_id, cohort, go_live, greatest(valid_from, CAST($start AS DATE)) AS valid_from, valid_to
    FROM licensed_spans($org_id, $rollout_id)
    WHERE valid_to > CAST($start AS DATE) AND valid_from <= CAST($as_of AS DATE)
),
used AS (
    SELECT u.user_id,
           bitstring_agg(CAST(u.day - b.origin AS INTEGER), 0,
                         CAST(CAST($as_of AS DATE) - (CAST($start AS DATE) - 6) AS INTEGER)) AS bits
    FROM rollout_person_days($org_id, $rollout_id) AS u, bounds AS b
    WHERE u.counting AND u.day >= b.origin AND u.day <= CAST($as_of AS DATE)
    GROUP BY u.user_id
),
active AS (
    SELECT user_id, bits | (bits >> 1) | (bits >> 2) | (bits >> 3) | (bits >> 4) | (bits >> 5) | (bits >> 6) AS bits
    FROM used
),
days AS (
    SELECT CAST(d AS DATE) AS day FROM range(CAST($start AS DATE), CAST($as_of AS DATE) + 1, INTERVAL 1 DAY) AS t(d)
),
cohorts AS (
    SELECT cohort, any_value(go_live) AS go_live FROM people GROUP BY cohort
),
per_day AS (   -- each licensed stretch on each of its days
    SELECT p.cohort, d.day,
           count(*) AS licensed,
           coalesce(sum(get_bit(a.bits, CAST(d.day - b.origin AS INTEGER))), 0) AS active
    FROM people AS p
    JOIN days AS d ON d.day >= p.valid_from AND d.day < p.valid_to
    LEFT JOIN active AS a USING (user_id)
    CROSS JOIN bounds AS b
    GROUP BY p.cohort, d.day
),
final AS (
    SELECT l.cohort, d.day, l.go_live, d.day - l.go_live AS age_days,
           CAST(coalesce(c.active, 0) AS BIGINT) AS active_7d,
           CAST(coalesce(c.licensed, 0) AS BIGINT) AS licensed_users,
           CASE WHEN coalesce(c.licensed, 0) > 0 THEN c.active / c.licensed END AS adoption
    FROM days AS d
    CROSS JOIN cohorts AS l
    LEFT JOIN per_day AS c ON c.day = d.day AND c.cohort = l.cohort
)
SELECT * FROM final ORDER BY cohort, day
