-- A rollout's target and baseline settings (the columns of the rollouts table that the Rollout
-- object does not carry) with its KPI target overrides: one row per override, or one row with a
-- null kpi when there are none.
WITH rollout AS (
    SELECT rollout_id, target_adoption, target_age_days, target_tickets_per_100,
           target_median_resolution_hours, baseline_start, baseline_end
    FROM rollouts
    WHERE org_id = $org_id AND rollout_id = $rollout_id
),
overrides AS (
    SELECT rollout_id, kpi, target, due_age_days, set_by, set_at
    FROM kpi_targets
    WHERE org_id = $org_id AND rollout_id = $rollout_id
),
final AS (
    SELECT r.*, o.kpi, o.target, o.due_age_days, o.set_by, o.set_at
    FROM rollout AS r
    LEFT JOIN overrides AS o USING (rollout_id)
)
SELECT * FROM final ORDER BY kpi
