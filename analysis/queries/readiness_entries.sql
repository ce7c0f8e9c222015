-- The rollout's readiness record: its current training sessions and communications, oldest first
-- (docs/metrics.md#readiness).
WITH final AS (
    SELECT day, cohort, department, kind, title, attendance, attendees, upload_id
    FROM current_readiness($org_id, $rollout_id)
)
SELECT * FROM final ORDER BY day, kind, title
