-- The computed baseline of one rollout kept at one key (analysis/kpis/baseline_cache.py).
WITH found AS (
    SELECT figures, computed_at
    FROM kept_baselines
    WHERE org_id = $org_id
      AND rollout_id = $rollout_id
      AND data_version = $data_version
      AND inputs_version = $inputs_version
      AND as_of = $as_of
      AND window_days = $window_days
      AND window_start = $window_start
      AND window_end = $window_end
),
final AS (
    SELECT figures FROM found ORDER BY computed_at DESC LIMIT 1
)
SELECT * FROM final
