-- The organisation's rollouts with their cohorts (champion first, then by go-live).
WITH cohort_lists AS (
    SELECT c.rollout_id,
           list(c.cohort ORDER BY c.cohort <> 'champion', c.go_live, c.cohort) AS cohorts,
           list(c.go_live ORDER BY c.cohort <> 'champion', c.go_live, c.cohort) AS go_lives
    FROM cohorts AS c
    GROUP BY c.rollout_id
),
final AS (
    SELECT r.rollout_id, r.name, r.activities, r.legacy_activities, r.target_adoption,
           r.target_age_days, r.window_days, coalesce(l.cohorts, []) AS cohorts,
           coalesce(l.go_lives, []) AS go_lives
    FROM rollouts AS r
    LEFT JOIN cohort_lists AS l USING (rollout_id)
    WHERE r.org_id = $org_id
)
SELECT * FROM final ORDER BY name
