-- Table macros the weekly queries share.

-- The ISO weeks (Monday start) from the week of from_day to the week of to_day, by their Monday.
CREATE MACRO iso_weeks(from_day, to_day) AS TABLE
    SELECT CAST(w AS DATE) AS week_start
    FROM range(CAST(date_trunc('week', CAST(from_day AS DATE)) AS TIMESTAMP),
               CAST(date_trunc('week', CAST(to_day AS DATE)) AS TIMESTAMP) + INTERVAL 1 DAY,
               INTERVAL 7 DAY) AS t(w);

-- The rollout's cohorts with their go-live, then 'all' (no go-live). Filters on the organisation
-- as well as the rollout, so a rollout id from another organisation returns 'all' only.
CREATE MACRO rollout_cohorts(oid, rid) AS TABLE
    SELECT c.cohort, c.go_live FROM cohorts AS c
    JOIN rollouts AS r USING (rollout_id)
    WHERE r.org_id = oid AND c.rollout_id = rid
    UNION ALL SELECT 'all', NULL;

-- The ISO weeks (by their Monday) in which each person of the organisation had a counting event
-- of the rollout, up to as_of.
CREATE MACRO counting_weeks(oid, rid, as_of) AS TABLE
    SELECT DISTINCT user_id, CAST(date_trunc('week', day) AS DATE) AS week_start
    FROM rollout_usage(oid, rid)
    WHERE is_counting AND day <= as_of;
