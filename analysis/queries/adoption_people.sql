-- The rollout's licensed people with their adoption facts as of $as_of with a window of
-- $window_days (see the person_adoption macro), optionally only those with $status:
-- 'lapsed', 'never_used' or 'activated' (null = everyone).
WITH people AS (
    SELECT * FROM adoption_facts($org_id, $rollout_id, CAST($as_of AS DATE), $window_days, $kept)
),
final AS (
    SELECT user_id, display_name, department, cohort, go_live, first_use, last_use,
           days_to_first_use, active_days, active_weeks, active, activated, lapsed, never_used,
           legacy, habitual
    FROM people
    WHERE $status IS NULL
       OR ($status = 'lapsed' AND lapsed)
       OR ($status = 'never_used' AND never_used)
       OR ($status = 'activated' AND activated)
)
SELECT * FROM final ORDER BY cohort, department, user_id
