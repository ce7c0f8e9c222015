-- The rollout's KPI series readings (docs/metrics.md#kpi-series): per KPI and place (grp: a cohort
-- or department, '' the whole rollout), oldest first.
WITH final AS (
    SELECT kpi, grp, day, value, unit, direction, target
    FROM current_kpi_points($org_id, $rollout_id)
)
SELECT * FROM final ORDER BY kpi, grp, day
