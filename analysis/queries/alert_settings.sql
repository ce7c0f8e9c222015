-- The rollout's overrides of red-flag thresholds (the defaults live in analysis/alerts.py).
WITH overrides AS (
    SELECT rule, setting, value, set_by, set_at
    FROM alert_settings
    WHERE org_id = $org_id AND rollout_id = $rollout_id
),
final AS (
    SELECT * FROM overrides
)
SELECT * FROM final ORDER BY rule, setting
