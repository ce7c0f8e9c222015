-- The rollout's current roster, everyone on it (licensed or not).
WITH final AS (
    SELECT user_id, display_name, department, cohort, licensed
    FROM current_roster($org_id, $rollout_id)
)
SELECT * FROM final ORDER BY user_id
